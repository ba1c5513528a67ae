//! MicroPython's heap as the engine reaches it: the tracked allocation calls, the lock that
//! serialises them, and the thread hooks the shim gives. The allocator and the workspaces are
//! built on these.
//!
//! The tracked list in the VM state is linked without a lock of its own on older trees and the
//! unix port runs threads without a GIL, so every call here is made under `lock()`, a spin lock
//! that the owning thread may re-enter (a GC inside `m_tracked_calloc` can run a finaliser that
//! frees engine memory).
//!
//! Feature `malloc` (memory-checker builds only) takes the blocks from the C library instead,
//! where AddressSanitizer and valgrind see them.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

#[cfg(not(feature = "malloc"))]
use micropython_sys::{m_tracked_calloc, m_tracked_free};

#[cfg(feature = "malloc")]
extern "C" {
    fn calloc(count: usize, size: usize) -> *mut core::ffi::c_void;
    #[link_name = "free"]
    fn c_free(ptr: *mut core::ffi::c_void);
}

extern "C" {
    /// A number that identifies the calling MicroPython thread (never 0).
    fn ussl_port_thread_id() -> usize;
    /// Non-zero while this thread is inside a garbage collection (its finalisers run there).
    fn ussl_port_collecting() -> i32;
}

#[cfg(not(feature = "malloc"))]
extern "C" {
    /// A block of at least `size` bytes, 16-byte aligned, for a workspace, held until
    /// `ussl_port_ws_release`: a spare that earlier calls gave back, or a new one from
    /// MicroPython's heap (mpy_module/workspace_blocks.c), which sets `*from_heap`; NULL when the
    /// heap has no room.
    fn ussl_port_ws_block(size: usize, from_heap: *mut bool) -> *mut u8;
    /// Gives a block from `ussl_port_ws_block` back; it may serve the next call until the next
    /// garbage collection frees it.
    fn ussl_port_ws_release(block: *mut u8);
}

/// What the tracked heap guarantees: its node header is two pointers after a GC block.
pub const HEAP_ALIGN: usize = 2 * core::mem::size_of::<usize>();

pub fn thread_id() -> usize {
    // SAFETY: the shim's hook has no preconditions.
    unsafe { ussl_port_thread_id() }
}

pub fn collecting() -> bool {
    // SAFETY: the shim's hook has no preconditions.
    unsafe { ussl_port_collecting() != 0 }
}

/// A spin lock that the thread holding it may take again.
struct ReentrantLock {
    owner: AtomicUsize,
    depth: UnsafeCell<usize>,
}

// SAFETY: `depth` is only touched by the thread that owns the lock (owner == its id).
unsafe impl Sync for ReentrantLock {}

static LOCK: ReentrantLock = ReentrantLock { owner: AtomicUsize::new(0), depth: UnsafeCell::new(0) };

/// Proof that this thread holds the heap lock.
pub struct Guard;

/// The heap lock, waiting for it.
pub fn lock() -> Guard {
    let me = thread_id();
    if LOCK.owner.load(Ordering::Acquire) != me {
        while LOCK.owner.compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed).is_err() {
            core::hint::spin_loop();
        }
    }
    // SAFETY: this thread owns the lock, so no other thread touches `depth`.
    unsafe { *LOCK.depth.get() += 1 };
    Guard
}

/// The heap lock if this thread holds it already or it is free; None if another thread holds it.
pub fn try_lock() -> Option<Guard> {
    let me = thread_id();
    if LOCK.owner.load(Ordering::Acquire) != me
        && LOCK.owner.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed).is_err()
    {
        return None;
    }
    // SAFETY: this thread owns the lock, so no other thread touches `depth`.
    unsafe { *LOCK.depth.get() += 1 };
    Some(Guard)
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

/// A zeroed block from MicroPython's heap, or NULL. The allocation may start a garbage
/// collection, which scans the stack it runs on: call it on the C stack (see `workspace`).
#[cfg(not(feature = "malloc"))]
pub fn calloc_here(_: &Guard, size: usize) -> *mut u8 {
    // SAFETY: m_tracked_calloc may be called with any size; it returns NULL on failure.
    unsafe { m_tracked_calloc(1, size) }.cast::<u8>()
}

#[cfg(feature = "malloc")]
pub fn calloc_here(_: &Guard, size: usize) -> *mut u8 {
    // SAFETY: calloc may be called with any size; it returns NULL on failure. Its blocks are
    // aligned for any fundamental type (16 bytes on the hosts this feature is for).
    unsafe { calloc(1, size) }.cast::<u8>()
}

/// # Safety
/// `block` came from `calloc_here` and is not used again.
#[cfg(not(feature = "malloc"))]
pub unsafe fn free(_: &Guard, block: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { m_tracked_free(block.cast()) }
}

/// # Safety
/// `block` came from `calloc_here` and is not used again.
#[cfg(feature = "malloc")]
pub unsafe fn free(_: &Guard, block: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { c_free(block.cast()) }
}

/// A block of at least `size` bytes (16-byte aligned, its contents whatever the last user left)
/// for a workspace's stack or arena, or NULL. Taking a spare is cheap; a new block may start a
/// garbage collection, as `calloc_here` may.
#[cfg(not(feature = "malloc"))]
pub fn workspace_block(_: &Guard, size: usize) -> *mut u8 {
    let mut from_heap = false;
    // SAFETY: the shim's hook takes any size and returns NULL on failure; `from_heap` is ours.
    let block = unsafe { ussl_port_ws_block(size, &mut from_heap) };
    if from_heap {
        super::meters::count(&super::meters::meters().heap_blocks);
    }
    block
}

#[cfg(feature = "malloc")]
pub fn workspace_block(g: &Guard, size: usize) -> *mut u8 {
    let block = calloc_here(g, size);
    if !block.is_null() {
        super::meters::count(&super::meters::meters().heap_blocks);
    }
    block
}

/// # Safety
/// `block` came from `workspace_block` and is not used again.
#[cfg(not(feature = "malloc"))]
pub unsafe fn release_workspace_block(_: &Guard, block: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { ussl_port_ws_release(block) }
}

/// # Safety
/// `block` came from `workspace_block` and is not used again.
#[cfg(feature = "malloc")]
pub unsafe fn release_workspace_block(g: &Guard, block: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { free(g, block) }
}
