//! Figures about the workspaces, for tests and benchmarks. Boards have no `ussl._memory()`:
//! their tests read `ussl_engine_meters` through the symbol table (tests_fw/mpy/stack_probe.py),
//! as 32-bit words in the order of `Meters`' fields.

use core::sync::atomic::{AtomicU32, Ordering};

use super::sizes::{RESERVE, STACK};

#[repr(C)]
pub struct Meters {
    /// Set non-zero (tests, benchmarks): engine stacks are painted when a call takes them, and
    /// the deepest use kept in `stack_peak`.
    pub paint: AtomicU32,
    /// The workspace sizes: engine stack and reserve, Deep then Light (a Light reserve grows
    /// by what a connection's tickets may copy, see `crate::Need`).
    pub stack_size: [AtomicU32; 2],
    pub reserve_size: [AtomicU32; 2],
    /// Deepest engine stack use, most reserve lent in one call, for Deep then Light calls
    /// (reset by writing 0).
    pub stack_peak: [AtomicU32; 2],
    pub reserve_peak: [AtomicU32; 2],
    /// Workspaces taken from the heap; refused (no room: the call reported OUT_OF_MEMORY).
    pub taken: AtomicU32,
    pub refused: AtomicU32,
    /// Allocations the heap refused outside any engine call, where no reserve is at hand: each
    /// is a missing workspace (tests require none).
    pub outside: AtomicU32,
    /// Workspace blocks (stacks, arenas) that had to come from the heap: the others were spares
    /// that earlier calls gave back (mpy_module/workspace_blocks.c).
    pub heap_blocks: AtomicU32,
}

#[no_mangle]
pub static ussl_engine_meters: Meters = Meters {
    paint: AtomicU32::new(0),
    stack_size: [AtomicU32::new(STACK[0] as u32), AtomicU32::new(STACK[1] as u32)],
    reserve_size: [AtomicU32::new(RESERVE[0] as u32), AtomicU32::new(RESERVE[1] as u32)],
    stack_peak: [AtomicU32::new(0), AtomicU32::new(0)],
    reserve_peak: [AtomicU32::new(0), AtomicU32::new(0)],
    taken: AtomicU32::new(0),
    refused: AtomicU32::new(0),
    outside: AtomicU32::new(0),
    heap_blocks: AtomicU32::new(0),
};

pub fn meters() -> &'static Meters {
    &ussl_engine_meters
}

/// The meters as words, in their order; `reset_peaks` zeroes the peaks after reading them.
pub fn figures(reset_peaks: bool) -> [u32; crate::WORKSPACE_FIGURES] {
    let m = meters();
    let read = |a: &AtomicU32| a.load(Ordering::Relaxed);
    let out = [
        read(&m.paint),
        read(&m.stack_size[0]),
        read(&m.stack_size[1]),
        read(&m.reserve_size[0]),
        read(&m.reserve_size[1]),
        read(&m.stack_peak[0]),
        read(&m.stack_peak[1]),
        read(&m.reserve_peak[0]),
        read(&m.reserve_peak[1]),
        read(&m.taken),
        read(&m.refused),
        read(&m.outside),
        read(&m.heap_blocks),
    ];
    if reset_peaks {
        for peak in m.stack_peak.iter().chain(m.reserve_peak.iter()) {
            peak.store(0, Ordering::Relaxed);
        }
    }
    out
}

pub fn painting() -> bool {
    meters().paint.load(Ordering::Relaxed) != 0
}

pub fn note_peaks(kind: usize, stack: usize, reserve: usize) {
    let m = meters();
    if let (Some(s), Some(r)) = (m.stack_peak.get(kind), m.reserve_peak.get(kind)) {
        s.fetch_max(stack as u32, Ordering::Relaxed);
        r.fetch_max(reserve as u32, Ordering::Relaxed);
    }
}

pub fn count(counter: &AtomicU32) {
    counter.fetch_add(1, Ordering::Relaxed);
}
