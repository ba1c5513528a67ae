//! The C API the shim calls. Conventions (as in rustls-ffi): opaque handles made by `_new` and
//! released by `_free`; every fallible function returns a `ussl_result` (0 is success) and
//! writes its outputs only on success; pointers handed out stay valid until the next call on
//! the same handle. Nothing here raises, blocks, or keeps a pointer it was given.
#![allow(non_camel_case_types)]

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::c_char;
use core::ptr;

use crate::certinfo::CertInfo;
use crate::connection::Connection;
use crate::context::{Context, VerifyMode};
use crate::hostname::{self, CertName};
use crate::result::{UsslErrorKind, UsslResult};
use crate::session::Session;
#[cfg(feature = "server")]
use crate::tickets::ServerState;

pub type ussl_result = u32;

/// A context: role, verification policy, trust anchors, our certificate and key.
pub struct ussl_context {
    inner: Context,
}

/// One TLS connection.
pub struct ussl_conn {
    inner: Connection,
}

/// A session saved from a client connection, to resume later.
pub struct ussl_session {
    inner: Session,
}

/// Ticket keys and session cache that server contexts with the same settings share.
pub struct ussl_server_state {
    #[cfg(feature = "server")]
    inner: ServerState,
}

/// The fields of one certificate, for getpeercert().
pub struct ussl_certinfo {
    inner: CertInfo,
}

/// The kinds of name in a `ussl_cert_name`.
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum UsslNameKind {
    /// A subjectAltName DNS name.
    Dns = 1,
    /// A subjectAltName IP address, as text.
    Ip = 2,
    /// The subject's commonName.
    CommonName = 3,
}

/// A name from a certificate, for `ussl_match_hostname`; `kind` is a `ussl_name_kind`.
#[repr(C)]
pub struct ussl_cert_name {
    pub kind: u32,
    pub name: *const u8,
    pub len: usize,
}

const OK: ussl_result = UsslResult::Ok as u32;

/// Frees a handle made by `Box::into_raw`, at once or, when called from a finaliser while
/// another thread holds the heap, at the next handle creation (see `deferred`).
///
/// # Safety
/// `ptr` must be NULL or a pointer from `Box::into_raw` not yet freed; nothing may use it after.
unsafe fn release<T>(ptr: *mut T) {
    /// # Safety
    /// `p` must come from `Box::<T>::into_raw` and be freed only once.
    unsafe fn drop_box<T>(p: *mut ()) {
        // SAFETY: per this function's contract.
        drop(unsafe { Box::from_raw(p.cast::<T>()) });
    }
    if !ptr.is_null() {
        // SAFETY: `ptr` is a live box per the contract, and drop_box::<T> frees exactly it.
        unsafe { crate::deferred::free_or_defer(ptr.cast(), drop_box::<T>) };
    }
}

fn code(r: UsslResult) -> ussl_result {
    r as u32
}

/// # Safety
/// `ptr` must be NULL or point to `len` readable bytes that live for `'a`.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() {
        return (len == 0).then_some(&[]);
    }
    // SAFETY: the caller promises `ptr` points to `len` readable bytes for 'a.
    Some(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// Copies `text` into `buf` (capacity `cap`) NUL-terminated, truncating; returns its length.
///
/// # Safety
/// `buf` must be NULL or point to `cap` writable bytes.
unsafe fn copy_text(text: &str, buf: *mut c_char, cap: usize) -> usize {
    if buf.is_null() || cap == 0 {
        return text.len();
    }
    let n = text.len().min(cap - 1);
    // SAFETY: `buf` has room for `cap` bytes and n + 1 <= cap; the source is a valid str.
    unsafe {
        ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
        *buf.add(n) = 0;
    }
    n
}

/// Which Python exception a result code becomes (unknown codes are USSL_ERROR_KIND_TLS).
#[no_mangle]
pub extern "C" fn ussl_result_kind(result: ussl_result) -> UsslErrorKind {
    UsslResult::from_u32(result).map_or(UsslErrorKind::Tls, UsslResult::kind)
}

/// The text of a result code, NUL-terminated into `buf`; returns the text's length.
///
/// # Safety
/// `buf` must be NULL or point to `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_result_text(result: ussl_result, buf: *mut c_char, cap: usize) -> usize {
    let text = UsslResult::from_u32(result).map(UsslResult::text).unwrap_or("unknown error");
    // SAFETY: forwarded caller guarantee on `buf`/`cap`.
    unsafe { copy_text(text, buf, cap) }
}

