//! What a no_std staticlib needs inside MicroPython: the global allocator over the tracked
//! heap and the panic handler.

pub mod allocator;
pub mod engine_stack;
mod reserve;

extern "C" {
    /// Stops the firmware (abort() on unix, a semihosting exit in qemu, ...); never returns.
    fn ussl_port_fatal() -> !;
}

/// Stops the firmware through the port (no unwinding, no return).
pub fn fatal() -> ! {
    // SAFETY: the port's hook takes no arguments and never returns.
    unsafe { ussl_port_fatal() }
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // panic = "abort": no input reaches a panic (see the before-stop check); this is the last
    // line of defence and must not unwind through C frames.
    fatal()
}

/// The precompiled x86_64 `alloc` keeps one landing pad even under panic = "abort"; it needs a
/// personality symbol to link, and is never called.
#[cfg(all(target_arch = "x86_64", not(test)))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

/// Same landing pad: resolves `_Unwind_Resume` without pulling in libgcc_s.
#[cfg(all(target_arch = "x86_64", not(test)))]
#[no_mangle]
pub extern "C" fn _Unwind_Resume() -> ! {
    fatal()
}

pub use allocator::{fail_allocation, hold_heap_to_free, oom_events, reset_peak, usage};
