//! A bump allocator over a static array: the bench's allocations are few and small.
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

const HEAP: usize = 120 * 1024;

struct Bump {
    heap: UnsafeCell<[u8; HEAP]>,
    next: UnsafeCell<usize>,
}

// SAFETY: the bench runs on one core with no interrupts.
unsafe impl Sync for Bump {}

#[global_allocator]
static ALLOC: Bump = Bump { heap: UnsafeCell::new([0; HEAP]), next: UnsafeCell::new(0) };

// SAFETY: hands out disjoint, aligned ranges of the array; never reuses memory.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let next = &mut *self.next.get();
        let base = self.heap.get() as usize;
        let start = (base + *next + layout.align() - 1) & !(layout.align() - 1);
        let end = start - base + layout.size();
        if end > HEAP {
            return core::ptr::null_mut();
        }
        *next = end;
        start as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}
