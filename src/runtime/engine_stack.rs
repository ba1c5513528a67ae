//! Running code on another stack (boards only). rustls and the elliptic-curve code keep large
//! values on the stack (a client's first step reaches about 13 KB on a Cortex-M0+), while an
//! RP2's whole C stack is 8 KB. So an engine call runs on a stack of its own, taken from the heap
//! for the call (see `workspace`), and the C stack below the shim's entry point holds only a
//! trampoline frame; calls into MicroPython's heap hop back to the C stack, where a garbage
//! collection expects to find the stack it scans.
//!
//! These are the two primitives: the stack pointer, and a call with the stack pointer elsewhere.
//! Hosted targets (the unix port, 8 MB stacks) have neither: calls run where they are.

#[inline(always)]
pub fn stack_pointer() -> usize {
    let sp: usize;
    #[cfg(target_arch = "arm")]
    // SAFETY: reads the stack pointer into a register; no memory is touched.
    unsafe {
        core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    #[cfg(target_arch = "riscv32")]
    // SAFETY: reads the stack pointer into a register; no memory is touched.
    unsafe {
        core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    sp
}

/// The stack switch for one architecture: keep the stack pointer in a callee-saved register,
/// set it to `top`, call `job` with `data` as its first argument, and put the pointer back.
#[cfg(any(target_arch = "arm", target_arch = "riscv32"))]
macro_rules! call_on_stack {
    ($top:expr, $job:expr, $data:expr, $arg:tt, $keep:tt, [$save:literal, $set:literal, $call:literal, $back:literal]) => {
        core::arch::asm!(
            $save, $set, $call, $back,
            top = in(reg) $top,
            job = in(reg) $job,
            inout($arg) $data => _,
            out($keep) _,
            clobber_abi("C"),
        )
    };
}

/// Calls `job(data)` with the stack pointer at `top`, and restores it afterwards.
///
/// # Safety
/// `top` must be the 16-byte aligned top of memory that nothing else uses during the call and
/// that is large enough for it; `job` must be safe to call with `data`.
unsafe fn call_with_stack(top: usize, job: unsafe extern "C" fn(*mut u8), data: *mut u8) {
    #[cfg(target_arch = "arm")]
    // SAFETY: r4 is callee-saved, so it still holds the old stack pointer when `job`
    // returns; every register the C ABI lets `job` clobber is declared clobbered.
    unsafe {
        call_on_stack!(top, job, data, "r0", "r4", ["mov r4, sp", "mov sp, {top}", "blx {job}", "mov sp, r4"])
    };
    #[cfg(target_arch = "riscv32")]
    // SAFETY: s2 is callee-saved, so it still holds the old stack pointer when `job`
    // returns; every register the C ABI lets `job` clobber is declared clobbered.
    unsafe {
        call_on_stack!(top, job, data, "a0", "s2", ["mv s2, sp", "mv sp, {top}", "jalr {job}", "mv sp, s2"])
    };
    #[cfg(not(any(target_arch = "arm", target_arch = "riscv32")))]
    let _ = (top, job, data);
}

/// Runs `job` with the stack pointer at `top`. One non-generic function for every call, so the
/// switch costs its code once.
///
/// # Safety
/// `top` must be the 16-byte aligned top of memory that nothing else uses while `job` runs and
/// that is large enough for it.
pub unsafe fn run_at(top: usize, job: &mut dyn FnMut()) {
    unsafe extern "C" fn trampoline(data: *mut u8) {
        // SAFETY: `data` points to the `&mut dyn FnMut()` in `run_at`'s frame, which outlives
        // this call, and nothing else touches it meanwhile.
        let job = unsafe { &mut *data.cast::<&mut dyn FnMut()>() };
        job();
    }
    let mut job = job;
    // SAFETY: `top` is free stack per our caller; the trampoline matches `data`'s type.
    unsafe { call_with_stack(top, trampoline, (&mut job as *mut &mut dyn FnMut()).cast()) };
}
