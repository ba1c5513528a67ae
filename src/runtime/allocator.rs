//! The global allocator: every engine allocation lives on MicroPython's heap through
//! `m_tracked_calloc`/`m_tracked_free`, so `-X heapsize=` limits and leak checks mean on the
//! unix port what they mean on a board.
//!
//! Three things make this more than a call-through:
//! - the tracked list in the VM state has no lock of its own and the unix port runs threads
//!   without a GIL, so calls are serialised here by a spin lock that the owning thread may
//!   re-enter (a GC inside `m_tracked_calloc` can run a finaliser that frees engine memory);
//! - alignments above what the heap guarantees are served by over-allocating;
//! - when the heap is exhausted, a small reserve arena satisfies the rest of the current engine
//!   step so Rust never aborts; the step then reports OUT_OF_MEMORY (see `oom_events`) and the
//!   connection is dropped, which returns the reserve.
//!
//! Feature `malloc` (memory-checker builds only) takes the blocks from the C library instead,
//! where AddressSanitizer and valgrind see them; everything else here stays the same.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

#[cfg(not(feature = "malloc"))]
use micropython_sys::{m_tracked_calloc, m_tracked_free};

#[cfg(feature = "malloc")]
extern "C" {
    fn calloc(count: usize, size: usize) -> *mut core::ffi::c_void;
    fn free(ptr: *mut core::ffi::c_void);
}

use super::reserve::RESERVE;

extern "C" {
    /// A number that identifies the calling MicroPython thread (never 0).
    pub(super) fn ussl_port_thread_id() -> usize;
    /// Non-zero while this thread is inside a garbage collection (its finalisers run there).
    fn ussl_port_collecting() -> i32;
}

/// What the tracked heap guarantees: its node header is two pointers after a GC block.
const HEAP_ALIGN: usize = 2 * core::mem::size_of::<usize>();

struct TrackedHeap;

#[global_allocator]
static ALLOCATOR: TrackedHeap = TrackedHeap;

/// Allocations the heap refused (served from the reserve instead, or failed), counted per
/// thread: an engine step compares its own thread's count before and after, so one thread
/// running out of memory does not fail another thread's connection. Threads beyond the table
/// share its last slot (a refusal there may fail a neighbour's step, never go unnoticed).
const OOM_SLOTS: usize = 16;
static OOM_OWNER: [AtomicUsize; OOM_SLOTS] = [const { AtomicUsize::new(0) }; OOM_SLOTS];
static OOM_COUNT: [AtomicUsize; OOM_SLOTS] = [const { AtomicUsize::new(0) }; OOM_SLOTS];

/// This thread's slot, claimed on first use.
fn oom_slot() -> &'static AtomicUsize {
    // SAFETY: the shim's hook has no preconditions.
    let me = unsafe { ussl_port_thread_id() };
    // The last slot is shared by the threads that find no free one.
    const SHARED: usize = OOM_SLOTS - 1;
    for (owner, count) in OOM_OWNER.iter().zip(OOM_COUNT.iter()).take(SHARED) {
        let current = owner.load(Ordering::Acquire);
        if current == me
            || (current == 0
                && owner
                    .compare_exchange(0, me, Ordering::AcqRel, Ordering::Acquire)
                    .map_or_else(|o| o == me, |_| true))
        {
            return count;
        }
    }
    &OOM_COUNT[SHARED]
}

/// Holds the heap lock to free a handle. Outside a garbage collection that waits for the lock
/// (another thread holds it only for an allocation, which ends). A finaliser runs inside a GC
/// that holds MicroPython's GC lock; if another thread holds our lock it may be waiting for
/// that GC lock, so a finaliser must not wait for ours: None then (see `deferred`).
pub fn hold_heap_to_free() -> Option<Guard> {
    // SAFETY: the shim's hook has no preconditions.
    if unsafe { ussl_port_collecting() } != 0 {
        LOCK.try_lock()
    } else {
        Some(LOCK.lock())
    }
}

pub fn oom_events() -> usize {
    oom_slot().load(Ordering::Relaxed)
}

/// Bytes the engine holds now and at most since the last reset (as requested, before the
/// heap's own rounding): what `make bench` reports as the engine's memory.
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

pub fn usage() -> (usize, usize) {
    (CURRENT.load(Ordering::Relaxed), PEAK.load(Ordering::Relaxed))
}

/// Fault injection (feature `alloc-faults`, the unix test build only): the heap refuses the
/// allocation numbered FAIL_AT (counted from the engine's start), as if it were full, so each
/// allocation point's out-of-memory path can be walked (tests_py/test_alloc_faults.py).
#[cfg(feature = "alloc-faults")]
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
#[cfg(feature = "alloc-faults")]
static FAIL_AT: AtomicUsize = AtomicUsize::new(0);

/// Makes the `n`th allocation from now fail on the heap (0: none); returns how many allocations
/// the engine has made so far, or None without the feature.
pub fn fail_allocation(n: usize) -> Option<usize> {
    #[cfg(feature = "alloc-faults")]
    {
        let count = ALLOCATIONS.load(Ordering::Relaxed);
        FAIL_AT.store(if n == 0 { 0 } else { count + n }, Ordering::Relaxed);
        Some(count)
    }
    #[cfg(not(feature = "alloc-faults"))]
    {
        let _ = n;
        None
    }
}

/// True when this allocation is the one to refuse.
fn injected_failure() -> bool {
    #[cfg(feature = "alloc-faults")]
    {
        let n = ALLOCATIONS.fetch_add(1, Ordering::Relaxed) + 1;
        n == FAIL_AT.load(Ordering::Relaxed)
    }
    #[cfg(not(feature = "alloc-faults"))]
    false
}