/// # Safety
/// `out` must point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_new(server_side: bool, out: *mut *mut ussl_context) -> ussl_result {
    crate::on_engine_stack(|| {
        crate::deferred::drain();
        if out.is_null() {
            return code(UsslResult::NullArgument);
        }
        let ctx = Box::new(ussl_context { inner: Context::new(server_side) });
        // SAFETY: `out` is non-null and writable per the contract.
        unsafe { *out = Box::into_raw(ctx) };
        OK
    })
}

/// # Safety
/// `ctx` must be NULL or a pointer from `ussl_context_new` not yet freed. Connections made
/// from it keep what they need and may outlive it.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_free(ctx: *mut ussl_context) {
    // SAFETY: forwarded caller guarantee.
    unsafe { release(ctx) }
}

/// # Safety
/// `ctx` must be NULL or a live context; no other call may use it concurrently.
unsafe fn context_mut<'a>(ctx: *mut ussl_context) -> Option<&'a mut Context> {
    // SAFETY: per the contract, a non-null `ctx` is live and not aliased during the call.
    unsafe { ctx.as_mut() }.map(|c| &mut c.inner)
}

/// Sets CERT_NONE (0), CERT_OPTIONAL (1) or CERT_REQUIRED (2).
///
/// # Safety
/// `ctx` must be a live context.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_verify_mode(ctx: *mut ussl_context, mode: u32) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(ctx) = (unsafe { context_mut(ctx) }) else { return code(UsslResult::NullArgument) };
    match VerifyMode::from_u32(mode) {
        Some(m) => {
            ctx.set_verify_mode(m);
            OK
        }
        None => code(UsslResult::InvalidVerifyMode),
    }
}

/// With `required`, a client connection under CERT_REQUIRED needs a server name
/// (USSL_CODE_HOSTNAME_REQUIRED), as in mainline MicroPython's tls module.
///
/// # Safety
/// `ctx` must be a live context.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_hostname_required(ctx: *mut ussl_context, required: bool) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(ctx) = (unsafe { context_mut(ctx) }) else { return code(UsslResult::NullArgument) };
    ctx.set_hostname_required(required);
    OK
}

/// # Safety
/// `ctx` must be a live context.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_verify_mode(ctx: *const ussl_context) -> u32 {
    // SAFETY: a live context is readable.
    unsafe { ctx.as_ref() }.map(|c| c.inner.verify_mode() as u32).unwrap_or(0)
}

/// Adds trust anchors from a PEM bundle or DER certificates.
///
/// # Safety
/// `ctx` must be a live context; `data` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_add_ca(ctx: *mut ussl_context, data: *const u8, len: usize) -> ussl_result {
    crate::on_engine_stack(|| {
        // SAFETY: forwarded caller guarantees.
        let (Some(ctx), Some(data)) = (unsafe { context_mut(ctx) }, unsafe { bytes(data, len) }) else {
            return code(UsslResult::NullArgument);
        };
        match ctx.add_trust_anchors(data) {
            Ok(_) => OK,
            Err(e) => code(e),
        }
    })
}

