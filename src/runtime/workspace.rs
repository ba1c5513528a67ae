//! The engine's workspace: what an engine call needs beside the heap blocks it allocates, taken
//! from MicroPython's heap when the call starts and given back when it returns, so that TLS
//! holds no RAM while the engine is not running (MicroPython's mbedTLS module holds none either
//! until a socket is wrapped; a static stack and reserve cost every script 35 KB of heap).
//!
//! A workspace is two heap blocks:
//! - a reserve arena (`reserve`): when the heap refuses an allocation during the call, the
//!   arena lends it, the call finishes, reports OUT_OF_MEMORY and the shim raises MemoryError
//!   (Rust cannot fail an allocation: a null pointer ends in the panic handler);
//! - on boards, the stack the call runs on (`engine_stack`): the engine's deepest handshake step
//!   needs more than an RP2's whole 8 KB C stack.
//!
//! Two sizes, by measurement (BENCHMARKS.md, tests_fw/test_stack.py, tests_py/test_alloc_faults.py):
//! `Deep` for handshakes and everything that parses certificates and keys, `Light` for records
//! on an established connection, whose calls are shallow and allocate little; that keeps a
//! long-lived connection's reads and writes to small blocks, which a fragmented heap still has
//! (MicroPython #7878, #6455: one 16.7 KB block per connection fails there).
//!
//! When the heap has no room for the workspace the call does not run: it reports
//! OUT_OF_MEMORY with nothing changed, so the connection stays usable and a later call, with
//! memory freed, goes on.
//!
//! A workspace belongs to the thread that made the call (each thread inside the engine at once
//! has its own, up to `SLOTS`); a call nested in one (a finaliser that a collection runs frees a
//! handle) uses it. Memory the arena lent and that outlives the call (a connection that failed
//! for want of memory keeps it until it is freed) keeps the arena's block until it comes back.
//! The blocks are tracked allocations, so a collection during the call keeps them and scans
//! them (the engine stack holds no Python object; scanning only keeps alive what a stale word
//! there points to, until the next collection).

use core::alloc::Layout;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use super::heap::{self, Guard};
use super::reserve::{Arena, ALIGN};
use crate::Need;

/// The engine stacks, of the deepest use measured with a margin of at least 2 KB
/// (tests_fw/test_stack.py and tests_fw/test_pico_w.py check it; BENCHMARKS.md has the figures).
#[cfg(any(target_arch = "arm", target_arch = "riscv32"))]
const STACK: [usize; 2] = [15 * 1024, 5 * 1024];
#[cfg(not(any(target_arch = "arm", target_arch = "riscv32")))]
const STACK: [usize; 2] = [0, 0];

/// The reserves, of the most a call was seen to borrow after the heap ran dry (the allocation
/// walk, tests_py/test_alloc_faults.py, run from every allocation on) with a margin. 64-bit hosts
/// need more: their pointers and bignum digits are twice as wide.
#[cfg(not(target_pointer_width = "64"))]
const RESERVE: [usize; 2] = [16 * 1024, 4 * 1024];
#[cfg(target_pointer_width = "64")]
const RESERVE: [usize; 2] = [24 * 1024, 6 * 1024];

fn index(need: Need) -> usize {
    match need {
        Need::Deep => 0,
        Need::Light => 1,
    }
}

/// Figures for tests and benchmarks. Boards have no `ussl._memory()`: their tests read this in
/// the symbol table (tests_fw/mpy/stack_probe.py), 32-bit words in this order.
#[repr(C)]
pub struct Meters {
    /// Set non-zero (tests, benchmarks): engine stacks are painted when taken, and the deepest
    /// use of each kept in `stack_peak`.
    pub paint: AtomicU32,
    /// The sizes above, Deep then Light.
    pub stack_size: [AtomicU32; 2],
    pub reserve_size: [AtomicU32; 2],
    /// Deepest engine stack use, most reserve lent in one call, Deep then Light (reset by
    /// writing 0).
    pub stack_peak: [AtomicU32; 2],
    pub reserve_peak: [AtomicU32; 2],
    /// Workspaces taken; refused (no room on the heap: the call reported OUT_OF_MEMORY).
    pub taken: AtomicU32,
    pub refused: AtomicU32,
    /// Allocations the heap refused outside any engine call, where no reserve is at hand: each
    /// is a missing workspace (tests require none).
    pub outside: AtomicU32,
}

