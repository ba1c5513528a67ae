//! The global allocator: every engine allocation lives on MicroPython's heap through
//! `m_tracked_calloc`/`m_tracked_free` (`heap`), so `-X heapsize=` limits and leak checks mean on
//! the unix port what they mean on a board.
//!
//! Beyond a call-through:
//! - calls are serialised by the heap lock (`heap`);
//! - alignments above what the heap guarantees are served by over-allocating;
//! - when the heap is exhausted, the reserve arena of the engine call under way satisfies the
//!   rest of the call so Rust never aborts (`workspace`); the call then reports OUT_OF_MEMORY
//!   (see `oom_events`) and what it built is dropped, which returns what the arena lent.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

use super::heap::{self, Guard, HEAP_ALIGN};
use super::{arenas, workspace};

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
    let me = heap::thread_id();
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
    if heap::collecting() {
        heap::try_lock()
    } else {
        Some(heap::lock())
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
/// With FAIL_AT: every allocation from that one on fails too (the heap ran dry), until reset.
#[cfg(feature = "alloc-faults")]
static FAIL_ON: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Makes the `n`th allocation from now fail on the heap (0: none), and with `from_then_on` every
/// one after it too; returns how many allocations the engine has made so far, or None without
/// the feature.
pub fn fail_allocation(n: usize, from_then_on: bool) -> Option<usize> {
    #[cfg(feature = "alloc-faults")]
    {
        let count = ALLOCATIONS.load(Ordering::Relaxed);
        FAIL_ON.store(from_then_on, Ordering::Relaxed);
        FAIL_AT.store(if n == 0 { 0 } else { count + n }, Ordering::Relaxed);
        Some(count)
    }
    #[cfg(not(feature = "alloc-faults"))]
    {
        let _ = (n, from_then_on);
        None
    }
}

/// True when this allocation is the one to refuse.
fn injected_failure() -> bool {
    #[cfg(feature = "alloc-faults")]
    {
        let n = ALLOCATIONS.fetch_add(1, Ordering::Relaxed) + 1;
        let at = FAIL_AT.load(Ordering::Relaxed);
        n == at || (at != 0 && n > at && FAIL_ON.load(Ordering::Relaxed))
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

// SAFETY: `alloc` returns NULL or a block of at least `layout.size()` bytes aligned to
// `layout.align()` (the heap's own alignment, or an aligned spot inside a larger block, or the
// reserve arena rounded up to the alignment) that nothing else uses until `dealloc`, which
// returns each block to where it came from.
unsafe impl GlobalAlloc for TrackedHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let guard = heap::lock();
        let ptr = if injected_failure() {
            core::ptr::null_mut()
        } else if layout.align() <= HEAP_ALIGN {
            heap_calloc(&guard, layout.size().max(1))
        } else {
            // Over-allocate, align inside the block and keep the block's address just below.
            let extra = layout.align() + core::mem::size_of::<usize>();
            match layout.size().checked_add(extra) {
                // SAFETY: as above.
                Some(total) => unsafe { over_aligned(&guard, total, layout.align()) },
                None => core::ptr::null_mut(),
            }
        };
        if !ptr.is_null() {
            count_alloc(layout.size());
            return ptr;
        }
        oom_slot().fetch_add(1, Ordering::Relaxed);
        let ptr = workspace::lend(&guard, layout);
        if !ptr.is_null() {
            count_alloc(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let guard = heap::lock();
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        if unsafe { arenas::take_back(&guard, ptr, layout) } {
            return;
        }
        if layout.align() <= HEAP_ALIGN {
            // SAFETY: `ptr` came from heap_calloc in `alloc` with this layout.
            unsafe { heap::free(&guard, ptr) };
        } else {
            // SAFETY: `alloc` stored the block's address in the word just below `ptr`; that
            // block came from heap_calloc.
            unsafe { heap::free(&guard, ptr.cast::<usize>().sub(1).read_unaligned() as *mut u8) };
        }
    }
}

/// A block from MicroPython's heap, or NULL. The allocation may start a garbage collection,
/// which must see the C stack: on boards it is made from there.
fn heap_calloc(g: &Guard, size: usize) -> *mut u8 {
    workspace::on_c_stack(|| heap::calloc_here(g, size))
}

/// # Safety
/// `total` leaves room for the alignment and the back pointer.
unsafe fn over_aligned(g: &Guard, total: usize, align: usize) -> *mut u8 {
    let block = heap_calloc(g, total);
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
