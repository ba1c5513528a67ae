//! ussl: the TLS engine behind MicroPython's `ussl` and `tls` modules.
//!
//! Sans-I/O: the C shim feeds ciphertext in and takes ciphertext out; this crate never touches a
//! socket, never raises and never holds a Python object. Every exported function returns a
//! numbered [`result::UsslResult`].
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
// Nothing in the engine may panic on input: no unwrap, no expect, no unchecked index (`make
// lint`, in `make test`). Unit tests may.
#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
#![allow(clippy::missing_safety_doc)]

extern crate alloc;
// Without the `micropython` feature the crate is a host library (tests, tools): it may use std
// for entropy and time. Inside MicroPython those come from the port through `port`.
#[cfg(not(feature = "micropython"))]
extern crate std;

#[cfg(all(feature = "lean", feature = "engine-rustls"))]
compile_error!("the lean engine builds without rustls: --no-default-features --features lean");
#[cfg(not(any(feature = "lean", feature = "engine-rustls")))]
compile_error!("pick an engine: a profile (full, client) or lean");

// Both engines.
pub mod certinfo;
pub mod deferred;
pub mod der;
pub mod ffi;
pub mod hostname;
pub mod keys;
pub mod pem;
pub mod pinned;
pub mod port;
pub mod provider;
pub mod result;
pub mod settings;
pub mod sticky;
pub mod sync;

// The rustls engine.
#[cfg(feature = "engine-rustls")]
pub mod connection;
#[cfg(feature = "engine-rustls")]
pub mod context;
#[cfg(feature = "engine-rustls")]
pub mod keylog;
#[cfg(feature = "engine-rustls")]
pub mod record;
#[cfg(feature = "engine-rustls")]
pub mod roots;
#[cfg(feature = "engine-rustls")]
pub mod rustls_errors;
#[cfg(feature = "engine-rustls")]
pub mod session;
#[cfg(feature = "engine-rustls")]
pub mod session_bytes;
#[cfg(feature = "server")]
pub mod tickets;
#[cfg(feature = "engine-rustls")]
pub mod verify;
#[cfg(feature = "server")]
pub mod verify_client;

// The lean engine: the same types under the same paths, so that `ffi` serves both.
#[cfg(feature = "lean")]
pub mod lean;
#[cfg(feature = "lean")]
pub use lean::{connection, context, session};

#[cfg(feature = "micropython")]
mod runtime;

/// Runs an engine call on the engine's own stack on boards (see `runtime::engine_stack`), and
/// where it is everywhere else.
pub fn on_engine_stack<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(feature = "micropython")]
    {
        runtime::engine_stack::run(f)
    }
    #[cfg(not(feature = "micropython"))]
    {
        f()
    }
}

/// Runs `f`, and gives OUT_OF_MEMORY instead of its value when the heap refused an allocation
/// meanwhile (the reserve lent it): what `f` built is dropped, so that nothing a context or
/// handle keeps holds reserve memory (the reserve is for finishing a step).
pub fn unless_heap_ran_dry<T>(f: impl FnOnce() -> Result<T, result::UsslResult>) -> Result<T, result::UsslResult> {
    let oom_before = oom_events();
    let made = f();
    if oom_events() != oom_before {
        drop(made);
        return Err(result::UsslResult::OutOfMemory);
    }
    made
}

/// How many times the heap has refused an allocation so far (served from the reserve). An
/// engine step that sees this change reports OUT_OF_MEMORY instead of carrying on.
pub fn oom_events() -> usize {
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
pub fn fail_allocation(n: usize) -> Option<usize> {
    #[cfg(feature = "micropython")]
    {
        runtime::fail_allocation(n)
    }
    #[cfg(not(feature = "micropython"))]
    {
        let _ = n;
        None
    }
}

pub fn reset_memory_peak() {
    #[cfg(feature = "micropython")]
    runtime::reset_peak();
}