#[no_mangle]
pub static ussl_engine_meters: Meters = Meters {
    paint: AtomicU32::new(0),
    stack_size: [AtomicU32::new(STACK[0] as u32), AtomicU32::new(STACK[1] as u32)],
    reserve_size: [AtomicU32::new(RESERVE[0] as u32), AtomicU32::new(RESERVE[1] as u32)],
    stack_peak: [AtomicU32::new(0), AtomicU32::new(0)],
    reserve_peak: [AtomicU32::new(0), AtomicU32::new(0)],
    taken: AtomicU32::new(0),
    refused: AtomicU32::new(0),
    outside: AtomicU32::new(0),
};

pub fn meters() -> &'static Meters {
    &ussl_engine_meters
}

/// The meters as words, in their order; `reset_peaks` zeroes the peaks after reading them.
pub fn figures(reset_peaks: bool) -> [u32; crate::WORKSPACE_FIGURES] {
    let m = meters();
    let read = |a: &AtomicU32| a.load(Ordering::Relaxed);
    let out = [
        read(&m.paint),
        read(&m.stack_size[0]),
        read(&m.stack_size[1]),
        read(&m.reserve_size[0]),
        read(&m.reserve_size[1]),
        read(&m.stack_peak[0]),
        read(&m.stack_peak[1]),
        read(&m.reserve_peak[0]),
        read(&m.reserve_peak[1]),
        read(&m.taken),
        read(&m.refused),
        read(&m.outside),
    ];
    if reset_peaks {
        for peak in m.stack_peak.iter().chain(m.reserve_peak.iter()) {
            peak.store(0, Ordering::Relaxed);
        }
    }
    out
}

/// Threads inside the engine at once, each with its own workspace.
const SLOTS: usize = 16;

/// One thread's call: only that thread touches the fields but `owner`.
struct Slot {
    owner: AtomicUsize,
    /// Its arena in `TABLE`, plus one.
    arena: AtomicUsize,
    /// Its engine stack: the heap block, the usable bounds, and the C stack pointer at the
    /// switch (where calls into the heap go back to).
    stack: AtomicUsize,
    lo: AtomicUsize,
    hi: AtomicUsize,
    c_sp: AtomicUsize,
}

impl Slot {
    const fn new() -> Self {
        Self {
            owner: AtomicUsize::new(0),
            arena: AtomicUsize::new(0),
            stack: AtomicUsize::new(0),
            lo: AtomicUsize::new(0),
            hi: AtomicUsize::new(0),
            c_sp: AtomicUsize::new(0),
        }
    }
}

static SLOT: [Slot; SLOTS] = [const { Slot::new() }; SLOTS];

fn own_slot(me: usize) -> Option<&'static Slot> {
    SLOT.iter().find(|s| s.owner.load(Ordering::Acquire) == me)
}

fn claim_slot(me: usize) -> Option<&'static Slot> {
    SLOT.iter().find(|s| s.owner.compare_exchange(0, me, Ordering::AcqRel, Ordering::Relaxed).is_ok())
}

/// An arena and the heap block it lives in; `owner` is the thread whose call it serves, 0 once
/// that call returned while the arena still lent memory.
struct Lent {
    arena: Arena,
    block: *mut u8,
    owner: usize,
}

/// Arenas of calls under way, and those that still lend memory after theirs.
const ARENAS: usize = 24;

struct Table(UnsafeCell<[Option<Lent>; ARENAS]>);

// SAFETY: the table is only reached through `table`, under the heap lock.
unsafe impl Sync for Table {}

static TABLE: Table = Table(UnsafeCell::new([const { None }; ARENAS]));
/// Arenas in the table: the allocator's free path skips the table while there are none.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// # Safety
/// The returned borrow must end before anything that may re-enter the allocator (a heap call,
/// which may run a collection and its finalisers) and before `table` is called again.
#[allow(clippy::mut_from_ref)]
unsafe fn table(_: &Guard) -> &mut [Option<Lent>; ARENAS] {
    // SAFETY: the heap lock is held; the caller keeps this the only borrow.
    unsafe { &mut *TABLE.0.get() }
}