/// Sets our certificate chain (leaf first, PEM or DER) and its private key (PEM or DER).
///
/// # Safety
/// `ctx` must be a live context; `cert`/`key` must point to `cert_len`/`key_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_certificate(
    ctx: *mut ussl_context,
    cert: *const u8,
    cert_len: usize,
    key: *const u8,
    key_len: usize,
) -> ussl_result {
    crate::on_engine_stack(|| {
        // SAFETY: forwarded caller guarantees.
        let (Some(ctx), Some(cert), Some(key)) =
            (unsafe { context_mut(ctx) }, unsafe { bytes(cert, cert_len) }, unsafe { bytes(key, key_len) })
        else {
            return code(UsslResult::NullArgument);
        };
        match ctx.set_certificate(cert, key) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}

/// Checks that `key` is a private key we can use (PEM or DER; ECDSA P-256 or RSA), without
/// setting anything.
///
/// # Safety
/// `key` must point to `key_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_check_private_key(key: *const u8, key_len: usize) -> ussl_result {
    crate::on_engine_stack(|| {
        // SAFETY: forwarded caller guarantee.
        let Some(key) = (unsafe { bytes(key, key_len) }) else { return code(UsslResult::NullArgument) };
        match crate::keys::load_private_key(key) {
            Ok(k) => match crate::provider::sign::KeyMaterial::from_der(&k) {
                Ok(_) => OK,
                Err(e) => code(e),
            },
            Err(e) => code(e),
        }
    })
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
    crate::on_engine_stack(|| {
        crate::deferred::drain();
        // SAFETY: forwarded caller guarantees.
        let Some(ctx) = (unsafe { context_mut(ctx) }) else { return code(UsslResult::NullArgument) };
        if out.is_null() {
            return code(UsslResult::NullArgument);
        }
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
        match Connection::client(ctx, name, session) {
            Ok(conn) => {
                // SAFETY: `out` is non-null and writable per the contract.
                unsafe { *out = Box::into_raw(Box::new(ussl_conn { inner: conn })) };
                OK
            }
            Err(e) => code(e),
        }
    })
}

/// A server connection for an accepted socket; it waits for the ClientHello.
///
/// # Safety
/// `ctx` must be a live context; `out` writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_new_server(ctx: *mut ussl_context, out: *mut *mut ussl_conn) -> ussl_result {
    crate::on_engine_stack(|| {
        crate::deferred::drain();
        // SAFETY: forwarded caller guarantee.
        let Some(ctx) = (unsafe { context_mut(ctx) }) else { return code(UsslResult::NullArgument) };
        if out.is_null() {
            return code(UsslResult::NullArgument);
        }
        match Connection::server(ctx) {
            Ok(conn) => {
                // SAFETY: `out` is non-null and writable per the contract.
                unsafe { *out = Box::into_raw(Box::new(ussl_conn { inner: conn })) };
                OK
            }
            Err(e) => code(e),
        }
    })
}

/// # Safety
/// `conn` must be NULL or a pointer from `ussl_conn_new_*` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_free(conn: *mut ussl_conn) {
    crate::on_engine_stack(|| {
        // SAFETY: forwarded caller guarantee.
        unsafe { release(conn) }
    })
}

/// # Safety
/// `conn` must be NULL or a live connection not used concurrently.
unsafe fn conn_mut<'a>(conn: *mut ussl_conn) -> Option<&'a mut Connection> {
    // SAFETY: per the contract, a non-null `conn` is live and not aliased during the call.
    unsafe { conn.as_mut() }.map(|c| &mut c.inner)
}

/// # Safety
/// `conn` must be NULL or a live connection.
unsafe fn conn_ref<'a>(conn: *const ussl_conn) -> Option<&'a Connection> {
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
}

/// Takes `n` bytes the shim wrote into the room from `ussl_conn_recv_space`; processes a
/// record once it is complete.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_recv_commit(conn: *mut ussl_conn, n: usize) -> ussl_result {
    crate::on_engine_stack(|| {
        // SAFETY: forwarded caller guarantee.
        let Some(conn) = (unsafe { conn_mut(conn) }) else { return code(UsslResult::NullArgument) };
        match conn.recv_commit(n) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
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
    crate::on_engine_stack(|| {
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
    })
}

/// The socket reached end of stream.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_recv_eof(conn: *mut ussl_conn) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(conn) = (unsafe { conn_mut(conn) }) else { return code(UsslResult::NullArgument) };
    match conn.recv_eof() {
        Ok(()) => OK,
        Err(e) => code(e),
    }
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
    crate::on_engine_stack(|| {
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
    })
}

