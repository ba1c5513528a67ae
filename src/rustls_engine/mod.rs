//! The rustls engine (every profile but `lean`): rustls 0.23's unbuffered API behind the engine
//! contract (`crate::engine`), with our own crypto provider (`crate::provider`), session store
//! and verifiers.

pub mod connection;
pub mod context;
mod errors;
pub mod keylog;
mod psk;
#[cfg(feature = "server")]
mod psk_server;
mod record;
pub mod roots;
pub mod session;
mod session_bytes;
mod step;
mod store;
#[cfg(feature = "server")]
pub mod tickets;
pub mod verify;
#[cfg(feature = "server")]
mod verify_client;

/// The rustls engine's handles, for the engine contract (`crate::engine`).
pub struct RustlsEngine;

impl crate::engine::Engine for RustlsEngine {
    type Context = context::Context;
    type Connection = connection::Connection;
    type Session = session::Session;
}
