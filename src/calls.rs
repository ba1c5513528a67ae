//! How an engine call runs inside MicroPython: with a workspace taken from the heap for it
//! (`engine_call`), allocations that may fail kept away from its reserve (`fallibly`), and the
//! out-of-memory bookkeeping every step does; outside MicroPython (host tests) these just run.

use crate::result;
#[cfg(feature = "micropython")]
use crate::runtime;

/// What an engine call needs beside the heap (see `runtime::workspace`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Need {
    /// Handshake steps and whatever parses certificates, keys and sessions.
    Deep,
    /// Records on an established connection; its reserve grows by `extra` bytes, what the
    /// connection may copy when a record comes (its plaintext; and a TLS 1.3 client keeps the
    /// server's chain with each ticket).
    Light { extra: usize },
}

/// Runs an engine call with its workspace (a reserve for a full heap and, on boards, a stack of
/// its own), taken from MicroPython's heap for the call; OUT_OF_MEMORY, without running `f`,
/// when the heap has no room for it; IN_CALLBACK, without running `f`, from inside a script's
/// callback that runs in the middle of an engine call. Outside MicroPython `f` just runs.
pub fn engine_call(need: Need, f: impl FnOnce() -> u32) -> u32 {
    #[cfg(feature = "micropython")]
    {
        let mut f = Some(f);
        let mut out = None;
        let ran = runtime::workspace::run(need, &mut || {
            if let Some(f) = f.take() {
                out = Some(f());
            }
        });
        match ran {
            Ok(()) => {}
            Err(runtime::workspace::NotRun::NoRoom) => return result::UsslResult::OutOfMemory as u32,
            Err(runtime::workspace::NotRun::InCallback) => return result::UsslResult::InCallback as u32,
        }
        // The job always runs once it has its workspace (panic = abort: it cannot stop half way).
        out.unwrap_or_else(|| runtime::fatal())
    }
    #[cfg(not(feature = "micropython"))]
    {
        let _ = need;
        f()
    }
}

/// Runs `f`, an allocation that handles its own failure (`try_reserve`), with the reserve out
/// of reach: when the heap refuses it, it fails instead of borrowing reserve memory that the
/// buffer would then keep (the reserve is for allocations that cannot fail).
pub fn fallibly<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(feature = "micropython")]
    {
        runtime::workspace::without_reserve(f)
    }
    #[cfg(not(feature = "micropython"))]
    {
        f()
    }
}

/// A watch on the heap over a piece of work: started before it, asked after it whether the heap
/// refused an allocation meanwhile (the reserve lent it). The one place where out-of-memory
/// events are counted before and after: a step that sees it ran dry reports OUT_OF_MEMORY
/// instead of carrying on, and lets go of what it built (the reserve is for finishing a step,
/// not for what a context or handle keeps).
pub struct HeapWatch(usize);

impl HeapWatch {
    pub fn start() -> Self {
        Self(oom_events())
    }

    pub fn ran_dry(&self) -> bool {
        oom_events() != self.0
    }
}

/// Runs `f` under a [`HeapWatch`]: its value, and whether the heap ran dry meanwhile. (A
/// constructor that returns a large value starts a watch itself and returns the value as it is:
/// moved through this tuple it costs code on a board.)
pub fn heap_ran_dry_during<R>(f: impl FnOnce() -> R) -> (R, bool) {
    let watch = HeapWatch::start();
    let value = f();
    (value, watch.ran_dry())
}

/// Runs `f`, and gives OUT_OF_MEMORY instead of its value when the heap refused an allocation
/// meanwhile: what `f` built is dropped, so that nothing a context or handle keeps holds
/// reserve memory.
pub fn unless_heap_ran_dry<T>(f: impl FnOnce() -> Result<T, result::UsslResult>) -> Result<T, result::UsslResult> {
    match heap_ran_dry_during(f) {
        (made, false) => made,
        (made, true) => {
            drop(made);
            Err(result::UsslResult::OutOfMemory)
        }
    }
}

/// How many times the heap has refused an allocation so far (served from the reserve); read
/// only by `heap_ran_dry_during`.
fn oom_events() -> usize {
    #[cfg(feature = "micropython")]
    {
        runtime::oom_events()
    }
    #[cfg(not(feature = "micropython"))]
    {
        0
    }
}

/// (bytes held now, most held since the last `reset_memory_peak`) by the engine; zeros on the
/// host, where std's allocator is used.
pub fn memory_usage() -> (usize, usize) {
    #[cfg(feature = "micropython")]
    {
        runtime::usage()
    }
    #[cfg(not(feature = "micropython"))]
    {
        (0, 0)
    }
}

/// Fault injection for tests (feature `alloc-faults`): the `n`th engine allocation from now is
/// refused by the heap (0: none). Returns the allocations made so far, or None when the build
/// has no fault injection.
pub fn fail_allocation(n: usize, from_then_on: bool) -> Option<usize> {
    #[cfg(feature = "micropython")]
    {
        runtime::fail_allocation(n, from_then_on)
    }
    #[cfg(not(feature = "micropython"))]
    {
        let _ = (n, from_then_on);
        None
    }
}

/// How many workspace figures there are (see `ussl_engine_workspace`).
pub const WORKSPACE_FIGURES: usize = 13;

/// The workspace figures (see `ussl_engine_workspace`); zeros outside MicroPython.
pub fn workspace_figures(reset_peaks: bool) -> [u32; WORKSPACE_FIGURES] {
    #[cfg(feature = "micropython")]
    {
        runtime::meters::figures(reset_peaks)
    }
    #[cfg(not(feature = "micropython"))]
    {
        let _ = reset_peaks;
        [0; WORKSPACE_FIGURES]
    }
}

pub fn reset_memory_peak() {
    #[cfg(feature = "micropython")]
    runtime::reset_peak();
}

/// A connection was made: its handshake is under way, and the Deep workspace is kept between
/// calls until no handshake is (see `runtime::workspace`).
pub fn handshake_started() {
    #[cfg(feature = "micropython")]
    runtime::workspace::handshake_started();
}

/// A connection's handshake finished or failed, or the connection went before it did.
pub fn handshake_ended() {
    #[cfg(feature = "micropython")]
    runtime::workspace::handshake_ended();
}