/// Runs `job` with a workspace for `need`. False, without running it, when the heap had no
/// room for the workspace (or `SLOTS` threads are inside the engine already).
pub fn run(need: Need, job: &mut dyn FnMut()) -> bool {
    let me = heap::thread_id();
    if own_slot(me).is_some() {
        // Nested in a call of this thread: its workspace serves.
        job();
        return true;
    }
    let Some(slot) = claim_slot(me) else {
        meters().refused.fetch_add(1, Ordering::Relaxed);
        return false;
    };
    let ready = take(&heap::lock(), slot, need, me);
    if ready {
        enter(slot, job);
    } else {
        meters().refused.fetch_add(1, Ordering::Relaxed);
    }
    give_back(&heap::lock(), slot, need);
    slot.owner.store(0, Ordering::Release);
    ready
}

/// Takes the arena and, on boards, the stack. Whatever was taken before a refusal is given
/// back by `give_back`.
fn take(g: &Guard, slot: &Slot, need: Need, me: usize) -> bool {
    let size = RESERVE[index(need)];
    // Room to align the arena to 16 bytes.
    let block = heap::calloc_here(g, size + ALIGN);
    if block.is_null() {
        return false;
    }
    let base = (block as usize).next_multiple_of(ALIGN);
    {
        // SAFETY: no heap call while this borrow lives.
        let table = unsafe { table(g) };
        let Some(free) = table.iter().position(Option::is_none) else {
            // SAFETY: `block` came from calloc_here and nothing uses it.
            unsafe { heap::free(g, block) };
            return false;
        };
        // SAFETY: `base` is 16-aligned with `size` bytes of `block` after it, ours alone.
        let arena = unsafe { Arena::new(base, size) };
        if let Some(entry) = table.get_mut(free) {
            *entry = Some(Lent { arena, block, owner: me });
        }
        LIVE.fetch_add(1, Ordering::Relaxed);
        slot.arena.store(free + 1, Ordering::Relaxed);
    }
    let stack_size = STACK[index(need)];
    if stack_size > 0 {
        let stack = heap::calloc_here(g, stack_size);
        if stack.is_null() {
            return false;
        }
        slot.stack.store(stack as usize, Ordering::Relaxed);
        slot.lo.store(stack as usize, Ordering::Relaxed);
        slot.hi.store((stack as usize + stack_size) & !15, Ordering::Relaxed);
        if meters().paint.load(Ordering::Relaxed) != 0 {
            paint(stack as usize, (stack as usize + stack_size) & !15);
        }
    }
    meters().taken.fetch_add(1, Ordering::Relaxed);
    true
}

/// Frees the stack, and the arena unless it still lends memory (then the free that empties it
/// frees it, `take_back`).
fn give_back(g: &Guard, slot: &Slot, need: Need) {
    let stack = slot.stack.swap(0, Ordering::Relaxed);
    if stack != 0 {
        let (lo, hi) = (slot.lo.load(Ordering::Relaxed), slot.hi.load(Ordering::Relaxed));
        if meters().paint.load(Ordering::Relaxed) != 0 {
            meters().stack_peak[index(need)].fetch_max(depth(lo, hi) as u32, Ordering::Relaxed);
        }
        // SAFETY: the stack came from calloc_here in `take` and the call on it has returned.
        unsafe { heap::free(g, stack as *mut u8) };
    }
    slot.lo.store(0, Ordering::Relaxed);
    slot.hi.store(0, Ordering::Relaxed);
    let arena = slot.arena.swap(0, Ordering::Relaxed);
    let Some(i) = arena.checked_sub(1) else { return };
    let block = {
        // SAFETY: no heap call while this borrow lives.
        let table = unsafe { table(g) };
        let Some(entry) = table.get_mut(i) else { return };
        let Some(lent) = entry.as_mut() else { return };
        meters().reserve_peak[index(need)].fetch_max(lent.arena.peak() as u32, Ordering::Relaxed);
        if lent.arena.in_use() != 0 {
            lent.owner = 0;
            return;
        }
        let block = lent.block;
        *entry = None;
        LIVE.fetch_sub(1, Ordering::Relaxed);
        block
    };
    // SAFETY: the arena's block came from calloc_here and nothing in it is lent.
    unsafe { heap::free(g, block) };
}

