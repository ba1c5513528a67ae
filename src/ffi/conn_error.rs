//! A `ussl_conn`'s sticky error: the one record of how the connection failed, read by the shim
//! before every call, and written by it for what it saw outside the engine (the socket's error,
//! a handshake that ran out of time).

use core::ffi::c_char;

use super::*;
use crate::active::Connection;
use crate::engine::EngineConnection;
use crate::result::UsslResult;

/// The sticky error of the connection (0 when none).
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_error(conn: *const ussl_conn) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.and_then(Connection::error).map_or(OK, code)
}

/// The sticky error's text with its detail (such as the alert received), NUL-terminated.
///
/// # Safety
/// `conn` must be a live connection; `buf` NULL or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_error_text(conn: *const ussl_conn, buf: *mut c_char, cap: usize) -> usize {
    // SAFETY: forwarded caller guarantee.
    let text = unsafe { conn_ref(conn) }.and_then(Connection::error_text).unwrap_or("");
    // SAFETY: forwarded caller guarantee on `buf`/`cap`.
    unsafe { copy_text(text, buf, cap) }
}

/// Records a failure the shim saw outside the engine, unless the connection has failed already:
/// USSL_CODE_SOCKET_FAILED with the socket's errno `os_errno`, USSL_CODE_HANDSHAKE_TIMEOUT, or
/// an engine call's code the connection did not keep (0 otherwise). From then on it is the
/// connection's sticky error, as the engine's own are. Returns the sticky error.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_fail(conn: *mut ussl_conn, code: ussl_result, os_errno: i32) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(c) = (unsafe { conn_mut(conn) }) else { return super::code(UsslResult::NullArgument) };
    // A code that is none (0 or unknown) is the shim's mistake: recorded as INTERNAL.
    let code = UsslResult::from_u32(code).filter(|c| *c != UsslResult::Ok).unwrap_or(UsslResult::Internal);
    let recorded = c.sticky_mut().fail_outside(code, os_errno);
    // SAFETY: forwarded caller guarantee.
    unsafe { settled(conn, super::code(recorded)) }
}

/// The socket's errno when the sticky error is USSL_CODE_SOCKET_FAILED (raised as OSError), else 0.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_error_errno(conn: *const ussl_conn) -> i32 {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.map_or(0, |c| c.sticky().os_errno())
}