/// Queues close_notify; send the pending output afterwards.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_close(conn: *mut ussl_conn) -> ussl_result {
    crate::on_engine_stack(|| {
        // SAFETY: forwarded caller guarantee.
        let Some(conn) = (unsafe { conn_mut(conn) }) else { return code(UsslResult::NullArgument) };
        match conn.close() {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}

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

/// How many certificates the peer presented (0 before the handshake or without any).
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_peer_cert_count(conn: *const ussl_conn) -> usize {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.map_or(0, |c| c.peer_certificates().len())
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
    match conn.peer_certificates().get(index) {
        Some(cert) => {
            // SAFETY: both outputs are non-null and writable.
            unsafe {
                *der = cert.as_ref().as_ptr();
                *len = cert.as_ref().len();
            }
            OK
        }
        None => code(UsslResult::NoPeerCertificate),
    }
}

/// "TLSv1.3" or "TLSv1.2", NUL-terminated into `buf`; 0 before the handshake.
///
/// # Safety
/// `conn` must be a live connection; `buf` NULL or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_version(conn: *const ussl_conn, buf: *mut c_char, cap: usize) -> usize {
    // SAFETY: forwarded caller guarantee.
    let Some(v) = unsafe { conn_ref(conn) }.and_then(Connection::protocol_version) else { return 0 };
    // SAFETY: forwarded caller guarantee on `buf`/`cap`.
    unsafe { copy_text(v, buf, cap) }
}

/// The negotiated suite's OpenSSL name into `buf` and its key bits into `bits`; 0 before the
/// handshake.
///
/// # Safety
/// `conn` must be a live connection; `buf` NULL or `cap` writable bytes; `bits` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_cipher(
    conn: *const ussl_conn,
    buf: *mut c_char,
    cap: usize,
    bits: *mut u32,
) -> usize {
    // SAFETY: forwarded caller guarantee.
    let Some((name, key_bits)) = unsafe { conn_ref(conn) }.and_then(Connection::cipher) else { return 0 };
    if !bits.is_null() {
        // SAFETY: non-null `bits` is writable.
        unsafe { *bits = key_bits };
    }
    // SAFETY: forwarded caller guarantee on `buf`/`cap`.
    unsafe { copy_text(name, buf, cap) }
}

/// Parses a DER certificate into the fields getpeercert() shows.
///
/// # Safety
/// `der` must point to `len` readable bytes; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_certinfo_new(der: *const u8, len: usize, out: *mut *mut ussl_certinfo) -> ussl_result {
    crate::on_engine_stack(|| {
        // SAFETY: forwarded caller guarantee.
        let Some(der) = (unsafe { bytes(der, len) }) else { return code(UsslResult::NullArgument) };
        if out.is_null() {
            return code(UsslResult::NullArgument);
        }
        #[cfg(not(feature = "certinfo"))]
        {
            let _ = der;
            code(UsslResult::CertInfoNotBuilt)
        }
        #[cfg(feature = "certinfo")]
        match crate::certinfo::describe(der) {
            Some(info) => {
                // SAFETY: `out` is non-null and writable.
                unsafe { *out = Box::into_raw(Box::new(ussl_certinfo { inner: info })) };
                OK
            }
            None => code(UsslResult::CertBadEncoding),
        }
    })
}

/// # Safety
/// `info` must be NULL or a pointer from `ussl_certinfo_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn ussl_certinfo_free(info: *mut ussl_certinfo) {
    // SAFETY: forwarded caller guarantee.
    unsafe { release(info) }
}

/// # Safety
/// `info` must be a live certinfo.
#[no_mangle]
pub unsafe extern "C" fn ussl_certinfo_count(info: *const ussl_certinfo) -> usize {
    // SAFETY: forwarded caller guarantee.
    unsafe { info.as_ref() }.map_or(0, |i| i.inner.fields.len())
}

