//! TLS-PSK: a client context's identity and key, a server context's lookup, and a server
//! connection's hold while the shim looks the client's identity up (`crate::psk`).

use super::conn::{conn_mut, conn_ref, need, settled, ussl_conn};
use super::context::ussl_context;
use super::*;
use crate::engine::{EngineConnection, EngineContext};
use crate::psk::Psk;
use crate::result::UsslResult;
use crate::Need;

/// A client context's PSK (mainline's `psk_identity` and `psk_key`): an identity of 1 to 256
/// bytes and a key of 1 to 48 (USSL_CODE_PSK_KEY_LENGTH otherwise, as mainline refuses a longer
/// key). The context then makes TLS 1.3 PSK handshakes only; NULL `identity` turns PSK off.
///
/// # Safety
/// `ctx` must be a live context; `identity` and `key` NULL or readable for their lengths.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_psk(
    ctx: *mut ussl_context,
    identity: *const u8,
    identity_len: usize,
    key: *const u8,
    key_len: usize,
) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantees.
        let (Some(ctx), Some(key)) = (unsafe { ctx.as_mut() }, unsafe { bytes(key, key_len) }) else {
            return code(UsslResult::NullArgument);
        };
        if ctx.server_side {
            return code(UsslResult::InvalidArgument);
        }
        let psk = if identity.is_null() {
            Ok(Psk::Off)
        } else {
            // SAFETY: forwarded caller guarantee.
            Psk::client(unsafe { bytes(identity, identity_len) }.unwrap_or_default(), key)
        };
        match psk.and_then(|psk| ctx.inner.set_psk(psk)) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}

/// A server context's PSK lookup (mainline's `server_psk_keys`) on or off. With it on, each
/// connection holds the client's ClientHello until the shim answers `ussl_conn_psk_identity`
/// with `ussl_conn_psk_answer`, and makes TLS 1.3 PSK handshakes only.
///
/// # Safety
/// `ctx` must be a live context.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_psk_server(ctx: *mut ussl_context, on: bool) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(ctx) = (unsafe { ctx.as_mut() }) else { return code(UsslResult::NullArgument) };
    if !ctx.server_side {
        return code(UsslResult::InvalidArgument);
    }
    match ctx.inner.set_psk(if on { Psk::Server } else { Psk::Off }) {
        Ok(()) => OK,
        Err(e) => code(e),
    }
}

/// True when a PSK server connection waits for the key of the identity its client offered:
/// `*identity` and `*len` then give the identity (valid until the next call on `conn`).
///
/// # Safety
/// `conn` must be a live connection; `identity` and `len` writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_psk_identity(
    conn: *const ussl_conn,
    identity: *mut *const u8,
    len: *mut usize,
) -> bool {
    // SAFETY: forwarded caller guarantee.
    let Some(id) = unsafe { conn_ref(conn) }.and_then(|c| c.psk_identity()) else { return false };
    // SAFETY: writable per the contract (checked for NULL).
    match unsafe { (identity.as_mut(), len.as_mut()) } {
        (Some(identity), Some(len)) => {
            *identity = id.as_ptr();
            *len = id.len();
            true
        }
        _ => false,
    }
}

/// The lookup's answer: `key` (NULL for none: an unknown identity), or `raised` when the lookup
/// failed. The handshake then goes on; without a key of 1 to 48 bytes it fails
/// (USSL_CODE_PSK_UNKNOWN_IDENTITY or USSL_CODE_PSK_LOOKUP_FAILED, returned) and the client
/// gets the alert unknown_psk_identity.
///
/// # Safety
/// `conn` must be a live connection; `key` NULL or readable for `key_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_psk_answer(
    conn: *mut ussl_conn,
    key: *const u8,
    key_len: usize,
    raised: bool,
) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let result = crate::engine_call(unsafe { need(conn) }, || {
        // SAFETY: forwarded caller guarantees.
        let Some(conn) = (unsafe { conn_mut(conn) }) else { return code(UsslResult::NullArgument) };
        // SAFETY: forwarded caller guarantee.
        let key = if key.is_null() { None } else { unsafe { bytes(key, key_len) } };
        match conn.psk_answer(key, raised) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    });
    // SAFETY: forwarded caller guarantee.
    unsafe { settled(conn, result) }
}
