//! The engine's own stack on boards. rustls and the elliptic-curve code keep large values on the
//! stack (a client's first step reaches about 12 KB on Cortex-M), while an RP2's whole C stack
//! is 8 KB. So every call from the shim runs on a separate, static stack, and the C stack below
//! the shim's entry point holds only a trampoline frame.
//!
//! One rule keeps MicroPython's garbage collector right: it scans the C stack from the current
//! stack pointer up to the top it knows. A collection may start inside an allocation, so the
//! allocator hops back to the C stack (below the trampoline's frame, which is free) for every
//! call into the heap; the engine stack itself holds no Python object and needs no scanning.
//!
//! Calls nest (a finaliser that a collection runs may free an engine handle): a call made while
//! this thread is already inside the engine runs on the stack it is on. A call from another
//! thread while the engine stack is taken runs on that thread's own stack (boards with threads
//! and TLS in several of them at once need stacks sized for it).
//!
//! On hosted targets (the unix port, 8 MB stacks) calls run where they are.

#[cfg(any(target_arch = "arm", target_arch = "riscv32"))]
mod switching {
    use core::cell::UnsafeCell;
    use core::sync::atomic::{AtomicUsize, Ordering};

    /// Size of the engine stack. The deepest handshake measured in the emulator (tests_fw,
    /// BENCHMARKS.md) must stay well inside it: a TLS 1.2 client verifying a P-384 chain reaches
    /// 16.7 KB on the Cortex-M0+ (ussl-arith's P-384), 2 KB margin kept.
    pub const ENGINE_STACK_BYTES: usize = 19 * 1024;

    #[repr(C, align(16))]
    pub struct EngineStack(UnsafeCell<[u8; ENGINE_STACK_BYTES]>);

    // SAFETY: the bytes are only touched as a call stack by the one thread that owns OWNER.
    unsafe impl Sync for EngineStack {}

    #[no_mangle]
    pub static ussl_engine_stack: EngineStack = EngineStack(UnsafeCell::new([0; ENGINE_STACK_BYTES]));

    /// The thread that is running on the engine stack (0: nobody).
    static OWNER: AtomicUsize = AtomicUsize::new(0);
    /// Where the owner's C stack pointer was when it switched: the allocator's way back.
    static C_STACK: AtomicUsize = AtomicUsize::new(0);

    use super::super::allocator::ussl_port_thread_id;

    fn bounds() -> (usize, usize) {
        let base = ussl_engine_stack.0.get() as usize;
        (base, base + ENGINE_STACK_BYTES)
    }

    #[inline(always)]
    fn stack_pointer() -> usize {
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

    fn on_engine_stack() -> bool {
        let (lo, hi) = bounds();
        (lo..hi).contains(&stack_pointer())
    }

    /// Takes the engine stack for this thread. False when it is taken (by this thread, which is
    /// then already inside the engine, or by another).
    fn acquire(me: usize) -> bool {
        #[cfg(target_has_atomic = "ptr")]
        {
            OWNER.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed).is_ok()
        }
        #[cfg(not(target_has_atomic = "ptr"))]
        {
            // Cores without compare-and-swap (Cortex-M0+): a load and a store order the calls
            // of one thread; a second thread that races here may share the stack (see the
            // README on threads).
            if OWNER.load(Ordering::Acquire) != 0 {
                return false;
            }
            OWNER.store(me, Ordering::Release);
            true
        }
    }

    /// Calls `job(data)` with the stack pointer at `top`, and restores it afterwards.
    ///
    /// # Safety
    /// `top` must be the aligned top of memory that nothing else uses during the call and that
    /// is large enough for it; `job` must be safe to call with `data`.
    unsafe fn call_with_stack(top: usize, job: unsafe extern "C" fn(*mut u8), data: *mut u8) {
        #[cfg(target_arch = "arm")]
        // SAFETY: r4 is callee-saved, so it still holds the old stack pointer when `job`
        // returns; every register the C ABI lets `job` clobber is declared clobbered.
        unsafe {
            core::arch::asm!(
                "mov r4, sp",
                "mov sp, {top}",
                "blx {job}",
                "mov sp, r4",
                top = in(reg) top,
                job = in(reg) job,
                inout("r0") data => _,
                out("r4") _,
                clobber_abi("C"),
            );
        }
        #[cfg(target_arch = "riscv32")]
        // SAFETY: s2 is callee-saved, so it still holds the old stack pointer when `job`
        // returns; every register the C ABI lets `job` clobber is declared clobbered.
        unsafe {
            core::arch::asm!(
                "mv s2, sp",
                "mv sp, {top}",
                "jalr {job}",
                "mv sp, s2",
                top = in(reg) top,
                job = in(reg) job,
                inout("a0") data => _,
                out("s2") _,
                clobber_abi("C"),
            );
        }
    }

    /// Runs `job` with the stack pointer at `top`. One non-generic function for every call, so
    /// the switch costs its code once.
    fn run_at(top: usize, job: &mut dyn FnMut()) {
        unsafe extern "C" fn trampoline(data: *mut u8) {
            // SAFETY: `data` points to the `&mut dyn FnMut()` in `run_at`'s frame, which
            // outlives this call, and nothing else touches it meanwhile.
            let job = unsafe { &mut *data.cast::<&mut dyn FnMut()>() };
            job();
        }
        let mut job = job;
        // SAFETY: `top` is free stack per our callers; the trampoline matches `data`'s type.
        unsafe { call_with_stack(top, trampoline, (&mut job as *mut &mut dyn FnMut()).cast()) };
    }

    /// Runs `f` through `enter` and returns its result; the generic part is only this.
    #[inline(always)]
    fn call_via<R>(enter: fn(&mut dyn FnMut()), f: impl FnOnce() -> R) -> R {
        let mut f = Some(f);
        let mut out = None;
        enter(&mut || {
            if let Some(f) = f.take() {
                out = Some(f());
            }
        });
        match out {
            Some(r) => r,
            // The job always runs (panic = abort: it cannot stop half way).
            None => crate::runtime::fatal(),
        }
    }

    fn enter_engine(job: &mut dyn FnMut()) {
        // SAFETY: the shim's hook has no preconditions.
        let me = unsafe { ussl_port_thread_id() };
        if !acquire(me) {
            return job();
        }
        C_STACK.store(stack_pointer(), Ordering::Relaxed);
        run_at(bounds().1, job);
        OWNER.store(0, Ordering::Release);
    }

    fn enter_c_stack(job: &mut dyn FnMut()) {
        if !on_engine_stack() {
            return job();
        }
        // Below the trampoline's frame the C stack is free while the engine runs; leave a
        // little room under the saved pointer and keep the ABI's 16-byte alignment.
        run_at((C_STACK.load(Ordering::Relaxed) - 64) & !15, job);
    }

    pub fn run<R>(f: impl FnOnce() -> R) -> R {
        call_via(enter_engine, f)
    }

    /// Runs `f` (a call into MicroPython's heap) on the C stack when called on the engine stack.
    pub fn on_c_stack<R>(f: impl FnOnce() -> R) -> R {
        call_via(enter_c_stack, f)
    }
}

#[cfg(any(target_arch = "arm", target_arch = "riscv32"))]
pub use switching::{on_c_stack, run};

/// Hosted targets: calls run where they are.
#[cfg(not(any(target_arch = "arm", target_arch = "riscv32")))]
pub fn run<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(not(any(target_arch = "arm", target_arch = "riscv32")))]
#[cfg_attr(feature = "malloc", allow(dead_code))] // malloc needs no C stack
pub fn on_c_stack<R>(f: impl FnOnce() -> R) -> R {
    f()
}
