//! Frees that must not wait. The shim's finalisers free engine handles from inside a garbage
//! collection, which holds MicroPython's GC lock. If another thread holds the engine's heap
//! lock at that moment, it may itself be waiting for the GC lock, and freeing would deadlock.
//! Such a free is parked here instead and done by the next handle creation, outside any GC.
//! Every other free (close(), a context dropped by the script) waits for the lock and happens
//! at once: parked, a closed connection's memory would stay held until some later connection.

use crate::sync::SpinLock;

type Freer = unsafe fn(*mut ());

/// A parked free: the handle and the function that frees it.
#[derive(Clone, Copy)]
struct Parked(*mut (), Freer);

// SAFETY: a parked handle is owned by nobody else any more; it is only ever freed once, by
// whichever thread drains the list.
unsafe impl Send for Parked {}

/// Frees parked at once; when full, a handle is leaked rather than risk the deadlock.
const CAPACITY: usize = 32;

static PARKED: SpinLock<[Option<Parked>; CAPACITY]> = SpinLock::new([None; CAPACITY]);

/// How many frees were ever parked (tests: a free outside a GC never is).
static PARKED_EVER: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

pub fn parked_ever() -> usize {
    PARKED_EVER.load(core::sync::atomic::Ordering::Relaxed)
}

/// Frees `ptr` with `drop` now, or parks it when it is freed inside a garbage collection while
/// another thread holds the heap.
///
/// # Safety
/// `ptr` must be a live handle that `drop` frees, and nothing may use it afterwards.
pub unsafe fn free_or_defer(ptr: *mut (), drop: Freer) {
    #[cfg(feature = "micropython")]
    {
        let Some(_heap) = crate::runtime::hold_heap_to_free() else {
            PARKED_EVER.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
            let mut parked = PARKED.lock();
            if let Some(slot) = parked.iter_mut().find(|s| s.is_none()) {
                *slot = Some(Parked(ptr, drop));
            }
            return;
        };
        // SAFETY: forwarded caller guarantee; the heap lock is ours (re-entrantly) meanwhile.
        unsafe { drop(ptr) };
    }
    #[cfg(not(feature = "micropython"))]
    // SAFETY: forwarded caller guarantee.
    unsafe {
        drop(ptr)
    };
}

/// Frees what was parked. Called where no GC can be running on this thread's behalf.
pub fn drain() {
    // Take the list out first: freeing may enter the GC, and nothing may wait on this lock
    // while a GC runs.
    let parked = core::mem::replace(&mut *PARKED.lock(), [None; CAPACITY]);
    for Parked(ptr, drop) in parked.into_iter().flatten() {
        // SAFETY: `free_or_defer` parked a live handle with the function that frees it, and
        // took it out of the list exactly once.
        unsafe { drop(ptr) };
    }
}
