//! The reserve: a small arena the allocator falls back on once MicroPython's heap refuses a
//! request, so that the engine step under way can finish (Rust cannot fail an allocation
//! gracefully: a null pointer ends in the panic handler). The step then reports OUT_OF_MEMORY and
//! the shim raises MemoryError.
//!
//! A step may allocate and free many temporaries after the heap ran out (RSA key setup does), so
//! freed blocks are reused: first fit over blocks with a 16-byte header, neighbours merged on
//! free. Only used after an out-of-memory event, so a linear walk is fast enough.

use core::alloc::Layout;
use core::cell::UnsafeCell;

/// 16 KB on boards (32-bit: tests_fw walks a nearly full heap with RSA and ECDSA pairs); 24 KB on
/// 64-bit hosts, whose bignum digits and pointers are twice as wide: with 16 KB, a TLS 1.2 RSA
/// client+server pair in a 23 KB unix heap ran the reserve dry (tests_py/test_heap_sweep.py).
#[cfg(not(target_pointer_width = "64"))]
pub const RESERVE_BYTES: usize = 16 * 1024;
#[cfg(target_pointer_width = "64")]
pub const RESERVE_BYTES: usize = 24 * 1024;
/// Header before every block: its size (header included) and whether it is in use. Keeps every
/// payload 16-byte aligned.
const HEADER: usize = 16;
const ALIGN: usize = 16;

#[repr(C, align(16))]
struct Arena(UnsafeCell<[u8; RESERVE_BYTES]>);

pub struct Reserve {
    arena: Arena,
    /// False until the first use: the arena starts as one free block then.
    ready: UnsafeCell<bool>,
}

// SAFETY: every access happens with the allocator's LOCK held (see the callers' contracts).
unsafe impl Sync for Reserve {}

pub static RESERVE: Reserve =
    Reserve { arena: Arena(UnsafeCell::new([0; RESERVE_BYTES])), ready: UnsafeCell::new(false) };

impl Reserve {
    fn base(&self) -> usize {
        self.arena.0.get() as usize
    }

    pub fn owns(&self, ptr: *mut u8) -> bool {
        let p = ptr as usize;
        p >= self.base() && p < self.base() + RESERVE_BYTES
    }

    /// # Safety
    /// LOCK held; `offset` is the start of a block inside the arena.
    unsafe fn header(&self, offset: usize) -> (usize, bool) {
        // SAFETY: a block header is 16 bytes at a 16-aligned offset below RESERVE_BYTES.
        unsafe {
            let p = (self.base() + offset) as *const usize;
            (p.read(), p.add(1).read() != 0)
        }
    }

    /// # Safety
    /// LOCK held; `offset + HEADER <= RESERVE_BYTES`, 16-aligned.
    unsafe fn set_header(&self, offset: usize, size: usize, used: bool) {
        // SAFETY: as for `header`; the arena is ours while LOCK is held.
        unsafe {
            let p = (self.base() + offset) as *mut usize;
            p.write(size);
            p.add(1).write(usize::from(used));
        }
    }

    /// # Safety
    /// LOCK must be held.
    unsafe fn init(&self) {
        // SAFETY: LOCK is held, so the flag and the arena are ours.
        unsafe {
            if !*self.ready.get() {
                self.set_header(0, RESERVE_BYTES, false);
                *self.ready.get() = true;
            }
        }
    }

    /// A zeroed block for `layout`, or NULL when the reserve is full too.
    ///
    /// # Safety
    /// LOCK must be held.
    pub unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > ALIGN {
            // Rare: take room for the alignment and keep the block's payload just below.
            let Some(size) = layout.size().checked_add(layout.align()) else { return core::ptr::null_mut() };
            // SAFETY: forwarded contract.
            let block = unsafe { self.alloc_aligned16(size) };
            if block.is_null() {
                return block;
            }
            let aligned = (block as usize + ALIGN).next_multiple_of(layout.align());
            // SAFETY: `aligned - 8 >= block` and `aligned + size <= block + size + align`.
            unsafe { (aligned as *mut usize).sub(1).write(block as usize) };
            return aligned as *mut u8;
        }
        // SAFETY: forwarded contract.
        unsafe { self.alloc_aligned16(layout.size()) }
    }

    /// # Safety
    /// LOCK must be held.
    unsafe fn alloc_aligned16(&self, size: usize) -> *mut u8 {
        let Some(need) = size.max(1).checked_next_multiple_of(ALIGN).and_then(|s| s.checked_add(HEADER)) else {
            return core::ptr::null_mut();
        };
        // SAFETY: LOCK is held for everything below.
        unsafe {
            self.init();
            let mut offset = 0;
            while offset < RESERVE_BYTES {
                let (block, used) = self.header(offset);
                if block < HEADER || offset + block > RESERVE_BYTES {
                    return core::ptr::null_mut(); // never: the arena's blocks tile it exactly
                }
                if !used && block >= need {
                    if block - need >= HEADER + ALIGN {
                        self.set_header(offset + need, block - need, false);
                        self.set_header(offset, need, true);
                    } else {
                        self.set_header(offset, block, true);
                    }
                    let payload = (self.base() + offset + HEADER) as *mut u8;
                    core::ptr::write_bytes(payload, 0, size);
                    return payload;
                }
                offset += block;
            }
        }
        core::ptr::null_mut()
    }

    /// # Safety
    /// LOCK held; `ptr` from `alloc` with this `layout`, not freed yet.
    pub unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let payload = if layout.align() > ALIGN {
            // SAFETY: `alloc` stored the block's payload address just below `ptr`.
            unsafe { (ptr as *const usize).sub(1).read() }
        } else {
            ptr as usize
        };
        let Some(offset) = payload.checked_sub(self.base() + HEADER) else { return };
        // SAFETY: LOCK is held; `offset` is the start of the block `alloc` handed out.
        unsafe {
            let (size, _) = self.header(offset);
            self.set_header(offset, size, false);
            self.coalesce();
        }
    }

    /// Merges every run of free neighbours into one block.
    ///
    /// # Safety
    /// LOCK must be held.
    unsafe fn coalesce(&self) {
        let mut offset = 0;
        // SAFETY: LOCK is held; the walk follows block sizes, which tile the arena.
        unsafe {
            while offset < RESERVE_BYTES {
                let (size, used) = self.header(offset);
                if size < HEADER || offset + size > RESERVE_BYTES {
                    return;
                }
                let next = offset + size;
                if !used && next < RESERVE_BYTES {
                    let (next_size, next_used) = self.header(next);
                    if !next_used && next_size >= HEADER && next + next_size <= RESERVE_BYTES {
                        self.set_header(offset, size + next_size, false);
                        continue;
                    }
                }
                offset = next;
            }
        }
    }
}
