//! `ussl_context`: role, verification policy, trust anchors, our certificate and key, suites.

use core::ffi::c_char;

use super::*;
use crate::active::Context;
use crate::engine::{EngineContext, VerifyMode};
use crate::result::UsslResult;
use crate::Need;

/// A context: role, verification policy, trust anchors, our certificate and key.
pub struct ussl_context {
    pub(super) inner: Context,
}

/// # Safety
/// `out` must point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_new(server_side: bool, out: *mut *mut ussl_context) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        crate::deferred::drain();
        // SAFETY: forwarded caller guarantee.
        unsafe { hand_out(out, || Ok(ussl_context { inner: Context::new(server_side) })) }
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
pub(super) unsafe fn context_mut<'a>(ctx: *mut ussl_context) -> Option<&'a mut Context> {
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

/// With `on`, the context's connections keep NSS key log lines of their secrets for
/// `ussl_conn_take_key_log` (whoever has the lines can decrypt the traffic).
///
/// # Safety
/// `ctx` must be a live context.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_key_log(ctx: *mut ussl_context, on: bool) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantee.
        let Some(ctx) = (unsafe { context_mut(ctx) }) else { return code(UsslResult::NullArgument) };
        match ctx.set_key_log(on) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
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
    crate::engine_call(Need::Deep, || {
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

/// Adds the built-in root certificates (features `roots`, `roots-mozilla`) as trust anchors;
/// USSL_CODE_ROOTS_NOT_BUILT when the build has none.
///
/// # Safety
/// `ctx` must be a live context.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_load_default_roots(ctx: *mut ussl_context) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantee.
        let Some(ctx) = (unsafe { context_mut(ctx) }) else { return code(UsslResult::NullArgument) };
        match ctx.add_default_roots() {
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
    crate::engine_call(Need::Deep, || {
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
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantee.
        let Some(key) = (unsafe { bytes(key, key_len) }) else { return code(UsslResult::NullArgument) };
        // Parsed with the reserve's help, the verdict would be one of a full heap.
        match crate::unless_heap_ran_dry(|| Context::check_private_key(key)) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}

/// Limits the suites to a list of OpenSSL or IANA names separated by ':' (as in OpenSSL's
/// cipher strings); an unknown name is USSL_CODE_UNKNOWN_CIPHER_SUITE.
///
/// # Safety
/// `ctx` must be a live context; `names` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_ciphers(ctx: *mut ussl_context, names: *const u8, len: usize) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantees.
        let (Some(ctx), Some(names)) = (unsafe { context_mut(ctx) }, unsafe { bytes(names, len) }) else {
            return code(UsslResult::NullArgument);
        };
        let Ok(text) = core::str::from_utf8(names) else { return code(UsslResult::InvalidArgument) };
        match ctx.set_cipher_suites(text.split(':').filter(|n| !n.trim().is_empty())) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}

/// How many suites the context offers.
///
/// # Safety
/// `ctx` must be a live context.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_cipher_count(ctx: *const ussl_context) -> usize {
    // SAFETY: forwarded caller guarantee.
    unsafe { ctx.as_ref() }.map_or(0, |c| c.inner.cipher_count())
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
    let Some(name) = ctx.inner.cipher_name(index) else { return 0 };
    // SAFETY: forwarded caller guarantee on `buf`/`cap`.
    unsafe { copy_text(name, buf, cap) }
}

/// Sets the ALPN protocols, in wire form (each name preceded by its length byte; `len` 0 for
/// none): a client offers them, a server picks the first of the client's it has.
/// USSL_CODE_INVALID_ALPN for a malformed list, which leaves the protocols as they were.
///
/// # Safety
/// `ctx` must be a live context; `wire` NULL (with `len` 0) or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_alpn(ctx: *mut ussl_context, wire: *const u8, len: usize) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantees.
        let (Some(ctx), Some(wire)) = (unsafe { context_mut(ctx) }, unsafe { bytes(wire, len) }) else {
            return code(UsslResult::NullArgument);
        };
        match ctx.set_alpn_protocols(wire) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}
