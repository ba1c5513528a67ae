//! The lean engine (Cargo feature `lean`, `make USSL_ENGINE=lean`): a TLS 1.3 client on
//! embedded-tls (patched: patches/README.md) behind the same C API as the rustls engine, for
//! boards whose flash cannot hold rustls. It offers TLS_AES_128_GCM_SHA256 with a P-256 key
//! share and checks the server's chain and name with webpki and our own signature code.
//!
//! What embedded-tls leaves to its caller, this wrapper does: it owns the I/O (embedded-tls's
//! blocking traits are fed from buffers and report WouldBlock when they run dry, and the patch
//! makes the handshake and the record reader resume from there), the verification (our
//! verifier, and a server Finished is refused until the CertificateVerify has been checked),
//! and the errors (embedded-tls's are mapped to our codes, with text).

pub mod connection;
pub mod context;
mod errors;
mod pipe;
pub mod session;
mod verifier;

/// The lean engine's handles, for the engine contract (`crate::engine`).
pub struct LeanEngine;

impl crate::engine::Engine for LeanEngine {
    type Context = context::Context;
    type Connection = connection::Connection;
    type Session = session::Session;
}
