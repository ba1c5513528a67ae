//! `ussl_conn`: one TLS connection, ciphertext in and out, plaintext in and out.

use super::*;
use crate::active::Connection;
use crate::engine::EngineConnection;
use crate::result::UsslResult;
use crate::Need;

/// One TLS connection.
pub struct ussl_conn {
    pub(super) inner: Connection,
    /// Counted among the handshakes under way (`crate::handshake_started`), from its creation
    /// until its handshake finished or failed.
    handshaking: bool,
}

impl ussl_conn {
    fn new(inner: Connection) -> Self {
        crate::handshake_started();
        Self { inner, handshaking: true }
    }

    /// After a call: a handshake that finished or failed stops being counted.
    fn settle(&mut self) {
        if self.handshaking && (!self.inner.is_handshaking() || self.inner.error().is_some()) {
            self.handshaking = false;
            crate::handshake_ended();
        }
    }
}

impl Drop for ussl_conn {
    fn drop(&mut self) {
        if self.handshaking {
            crate::handshake_ended();
        }
    }
}

/// Passes `result` on, after noting whether the call that gave it ended the handshake.
///
/// # Safety
/// `conn` must be NULL or a live connection not used concurrently.
pub(super) unsafe fn settled(conn: *mut ussl_conn, result: ussl_result) -> ussl_result {
    // SAFETY: per the contract, a non-null `conn` is live and not aliased during the call.
    if let Some(c) = unsafe { conn.as_mut() } {
        c.settle();
    }
    result
}

/// A client connection. `hostname` (NULL for none) is checked against the certificate and
/// sent as SNI when it is a DNS name. `session` (NULL for none) is offered when it was saved
/// for the same name under the same settings; a TLS 1.3 ticket in it is used up. The
/// ClientHello is ready in the output at once.
///
/// # Safety
/// `ctx` must be a live context; `hostname` NULL or `hostname_len` readable bytes; `session`
/// NULL or a live session; `out` writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_new_client(
    ctx: *mut ussl_context,
    hostname: *const u8,
    hostname_len: usize,
    session: *mut ussl_session,
    out: *mut *mut ussl_conn,
) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        crate::deferred::drain();
        // SAFETY: forwarded caller guarantees.
        let Some(ctx) = (unsafe { context_mut(ctx) }) else { return code(UsslResult::NullArgument) };
        let name = if hostname.is_null() {
            None
        } else {
            // SAFETY: non-null `hostname` points to `hostname_len` readable bytes.
            match core::str::from_utf8(unsafe { core::slice::from_raw_parts(hostname, hostname_len) }) {
                Ok(s) => Some(s),
                Err(_) => return code(UsslResult::InvalidHostname),
            }
        };
        // SAFETY: per the contract `session` is NULL or live and not aliased during the call.
        let session = unsafe { session.as_mut() }.map(|s| &mut s.inner);
        // SAFETY: forwarded caller guarantee.
        unsafe { hand_out(out, || Connection::client(ctx, name, session).map(ussl_conn::new)) }
    })
}

/// A server connection for an accepted socket; it waits for the ClientHello.
///
/// # Safety
/// `ctx` must be a live context; `out` writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_new_server(ctx: *mut ussl_context, out: *mut *mut ussl_conn) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        crate::deferred::drain();
        // SAFETY: forwarded caller guarantee.
        let Some(ctx) = (unsafe { context_mut(ctx) }) else { return code(UsslResult::NullArgument) };
        // SAFETY: forwarded caller guarantee.
        unsafe { hand_out(out, || Connection::server(ctx).map(ussl_conn::new)) }
    })
}

/// Frees the connection. Dropping allocates nothing and goes no deeper than a few frames, so it
/// needs no workspace, which a finaliser inside a collection could not take from the heap.
///
/// # Safety
/// `conn` must be NULL or a pointer from `ussl_conn_new_*` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_free(conn: *mut ussl_conn) {
    // SAFETY: forwarded caller guarantee.
    unsafe { release(conn) }
}

/// What a call on `conn` needs: a handshake step's workspace while it handshakes, a record's
/// after, whose reserve also covers what the call may copy (the tickets' chains, the buffered
/// records' plaintext): with the heap dry, those copies come from the reserve.
///
/// # Safety
/// `conn` must be NULL or a live connection.
pub(super) unsafe fn need(conn: *const ussl_conn) -> Need {
    // SAFETY: forwarded caller guarantee.
    match unsafe { conn_ref(conn) } {
        Some(c) if c.is_handshaking() => Need::Deep,
        Some(c) => Need::Light { extra: c.ticket_copy_bytes() + c.receive_copy_bytes() },
        None => Need::Light { extra: 0 },
    }
}

/// # Safety
/// `conn` must be NULL or a live connection not used concurrently.
pub(super) unsafe fn conn_mut<'a>(conn: *mut ussl_conn) -> Option<&'a mut Connection> {
    // SAFETY: per the contract, a non-null `conn` is live and not aliased during the call.
    unsafe { conn.as_mut() }.map(|c| &mut c.inner)
}

