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
pub mod active;
pub mod anchors;
pub mod callback_hold;
pub mod certinfo;
pub mod deferred;
pub mod der;
pub mod engine;
pub mod ffi;
pub mod groups;
pub mod hostname;
pub mod keys;
pub mod limits;
pub mod pem;
pub mod pinned;
pub mod port;
pub mod provider;
pub mod psk;
pub mod psk_peek;
pub mod pycrypto;
pub mod result;
pub mod server_cert;
pub mod server_states;
pub mod settings;
pub mod sign_hook;
pub mod sticky;
pub mod sync;

// The two engines, each behind the contract in `engine`.
#[cfg(feature = "lean")]
pub mod lean;
#[cfg(feature = "engine-rustls")]
pub mod rustls_engine;

// The engine this build has, under the paths tests and fuzzers use.
#[cfg(feature = "lean")]
pub use lean::{connection, context, session};
#[cfg(feature = "engine-rustls")]
pub use rustls_engine::{connection, context, roots, session, verify};

#[cfg(feature = "micropython")]
mod runtime;

// How engine calls run inside MicroPython: their workspace, out-of-memory bookkeeping.
mod calls;
pub use calls::*;