/// Field `index`: its kind (see `FieldKind`: 1/2 subject, 3/4 issuer, 5 version, 6 serial,
/// 7 notBefore, 8 notAfter, 9 subjectAltName), key and value as UTF-8.
///
/// # Safety
/// `info` must be a live certinfo; every output pointer writable. The strings live as long as
/// `info`.
#[no_mangle]
pub unsafe extern "C" fn ussl_certinfo_field(
    info: *const ussl_certinfo,
    index: usize,
    kind: *mut u8,
    key: *mut *const u8,
    key_len: *mut usize,
    value: *mut *const u8,
    value_len: *mut usize,
) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(info) = (unsafe { info.as_ref() }) else { return code(UsslResult::NullArgument) };
    if kind.is_null() || key.is_null() || key_len.is_null() || value.is_null() || value_len.is_null() {
        return code(UsslResult::NullArgument);
    }
    let Some(f) = info.inner.fields.get(index) else { return code(UsslResult::InvalidArgument) };
    // SAFETY: all outputs are non-null and writable per the contract.
    unsafe {
        *kind = f.kind as u8;
        *key = f.key.as_ptr();
        *key_len = f.key.len();
        *value = f.value.as_ptr();
        *value_len = f.value.len();
    }
    OK
}

/// RFC 6125 hostname matching over names taken from a certificate.
///
/// # Safety
/// `names` must point to `count` entries whose `name` fields point to `len` readable bytes;
/// `hostname` to `hostname_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_match_hostname(
    names: *const ussl_cert_name,
    count: usize,
    hostname: *const u8,
    hostname_len: usize,
) -> bool {
    // SAFETY: forwarded caller guarantee.
    let Some(host) = (unsafe { bytes(hostname, hostname_len) }).and_then(|h| core::str::from_utf8(h).ok()) else {
        return false;
    };
    let entries: &[ussl_cert_name] = if names.is_null() || count == 0 {
        &[]
    } else {
        // SAFETY: `names` points to `count` entries per the contract.
        unsafe { core::slice::from_raw_parts(names, count) }
    };
    let mut parsed = Vec::with_capacity(entries.len());
    for e in entries {
        // SAFETY: each entry's `name` points to `len` readable bytes per the contract.
        let Some(text) = (unsafe { bytes(e.name, e.len) }).and_then(|b| core::str::from_utf8(b).ok()) else {
            continue;
        };
        const DNS: u32 = UsslNameKind::Dns as u32;
        const IP: u32 = UsslNameKind::Ip as u32;
        const COMMON_NAME: u32 = UsslNameKind::CommonName as u32;
        match e.kind {
            DNS => parsed.push(CertName::Dns(text)),
            IP => parsed.push(CertName::Ip(text)),
            COMMON_NAME => parsed.push(CertName::CommonName(text)),
            _ => {}
        }
    }
    hostname::matches(&parsed, host)
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

/// True for a server-side connection.
///
/// # Safety
/// `conn` must be a live connection.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_is_server(conn: *const ussl_conn) -> bool {
    // SAFETY: forwarded caller guarantee.
    unsafe { conn_ref(conn) }.is_some_and(Connection::is_server)
}

/// Saves the freshest session of a client connection (USSL_CODE_NO_SESSION when the server
/// issued none). The session outlives the connection; free it with `ussl_session_free`.
///
/// # Safety
/// `conn` must be a live connection; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_conn_save_session(conn: *const ussl_conn, out: *mut *mut ussl_session) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(conn) = (unsafe { conn_ref(conn) }) else { return code(UsslResult::NullArgument) };
    if out.is_null() {
        return code(UsslResult::NullArgument);
    }
    match conn.save_session() {
        Ok(session) => {
            // SAFETY: `out` is non-null and writable.
            unsafe { *out = Box::into_raw(Box::new(ussl_session { inner: session })) };
            OK
        }
        Err(e) => code(e),
    }
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

/// # Safety
/// `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_server_state_new(out: *mut *mut ussl_server_state) -> ussl_result {
    crate::deferred::drain();
    if out.is_null() {
        return code(UsslResult::NullArgument);
    }
    #[cfg(not(feature = "server"))]
    return code(UsslResult::ServerNotBuilt);
    #[cfg(feature = "server")]
    {
        // SAFETY: `out` is non-null and writable.
        unsafe { *out = Box::into_raw(Box::new(ussl_server_state { inner: ServerState::default() })) };
        OK
    }
}

/// # Safety
/// `state` must be NULL or a pointer from `ussl_server_state_new` not yet freed. Contexts
/// that share it keep what they need.
#[no_mangle]
pub unsafe extern "C" fn ussl_server_state_free(state: *mut ussl_server_state) {
    // SAFETY: forwarded caller guarantee.
    unsafe { release(state) }
}

