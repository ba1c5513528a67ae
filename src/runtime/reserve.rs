//! A reserve arena: memory the allocator falls back on once MicroPython's heap refuses a request,
//! so that the engine call under way can finish (Rust cannot fail an allocation gracefully: a
//! null pointer ends in the panic handler). The call then reports OUT_OF_MEMORY and the shim
//! raises MemoryError. Each engine call brings its own arena, taken from the heap when the call
//! starts (see `workspace`); this file is what lives inside one.
//!
//! A call may allocate and free many temporaries after the heap ran out (RSA key setup does), so
//! freed blocks are reused: first fit over blocks with a 16-byte header, neighbours merged on
//! free. Only used after an out-of-memory event, so a linear walk is fast enough.

use core::alloc::Layout;

/// Header before every block: its size (header included) and whether it is in use. Keeps every
/// payload 16-byte aligned.
const HEADER: usize = 16;
pub const ALIGN: usize = 16;

/// An arena over `size` bytes at `base` (16-byte aligned, a multiple of 16 long), which it tiles
/// with blocks. Whoever holds one has the memory to itself (the allocator's lock).
pub struct Arena {
    base: usize,
    size: usize,
    /// Bytes lent now and at most, headers included.
    in_use: usize,
    peak: usize,
}

impl Arena {
    /// # Safety
    /// `base` is 16-byte aligned and `size` bytes from it are writable, used by nothing else
    /// while the arena lives; `size` is a multiple of 16, at least 32.
    pub unsafe fn new(base: usize, size: usize) -> Self {
        let arena = Self { base, size, in_use: 0, peak: 0 };
        // SAFETY: the caller's contract; one free block tiles the arena.
        unsafe { arena.set_header(0, size, false) };
        arena
    }

    pub fn owns(&self, ptr: *mut u8) -> bool {
        (self.base..self.base + self.size).contains(&(ptr as usize))
    }

    pub fn in_use(&self) -> usize {
        self.in_use
    }

    pub fn peak(&self) -> usize {
        self.peak
    }

    /// Counts the peak afresh from what is lent now.
    pub fn reset_peak(&mut self) {
        self.peak = self.in_use;
    }

    /// # Safety
    /// `offset` is the start of a block inside the arena.
    unsafe fn header(&self, offset: usize) -> (usize, bool) {
        // SAFETY: a block header is 16 bytes at a 16-aligned offset below `size`.
        unsafe {
            let p = (self.base + offset) as *const usize;
            (p.read(), p.add(1).read() != 0)
        }
    }

    /// # Safety
    /// `offset + HEADER <= size`, 16-aligned.
    unsafe fn set_header(&self, offset: usize, size: usize, used: bool) {
        // SAFETY: as for `header`; the arena is ours.
        unsafe {
            let p = (self.base + offset) as *mut usize;
            p.write(size);
            p.add(1).write(usize::from(used));
        }
    }

    /// A zeroed block for `layout`, or NULL when the arena is full too.
    pub fn alloc(&mut self, layout: Layout) -> *mut u8 {
        if layout.align() > ALIGN {
            // Rare: take room for the alignment and keep the block's payload just below.
            let Some(size) = layout.size().checked_add(layout.align()) else { return core::ptr::null_mut() };
            let block = self.alloc_aligned16(size);
            if block.is_null() {
                return block;
            }
            let aligned = (block as usize + ALIGN).next_multiple_of(layout.align());
            // SAFETY: `aligned - 8 >= block` and `aligned + size <= block + size + align`.
            unsafe { (aligned as *mut usize).sub(1).write(block as usize) };
            return aligned as *mut u8;
        }
        self.alloc_aligned16(layout.size())
    }

    fn alloc_aligned16(&mut self, size: usize) -> *mut u8 {
        let Some(need) = size.max(1).checked_next_multiple_of(ALIGN).and_then(|s| s.checked_add(HEADER)) else {
            return core::ptr::null_mut();
        };
        let mut offset = 0;
        // SAFETY: the walk follows block sizes, which tile the arena.
        unsafe {
            while offset < self.size {
                let (block, used) = self.header(offset);
                if block < HEADER || offset + block > self.size {
                    return core::ptr::null_mut(); // never: the arena's blocks tile it exactly
                }
                if !used && block >= need {
                    let taken = if block - need >= HEADER + ALIGN {
                        self.set_header(offset + need, block - need, false);
                        need
                    } else {
                        block
                    };
                    self.set_header(offset, taken, true);
                    self.in_use += taken;
                    self.peak = self.peak.max(self.in_use);
                    let payload = (self.base + offset + HEADER) as *mut u8;
                    core::ptr::write_bytes(payload, 0, size);
                    return payload;
                }
                offset += block;
            }
        }
        core::ptr::null_mut()
    }

    /// # Safety
    /// `ptr` came from `alloc` with this `layout` and is not freed yet.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        let payload = if layout.align() > ALIGN {
            // SAFETY: `alloc` stored the block's payload address just below `ptr`.
            unsafe { (ptr as *const usize).sub(1).read() }
        } else {
            ptr as usize
        };
        let Some(offset) = payload.checked_sub(self.base + HEADER) else { return };
        // SAFETY: `offset` is the start of the block `alloc` handed out.
        unsafe {
            let (size, _) = self.header(offset);
            self.set_header(offset, size, false);
            self.in_use -= size;
            self.coalesce();
        }
    }

    /// Merges every run of free neighbours into one block.
    fn coalesce(&mut self) {
        let mut offset = 0;
        // SAFETY: the walk follows block sizes, which tile the arena.
        unsafe {
            while offset < self.size {
                let (size, used) = self.header(offset);
                if size < HEADER || offset + size > self.size {
                    return;
                }
                let next = offset + size;
                if !used && next < self.size {
                    let (next_size, next_used) = self.header(next);
                    if !next_used && next_size >= HEADER && next + next_size <= self.size {
                        self.set_header(offset, size + next_size, false);
                        continue;
                    }
                }
                offset = next;
            }
        }
    }
}