/// Runs `job` on the slot's stack (boards), or where we are.
fn enter(slot: &Slot, job: &mut dyn FnMut()) {
    #[cfg(any(target_arch = "arm", target_arch = "riscv32"))]
    {
        let top = slot.hi.load(Ordering::Relaxed);
        if top != 0 {
            slot.c_sp.store(super::engine_stack::stack_pointer(), Ordering::Relaxed);
            // SAFETY: [lo, hi) is this call's own stack block, free and large enough for the
            // engine's deepest use (measured, with a margin).
            unsafe { super::engine_stack::run_at(top, job) };
            return;
        }
    }
    let _ = slot;
    job()
}

/// Runs `f` (a call into MicroPython's heap, which may collect) on the C stack when called on
/// an engine stack: below the trampoline's frame the C stack is free while the engine runs.
#[inline(always)]
pub fn on_c_stack<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(any(target_arch = "arm", target_arch = "riscv32"))]
    if let Some(slot) = own_slot(heap::thread_id()) {
        let sp = super::engine_stack::stack_pointer();
        if (slot.lo.load(Ordering::Relaxed)..slot.hi.load(Ordering::Relaxed)).contains(&sp) {
            // Leave a little room under the saved pointer; keep the ABI's 16-byte alignment.
            let top = (slot.c_sp.load(Ordering::Relaxed) - 64) & !15;
            let mut f = Some(f);
            let mut out = None;
            // SAFETY: the C stack below the saved pointer is unused while the engine runs.
            unsafe {
                super::engine_stack::run_at(top, &mut || {
                    if let Some(f) = f.take() {
                        out = Some(f());
                    }
                })
            };
            // The job always runs (panic = abort: it cannot stop half way).
            return out.unwrap_or_else(|| super::fatal());
        }
    }
    f()
}

/// A block from this thread's arena for an allocation the heap refused; NULL when the arena is
/// full too, or the thread is in no engine call (counted in `outside`).
pub fn lend(g: &Guard, layout: Layout) -> *mut u8 {
    let Some(i) = own_slot(heap::thread_id()).and_then(|s| s.arena.load(Ordering::Relaxed).checked_sub(1)) else {
        meters().outside.fetch_add(1, Ordering::Relaxed);
        return core::ptr::null_mut();
    };
    // SAFETY: no heap call while this borrow lives.
    let table = unsafe { table(g) };
    match table.get_mut(i).and_then(Option::as_mut) {
        Some(lent) => lent.arena.alloc(layout),
        None => core::ptr::null_mut(),
    }
}

/// Takes back `ptr` if an arena lent it (true), freeing the arena once it is empty and its
/// call has returned.
///
/// # Safety
/// `ptr` came from the allocator with this `layout` and is not freed yet.
pub unsafe fn take_back(g: &Guard, ptr: *mut u8, layout: Layout) -> bool {
    if LIVE.load(Ordering::Relaxed) == 0 {
        return false;
    }
    let block = {
        // SAFETY: no heap call while this borrow lives.
        let table = unsafe { table(g) };
        let Some(entry) = table.iter_mut().find(|e| e.as_ref().is_some_and(|l| l.arena.owns(ptr))) else {
            return false;
        };
        let Some(lent) = entry.as_mut() else { return false };
        // SAFETY: the arena lent `ptr` with this layout (the caller's contract).
        unsafe { lent.arena.dealloc(ptr, layout) };
        if lent.owner != 0 || lent.arena.in_use() != 0 {
            return true;
        }
        let block = lent.block;
        *entry = None;
        LIVE.fetch_sub(1, Ordering::Relaxed);
        block
    };
    // SAFETY: the arena's block came from calloc_here, its call returned and it lends nothing.
    unsafe { heap::free(g, block) };
    true
}

const PAINT: u32 = 0x5AA5_C33C;

fn paint(lo: usize, hi: usize) {
    let mut a = lo;
    while a < hi {
        // SAFETY: [lo, hi) is a stack block of ours that no call runs on yet; word aligned.
        unsafe { (a as *mut u32).write_volatile(PAINT) };
        a += 4;
    }
}

/// Bytes of [lo, hi) below `hi` that the call wrote: from the lowest word that is not paint.
fn depth(lo: usize, hi: usize) -> usize {
    let mut a = lo;
    // SAFETY: [lo, hi) is our stack block, word aligned, and its call has returned.
    while a < hi && unsafe { (a as *const u32).read_volatile() } == PAINT {
        a += 4;
    }
    hi - a
}