/// # Safety
/// `conn` must be NULL or a live connection.
pub(super) unsafe fn conn_ref<'a>(conn: *const ussl_conn) -> Option<&'a Connection> {
    // SAFETY: per the contract, a non-null `conn` is live.
    unsafe { conn.as_ref() }.map(|c| &c.inner)
}

/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_is_handshaking(conn: *const ussl_conn) -> bool {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.is_some_and(Connection::is_handshaking)
}

/// How many ciphertext bytes to read from the socket next; 0 when no more are wanted.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_recv_want(conn: *const ussl_conn) -> usize {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.map_or(0, Connection::recv_want)
}

/// Room for the next ciphertext bytes: read from the socket into `*buf` (at most `*len`
/// bytes), then call `ussl_conn_recv_commit`.
///
/// # Safety
/// `conn` must be a live connection; `buf` and `len` writable. The room is valid until the
/// next call on `conn`.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_recv_space(conn: *mut ussl_conn, buf: *mut *mut u8, len: *mut usize) -> ussl_result {
    // Only the record buffer is allocated, and that allocation may fail: no tickets to copy.
    let result = crate::engine_call(Need::Light { extra: 0 }, || {
        // SAFETY: forwarded caller guarantee.
        let Some(conn) = (unsafe { conn_mut(conn) }) else { return code(UsslResult::NullArgument) };
        if buf.is_null() || len.is_null() {
            return code(UsslResult::NullArgument);
        }
        match conn.recv_space() {
            Ok(space) => {
                // SAFETY: both outputs are non-null and writable per the contract.
                unsafe {
                    *buf = space.as_mut_ptr();
                    *len = space.len();
                }
                OK
            }
            Err(e) => code(e),
        }
    });
    // SAFETY: forwarded caller guarantee.
    unsafe { settled(conn, result) }
}

/// Takes `n` bytes the shim wrote into the room from `ussl_conn_recv_space`; processes a
/// record once it is complete.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_recv_commit(conn: *mut ussl_conn, n: usize) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let result = crate::engine_call(unsafe { need(conn) }, || {
        // SAFETY: forwarded caller guarantee.
        let Some(conn) = (unsafe { conn_mut(conn) }) else { return code(UsslResult::NullArgument) };
        match conn.recv_commit(n) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    });
    // SAFETY: forwarded caller guarantee.
    unsafe { settled(conn, result) }
}

/// As `ussl_conn_recv_commit`, and application data decrypted now goes straight into `out`
/// (at most `out_len` bytes, the rest is kept for `ussl_conn_read`); `*delivered` says how many
/// bytes went there. Saves a copy and a record's worth of memory on the read path.
///
/// # Safety
/// `conn` must be a live connection; `out` must point to `out_len` writable bytes; `delivered`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_recv_commit_into(
    conn: *mut ussl_conn,
    n: usize,
    out: *mut u8,
    out_len: usize,
    delivered: *mut usize,
) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let result = crate::engine_call(unsafe { need(conn) }, || {
        // SAFETY: forwarded caller guarantee.
        let Some(conn) = (unsafe { conn_mut(conn) }) else { return code(UsslResult::NullArgument) };
        if delivered.is_null() || (out.is_null() && out_len > 0) {
            return code(UsslResult::NullArgument);
        }
        let out: &mut [u8] = if out.is_null() {
            &mut []
        } else {
            // SAFETY: `out` points to `out_len` writable bytes per the contract.
            unsafe { core::slice::from_raw_parts_mut(out, out_len) }
        };
        match conn.recv_commit_into(n, out) {
            Ok(k) => {
                // SAFETY: `delivered` is non-null and writable.
                unsafe { *delivered = k };
                OK
            }
            Err(e) => code(e),
        }
    });
    // SAFETY: forwarded caller guarantee.
    unsafe { settled(conn, result) }
}

/// The socket reached end of stream.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_recv_eof(conn: *mut ussl_conn) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let result = match unsafe { conn_mut(conn) }.map(Connection::recv_eof) {
        None => code(UsslResult::NullArgument),
        Some(Ok(())) => OK,
        Some(Err(e)) => code(e),
    };
    // SAFETY: forwarded caller guarantee.
    unsafe { settled(conn, result) }
}

/// True once all plaintext has been read and the peer will send no more.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_at_eof(conn: *const ussl_conn) -> bool {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.is_some_and(Connection::at_eof)
}

/// Ciphertext waiting to be sent: its length, with `*buf` pointing at it.
///
/// # Safety
/// `conn` must be a live connection; `buf` writable. The bytes stay valid until the next call
/// on `conn`.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_pending_output(conn: *const ussl_conn, buf: *mut *const u8) -> usize {
    // SAFETY: forwarded caller guarantee.
    let Some(conn) = (unsafe { conn_ref(conn) }) else { return 0 };
    let out = conn.pending_output();
    if !buf.is_null() {
        // SAFETY: `buf` is non-null and writable.
        unsafe { *buf = out.as_ptr() };
    }
    out.len()
}

