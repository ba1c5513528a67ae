//! Cycle counts of the engine's public-key primitives on a Cortex-M0+ (rp2040js, run.mjs): each
//! primitive runs with several secrets between two `bkpt` marks, and the host reads the
//! emulator's exact cycle counter at each mark. Known answers are checked here too.
#![no_std]
#![no_main]

extern crate alloc;

use core::arch::asm;
use core::hint::black_box;

// Our own arithmetic for public numbers, as the engine builds it.
#[path = "../../../src/der.rs"]
#[allow(dead_code)]
mod der;
#[path = "../../../src/provider/p384.rs"]
mod p384;
#[path = "../../../src/provider/public_bignum.rs"]
#[allow(dead_code)]
mod public_bignum;

mod alloc_bump;
mod arith;
mod data;
mod vectors;

/// Prints a line on the host.
fn print(s: &str) {
    // SAFETY: bkpt #1 stops the emulator, which reads r0/r1 (a valid string) and resumes.
    unsafe { asm!("bkpt #1", in("r0") s.as_ptr(), in("r1") s.len()) }
}

/// The host records the cycle count at this point under `label`.
fn mark(label: &str) {
    // SAFETY: as print().
    unsafe { asm!("bkpt #2", in("r0") label.as_ptr(), in("r1") label.len()) }
}

/// The bytes of a hex string (data.rs's inputs and answers).
fn hex(s: &str) -> alloc::vec::Vec<u8> {
    let nib = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => 0,
    };
    s.as_bytes().chunks(2).map(|p| (nib(p[0]) << 4) | nib(p[1])).collect()
}

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&hex(s));
    out
}

fn check(what: &str, ok: bool) {
    if !ok {
        print("FAIL known answer:");
        print(what);
    }
}

/// Runs `f` on each input between marks named `label`.
fn each<T, R>(label: &str, inputs: &[T], mut f: impl FnMut(&T) -> R) {
    for input in inputs {
        let input = black_box(input);
        mark("-");
        let r = f(input);
        mark(label);
        black_box(r);
    }
}

/// The groups of primitives to run: those whose name the host's filter matches (all when empty).
static mut FILTER: &[u8] = &[];

fn selected(group: &str) -> bool {
    // SAFETY: written once in _start before anything reads it.
    let filter = unsafe { FILTER };
    filter.is_empty() || filter.split(|&c| c == b',').any(|f| group.as_bytes() == f)
}

fn main() {
    vectors::run();
    print("done");
}

/// r0/r1: the filter (a comma-separated list of group names) the host wrote into SRAM.
#[no_mangle]
#[link_section = ".text._start"]
pub extern "C" fn _start(filter: *const u8, len: usize) -> ! {
    // SAFETY: the host put `len` bytes at `filter`, outside the program's memory.
    unsafe { FILTER = core::slice::from_raw_parts(filter, len) };
    main();
    // SAFETY: bkpt #0x7f tells the host the program is done; it never resumes.
    unsafe { asm!("bkpt #0x7f") };
    loop {}
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    print("panic");
    // SAFETY: as in _start.
    unsafe { asm!("bkpt #0x7e") };
    loop {}
}
