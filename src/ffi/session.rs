//! `ussl_session`: a client session saved to resume later, and its bytes.

use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::*;
use crate::active::Session;
use crate::engine::EngineSession;

/// A session saved from a client connection, or rebuilt from bytes, to resume later.
pub struct ussl_session {
    pub(super) inner: Session,
    /// The last `ussl_session_serialize` result, which the caller reads from.
    encoded: Zeroizing<Vec<u8>>,
}

impl ussl_session {
    pub(super) fn new(inner: Session) -> Self {
        Self { inner, encoded: Zeroizing::new(Vec::new()) }
    }
}

/// Rebuilds a session from the bytes of `ussl_session_serialize`
/// (USSL_CODE_INVALID_SESSION_DATA for anything else: the bytes carry a check). The session
/// resumes only a connection to the same server name under the same settings; free it with
/// `ussl_session_free`.
///
/// # Safety
/// `data` must point to `len` readable bytes; `out` writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_session_from_bytes(
    data: *const u8,
    len: usize,
    out: *mut *mut ussl_session,
) -> ussl_result {
    crate::engine_call(crate::Need::Deep, || {
        // SAFETY: forwarded caller guarantee.
        let Some(data) = (unsafe { bytes(data, len) }) else { return code(UsslResult::NullArgument) };
        // SAFETY: forwarded caller guarantee.
        unsafe { hand_out(out, || Session::from_bytes(data).map(ussl_session::new)) }
    })
}

/// The session as bytes that `ussl_session_from_bytes` rebuilds it from, in this process or
/// after a reboot. They hold the resumption secret. `*data` points at them, valid until the
/// next call on `session`; `*len` is their length.
///
/// # Safety
/// `session` must be a live session; `data` and `len` writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_session_serialize(
    session: *mut ussl_session,
    data: *mut *const u8,
    len: *mut usize,
) -> ussl_result {
    crate::engine_call(crate::Need::Deep, || {
        // SAFETY: forwarded caller guarantee.
        let Some(s) = (unsafe { session.as_mut() }) else { return code(UsslResult::NullArgument) };
        if data.is_null() || len.is_null() {
            return code(UsslResult::NullArgument);
        }
        match s.inner.serialize() {
            Ok(encoded) => {
                s.encoded = encoded;
                // SAFETY: both outputs are non-null and writable.
                unsafe {
                    *data = s.encoded.as_ptr();
                    *len = s.encoded.len();
                }
                OK
            }
            Err(e) => code(e),
        }
    })
}

/// The protocol version the session was made with, "TLSv1.3" or "TLSv1.2": its length, with
/// `*text` pointing at it (static).
///
/// # Safety
/// `session` must be a live session; `text` writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_session_version(session: *const ussl_session, text: *mut *const u8) -> usize {
    // SAFETY: forwarded caller guarantee.
    let version = unsafe { session.as_ref() }.map(|s| if s.inner.is_tls13() { "TLSv1.3" } else { "TLSv1.2" });
    // SAFETY: forwarded caller guarantee.
    unsafe { hand_text(version, text) }
}

/// # Safety
/// `session` must be NULL or a pointer from `ussl_conn_save_session` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn ussl_session_free(session: *mut ussl_session) {
    // SAFETY: forwarded caller guarantee.
    unsafe { release(session) }
}