pub fn reset_peak() {
    PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
}

fn count_alloc(size: usize) {
    let now = CURRENT.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

/// A spin lock that the thread holding it may take again.
struct ReentrantLock {
    owner: AtomicUsize,
    depth: UnsafeCell<usize>,
}

// SAFETY: `depth` is only touched by the thread that owns the lock (owner == its id).
unsafe impl Sync for ReentrantLock {}

static LOCK: ReentrantLock = ReentrantLock { owner: AtomicUsize::new(0), depth: UnsafeCell::new(0) };

pub struct Guard;

impl ReentrantLock {
    /// The lock if this thread holds it already or it is free; None if another thread holds it.
    fn try_lock(&self) -> Option<Guard> {
        // SAFETY: the shim's hook has no preconditions.
        let me = unsafe { ussl_port_thread_id() };
        if self.owner.load(Ordering::Acquire) != me
            && self.owner.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed).is_err()
        {
            return None;
        }
        // SAFETY: this thread owns the lock, so no other thread touches `depth`.
        unsafe { *self.depth.get() += 1 };
        Some(Guard)
    }

    fn lock(&self) -> Guard {
        // SAFETY: the shim's hook has no preconditions.
        let me = unsafe { ussl_port_thread_id() };
        if self.owner.load(Ordering::Acquire) != me {
            while self.owner.compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed).is_err() {
                core::hint::spin_loop();
            }
        }
        // SAFETY: this thread owns the lock, so no other thread touches `depth`.
        unsafe { *self.depth.get() += 1 };
        Guard
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // SAFETY: a Guard exists only while this thread owns LOCK.
        unsafe {
            let depth = LOCK.depth.get();
            *depth -= 1;
            if *depth == 0 {
                LOCK.owner.store(0, Ordering::Release);
            }
        }
    }
}

// SAFETY: `alloc` returns NULL or a block of at least `layout.size()` bytes aligned to
// `layout.align()` (the heap's own alignment, or an aligned spot inside a larger block, or the
// reserve arena rounded up to the alignment) that nothing else uses until `dealloc`, which
// returns each block to where it came from.
unsafe impl GlobalAlloc for TrackedHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _guard = LOCK.lock();
        let ptr = if injected_failure() {
            core::ptr::null_mut()
        } else if layout.align() <= HEAP_ALIGN {
            heap_calloc(layout.size().max(1))
        } else {
            // Over-allocate, align inside the block and keep the block's address just below.
            let extra = layout.align() + core::mem::size_of::<usize>();
            match layout.size().checked_add(extra) {
                // SAFETY: as above.
                Some(total) => unsafe { over_aligned(total, layout.align()) },
                None => core::ptr::null_mut(),
            }
        };
        if !ptr.is_null() {
            count_alloc(layout.size());
            return ptr;
        }
        oom_slot().fetch_add(1, Ordering::Relaxed);
        // SAFETY: LOCK is held by `_guard`.
        let ptr = unsafe { RESERVE.alloc(layout) };
        if !ptr.is_null() {
            count_alloc(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _guard = LOCK.lock();
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        if RESERVE.owns(ptr) {
            // SAFETY: LOCK is held and `ptr` came from the arena with this layout.
            unsafe { RESERVE.dealloc(ptr, layout) };
        } else if layout.align() <= HEAP_ALIGN {
            // SAFETY: `ptr` came from heap_calloc in `alloc` with this layout.
            unsafe { heap_free(ptr) };
        } else {
            // SAFETY: `alloc` stored the block's address in the word just below `ptr`; that
            // block came from heap_calloc.
            unsafe { heap_free(ptr.cast::<usize>().sub(1).read_unaligned() as *mut u8) };
        }
    }
}

/// A block from MicroPython's heap, or NULL. The allocation may start a garbage collection,
/// which must see the C stack: on boards it is made from there (see `engine_stack`).
#[cfg(not(feature = "malloc"))]
fn heap_calloc(size: usize) -> *mut u8 {
    // SAFETY: m_tracked_calloc may be called with any size; it returns NULL on failure.
    super::engine_stack::on_c_stack(|| unsafe { m_tracked_calloc(1, size) }.cast::<u8>())
}

#[cfg(feature = "malloc")]
fn heap_calloc(size: usize) -> *mut u8 {
    // SAFETY: calloc may be called with any size; it returns NULL on failure. Its blocks are
    // aligned for any fundamental type (16 bytes on the hosts this feature is for).
    unsafe { calloc(1, size) }.cast::<u8>()
}

/// # Safety
/// `block` came from heap_calloc and is not used again.
#[cfg(not(feature = "malloc"))]
unsafe fn heap_free(block: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { m_tracked_free(block.cast()) }
}

/// # Safety
/// `block` came from heap_calloc and is not used again.
#[cfg(feature = "malloc")]
unsafe fn heap_free(block: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { free(block.cast()) }
}

/// # Safety
/// Must be called with LOCK held; `total` leaves room for the alignment and the back pointer.
unsafe fn over_aligned(total: usize, align: usize) -> *mut u8 {
    let block = heap_calloc(total);
    if block.is_null() {
        return block;
    }
    let aligned = (block as usize + core::mem::size_of::<usize>()).next_multiple_of(align);
    let ptr = aligned as *mut u8;
    // SAFETY: `aligned - size_of::<usize>() >= block` and `aligned + size <= block + total`, so
    // the back pointer and the user's bytes lie inside the block.
    unsafe { ptr.cast::<usize>().sub(1).write_unaligned(block as usize) };
    ptr
}