/// Marks `n` bytes of the pending output as sent.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_consume_output(conn: *mut ussl_conn, n: usize) {
    // SAFETY: forwarded caller guarantee.
    if let Some(conn) = unsafe { conn_mut(conn) } {
        conn.consume_output(n);
    }
}

/// Plaintext bytes received and not yet read.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_plaintext_pending(conn: *const ussl_conn) -> usize {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.map_or(0, Connection::plaintext_pending)
}

/// Copies up to `len` bytes of received plaintext into `buf`; returns how many (0: none yet).
///
/// # Safety
/// `conn` must be a live connection; `buf` must point to `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_read(conn: *mut ussl_conn, buf: *mut u8, len: usize) -> usize {
    // SAFETY: forwarded caller guarantee.
    let Some(conn) = (unsafe { conn_mut(conn) }) else { return 0 };
    if buf.is_null() || len == 0 {
        return 0;
    }
    // SAFETY: `buf` points to `len` writable bytes per the contract.
    conn.read(unsafe { core::slice::from_raw_parts_mut(buf, len) })
}

/// Encrypts up to one record of `data` into the output; `*written` says how much was taken.
///
/// # Safety
/// `conn` must be a live connection; `data` must point to `len` readable bytes; `written`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_write(
    conn: *mut ussl_conn,
    data: *const u8,
    len: usize,
    written: *mut usize,
) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let need = match unsafe { need(conn) } {
        Need::Light { extra } => Need::Light { extra: extra + Connection::write_copy_bytes(len) },
        deep => deep,
    };
    let result = crate::engine_call(need, || {
        // SAFETY: forwarded caller guarantees.
        let (Some(conn), Some(data)) = (unsafe { conn_mut(conn) }, unsafe { bytes(data, len) }) else {
            return code(UsslResult::NullArgument);
        };
        if written.is_null() {
            return code(UsslResult::NullArgument);
        }
        match conn.write(data) {
            Ok(n) => {
                // SAFETY: `written` is non-null and writable.
                unsafe { *written = n };
                OK
            }
            Err(e) => code(e),
        }
    });
    // SAFETY: forwarded caller guarantee.
    unsafe { settled(conn, result) }
}

/// Queues close_notify; send the pending output afterwards.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_close(conn: *mut ussl_conn) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let result = crate::engine_call(unsafe { need(conn) }, || {
        // SAFETY: forwarded caller guarantee.
        let Some(conn) = (unsafe { conn_mut(conn) }) else { return code(UsslResult::NullArgument) };
        match conn.close() {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    });
    // SAFETY: forwarded caller guarantee.
    unsafe { settled(conn, result) }
}

/// Arms the hold for a script's verify_callback: once the peer's certificates pass the engine's
/// checks, `ussl_conn_verify_callback_pending` turns true and the connection gives out no
/// ciphertext and no plaintext (and stays handshaking) until `ussl_conn_verify_callback_verdict`.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_hold_for_verify_callback(conn: *mut ussl_conn) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(conn) = (unsafe { conn_mut(conn) }) else { return code(UsslResult::NullArgument) };
    conn.hold_for_verify_callback();
    OK
}

/// True when the peer's certificates (`ussl_conn_peer_cert`) wait for the callback's verdict.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_verify_callback_pending(conn: *const ussl_conn) -> bool {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.is_some_and(Connection::verify_callback_pending)
}

/// The callback's verdict: with `accepted` the handshake goes on; without, the connection fails
/// with USSL_CODE_VERIFY_CALLBACK_REFUSED (returned) and what was held for the peer is dropped.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_verify_callback_verdict(conn: *mut ussl_conn, accepted: bool) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let result = match unsafe { conn_mut(conn) }.map(|c| c.verify_callback_verdict(accepted)) {
        None => code(UsslResult::NullArgument),
        Some(Ok(())) => OK,
        Some(Err(e)) => code(e),
    };
    // SAFETY: forwarded caller guarantee.
    unsafe { settled(conn, result) }
}

/// Moves whole NSS key log lines (of every connection of this one's context) into `buf`, at
/// most `cap` bytes; returns how many (0: none wait). Call until it returns 0.
///
/// # Safety
/// `conn` must be a live connection; `buf` NULL or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_take_key_log(conn: *const ussl_conn, buf: *mut u8, cap: usize) -> usize {
    // SAFETY: forwarded caller guarantee.
    let Some(conn) = (unsafe { conn_ref(conn) }) else { return 0 };
    if buf.is_null() {
        return 0;
    }
    // SAFETY: `buf` is non-null with `cap` writable bytes, per the contract.
    let out = unsafe { core::slice::from_raw_parts_mut(buf, cap) };
    conn.take_key_log(out)
}

/// True for a server-side connection.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_is_server(conn: *const ussl_conn) -> bool {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.is_some_and(Connection::is_server)
}