/// Makes `ctx` issue and accept the tickets and cached sessions of `state`.
///
/// # Safety
/// `ctx` must be a live context and `state` a live server state.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_server_state(
    ctx: *mut ussl_context,
    state: *const ussl_server_state,
) -> ussl_result {
    // SAFETY: forwarded caller guarantees.
    let (Some(ctx), Some(state)) = (unsafe { context_mut(ctx) }, unsafe { state.as_ref() }) else {
        return code(UsslResult::NullArgument);
    };
    #[cfg(feature = "server")]
    {
        ctx.set_server_state(&state.inner);
        OK
    }
    #[cfg(not(feature = "server"))]
    {
        let _ = (ctx, state);
        code(UsslResult::ServerNotBuilt)
    }
}

/// Writes the 32-byte digest of the context's settings (verification, anchors, our
/// certificate and key, suites): contexts with equal digests may share server state.
///
/// # Safety
/// `ctx` must be a live context; `out` must point to 32 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_fingerprint(ctx: *const ussl_context, out: *mut u8) -> ussl_result {
    crate::on_engine_stack(|| {
        // SAFETY: forwarded caller guarantee.
        let Some(ctx) = (unsafe { ctx.as_ref() }) else { return code(UsslResult::NullArgument) };
        if out.is_null() {
            return code(UsslResult::NullArgument);
        }
        let fp = ctx.inner.settings_fingerprint();
        // SAFETY: `out` has room for 32 bytes per the contract.
        unsafe { ptr::copy_nonoverlapping(fp.as_ptr(), out, fp.len()) };
        OK
    })
}

/// Limits the suites to a list of OpenSSL or IANA names separated by ':' (as in OpenSSL's
/// cipher strings); an unknown name is USSL_CODE_UNKNOWN_CIPHER_SUITE.
///
/// # Safety
/// `ctx` must be a live context; `names` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_ciphers(ctx: *mut ussl_context, names: *const u8, len: usize) -> ussl_result {
    // SAFETY: forwarded caller guarantees.
    let (Some(ctx), Some(names)) = (unsafe { context_mut(ctx) }, unsafe { bytes(names, len) }) else {
        return code(UsslResult::NullArgument);
    };
    let Ok(text) = core::str::from_utf8(names) else { return code(UsslResult::InvalidArgument) };
    match ctx.set_cipher_suites(text.split(':').filter(|n| !n.trim().is_empty())) {
        Ok(()) => OK,
        Err(e) => code(e),
    }
}

/// How many suites the context offers.
///
/// # Safety
/// `ctx` must be a live context.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_cipher_count(ctx: *const ussl_context) -> usize {
    // SAFETY: forwarded caller guarantee.
    unsafe { ctx.as_ref() }.map_or(0, |c| c.inner.cipher_suites().len())
}

/// The OpenSSL name of suite `index`, NUL-terminated into `buf`; 0 past the end.
///
/// # Safety
/// `ctx` must be a live context; `buf` NULL or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_cipher_name(
    ctx: *const ussl_context,
    index: usize,
    buf: *mut c_char,
    cap: usize,
) -> usize {
    // SAFETY: forwarded caller guarantee.
    let Some(ctx) = (unsafe { ctx.as_ref() }) else { return 0 };
    let Some(suite) = ctx.inner.cipher_suites().get(index) else { return 0 };
    let Some((name, _)) = crate::provider::openssl_name(suite.suite()) else { return 0 };
    // SAFETY: forwarded caller guarantee on `buf`/`cap`.
    unsafe { copy_text(name, buf, cap) }
}

/// The engine's memory: bytes held now and the most held since the last reset (resetting it
/// when `reset_peak`), for benchmarks.
///
/// # Safety
/// `current` and `peak` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_engine_memory(current: *mut usize, peak: *mut usize, reset_peak: bool) {
    let (now, most) = crate::memory_usage();
    // SAFETY: each output is NULL or writable per the contract.
    unsafe {
        if let Some(c) = current.as_mut() {
            *c = now;
        }
        if let Some(p) = peak.as_mut() {
            *p = most;
        }
    }
    if reset_peak {
        crate::reset_memory_peak();
    }
}
