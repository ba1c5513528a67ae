//! What a `ussl_conn`'s handshake agreed on: the peer's certificates, the version, the suite,
//! the ALPN protocol, and the session to resume later.

use super::*;
use crate::active::Connection;
use crate::engine::EngineConnection;
use crate::result::UsslResult;
use crate::Need;

/// How many certificates the peer presented (0 before the handshake or without any).
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_peer_cert_count(conn: *const ussl_conn) -> usize {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.map_or(0, Connection::peer_cert_count)
}

/// The DER of the peer's certificate `index` (0 is the leaf).
///
/// # Safety
/// `conn` must be a live connection; `der` and `len` writable. The bytes live as long as the
/// connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_peer_cert(
    conn: *const ussl_conn,
    index: usize,
    der: *mut *const u8,
    len: *mut usize,
) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(conn) = (unsafe { conn_ref(conn) }) else { return code(UsslResult::NullArgument) };
    if der.is_null() || len.is_null() {
        return code(UsslResult::NullArgument);
    }
    match conn.peer_cert(index) {
        Some(cert) => {
            // SAFETY: both outputs are non-null and writable.
            unsafe {
                *der = cert.as_ptr();
                *len = cert.len();
            }
            OK
        }
        None => code(UsslResult::NoPeerCertificate),
    }
}

/// "TLSv1.3" or "TLSv1.2": its length, with `*text` pointing at it (static); 0 before the
/// handshake.
///
/// # Safety
/// `conn` must be a live connection; `text` writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_version(conn: *const ussl_conn, text: *mut *const u8) -> usize {
    // SAFETY: forwarded caller guarantees.
    unsafe { hand_text(conn_ref(conn).and_then(Connection::protocol_version), text) }
}

/// The negotiated suite's OpenSSL name: its length, with `*name` pointing at it (static), and
/// its key bits in `*bits`; 0 before the handshake.
///
/// # Safety
/// `conn` must be a live connection; `name` writable storage for one pointer; `bits` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_cipher(conn: *const ussl_conn, name: *mut *const u8, bits: *mut u32) -> usize {
    // SAFETY: forwarded caller guarantee.
    let Some((suite, key_bits)) = unsafe { conn_ref(conn) }.and_then(Connection::cipher) else { return 0 };
    if !bits.is_null() {
        // SAFETY: non-null `bits` is writable.
        unsafe { *bits = key_bits };
    }
    // SAFETY: forwarded caller guarantee.
    unsafe { hand_text(Some(suite), name) }
}

/// The negotiated key-exchange group's name ("X25519MLKEM768", "X25519", "P-256"): its length,
/// with `*name` pointing at it (static); 0 before the handshake chose one, and after a
/// resumption without a key exchange.
///
/// # Safety
/// `conn` must be a live connection; `name` writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_group(conn: *const ussl_conn, name: *mut *const u8) -> usize {
    // SAFETY: forwarded caller guarantees.
    unsafe { hand_text(conn_ref(conn).and_then(Connection::group), name) }
}

/// True when the handshake resumed an earlier session.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_session_reused(conn: *const ussl_conn) -> bool {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.is_some_and(Connection::session_reused)
}

/// Saves the freshest session of a client connection (USSL_CODE_NO_SESSION when the server
/// issued none). The session outlives the connection; free it with `ussl_session_free`.
///
/// # Safety
/// `conn` must be a live connection; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_save_session(conn: *const ussl_conn, out: *mut *mut ussl_session) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantee.
        let Some(conn) = (unsafe { conn_ref(conn) }) else { return code(UsslResult::NullArgument) };
        // SAFETY: forwarded caller guarantee.
        unsafe { hand_out(out, || conn.save_session().map(ussl_session::new)) }
    })
}

/// The ALPN protocol the handshake agreed on: its length, with `*name` pointing at it (valid
/// until the next call on `conn`); 0 when none was agreed.
///
/// # Safety
/// `conn` must be a live connection; `name` writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_alpn(conn: *const ussl_conn, name: *mut *const u8) -> usize {
    // SAFETY: forwarded caller guarantee.
    let (Some(conn), false) = ((unsafe { conn_ref(conn) }), name.is_null()) else { return 0 };
    let Some(protocol) = conn.alpn_protocol() else { return 0 };
    // SAFETY: `name` is non-null and writable per the contract.
    unsafe { *name = protocol.as_ptr() };
    protocol.len()
}
