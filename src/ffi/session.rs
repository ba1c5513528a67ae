//! `ussl_session`: a client session saved to resume later.

use core::ffi::c_char;

use super::*;
use crate::session::Session;

/// A session saved from a client connection, to resume later.
pub struct ussl_session {
    pub(super) inner: Session,
}

/// The protocol version the session was made with ("TLSv1.3" or "TLSv1.2"), NUL-terminated
/// into `buf`.
///
/// # Safety
/// `session` must be a live session; `buf` NULL or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_session_version(session: *const ussl_session, buf: *mut c_char, cap: usize) -> usize {
    // SAFETY: forwarded caller guarantee.
    let Some(s) = (unsafe { session.as_ref() }) else { return 0 };
    let v = if s.inner.tls13 { "TLSv1.3" } else { "TLSv1.2" };
    // SAFETY: forwarded caller guarantee on `buf`/`cap`.
    unsafe { copy_text(v, buf, cap) }
}

/// # Safety
/// `session` must be NULL or a pointer from `ussl_conn_save_session` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn ussl_session_free(session: *mut ussl_session) {
    // SAFETY: forwarded caller guarantee.
    unsafe { release(session) }
}
