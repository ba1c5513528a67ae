//! `ussl_context`: role, verification policy, trust anchors, our certificate and key, suites.

use super::*;
use crate::active::Context;
use crate::engine::{EngineContext, VerifyMode};
use crate::result::UsslResult;
use crate::Need;

/// A context: role, verification policy, trust anchors, our certificate and key.
pub struct ussl_context {
    pub(super) inner: Context,
    pub(super) server_side: bool,
}

/// # Safety
/// `out` must point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_new(server_side: bool, out: *mut *mut ussl_context) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        crate::deferred::drain();
        // SAFETY: forwarded caller guarantee.
        unsafe { hand_out(out, || Ok(ussl_context { inner: Context::new(server_side), server_side })) }
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

/// Limits the suites to `names` (`count` of them: OpenSSL, IANA or mbedTLS names), in that
/// order of preference. An unknown name, or none, is USSL_CODE_UNKNOWN_CIPHER_SUITE, which
/// leaves the suites as they were.
///
/// # Safety
/// `ctx` must be a live context; `names` NULL (with `count` 0) or `count` readable entries, each
/// pointing to its bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_ciphers(
    ctx: *mut ussl_context,
    names: *const ussl_bytes,
    count: usize,
) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantees.
        let (Some(ctx), Some(names)) = (unsafe { context_mut(ctx) }, unsafe { byte_strings(names, count) }) else {
            return code(UsslResult::NullArgument);
        };
        // A name that is not UTF-8 is no suite's.
        // SAFETY: each entry points to its bytes, per the contract.
        let names = names.iter().map(|n| core::str::from_utf8(unsafe { n.get() }).unwrap_or(""));
        match ctx.set_cipher_suites(names) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}

/// The OpenSSL names of the suites the context offers, in its order of preference, into `names`
/// (at most `cap` of them: USSL_LIMIT_MAX_CIPHER_SUITES is room for every one); returns how many were
/// written. The names are static.
///
/// # Safety
/// `ctx` must be a live context; `names` NULL or `cap` writable entries.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_ciphers(ctx: *const ussl_context, names: *mut ussl_bytes, cap: usize) -> usize {
    // SAFETY: forwarded caller guarantee.
    let (Some(ctx), false) = (unsafe { ctx.as_ref() }, names.is_null()) else { return 0 };
    // SAFETY: `names` has `cap` writable entries per the contract.
    let out = unsafe { core::slice::from_raw_parts_mut(names, cap) };
    let offered = (0..).map_while(|i| ctx.inner.cipher_name(i));
    out.iter_mut().zip(offered).map(|(slot, name)| *slot = ussl_bytes::of(name.as_bytes())).count()
}

/// Limits the key-exchange groups to `names` (`count` of them: OpenSSL's names, "X25519MLKEM768",
/// "X25519", "P-256"; a name starting with '?' is passed over when this build lacks it), in that
/// order of preference. An unknown name, or none, is USSL_CODE_UNKNOWN_GROUP, which leaves the
/// groups as they were.
///
/// # Safety
/// `ctx` must be a live context; `names` NULL (with `count` 0) or `count` readable entries, each
/// pointing to its bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_groups(
    ctx: *mut ussl_context,
    names: *const ussl_bytes,
    count: usize,
) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantees.
        let (Some(ctx), Some(names)) = (unsafe { context_mut(ctx) }, unsafe { byte_strings(names, count) }) else {
            return code(UsslResult::NullArgument);
        };
        // SAFETY: each entry points to its bytes, per the contract.
        let names = names.iter().map(|n| core::str::from_utf8(unsafe { n.get() }).unwrap_or(""));
        match ctx.set_groups(names) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}

/// The names of the groups the context offers, in its order of preference, into `names` (at
/// most `cap` of them: USSL_LIMIT_MAX_GROUPS is room for every one); returns how many were
/// written. The names are static.
///
/// # Safety
/// `ctx` must be a live context; `names` NULL or `cap` writable entries.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_groups(ctx: *const ussl_context, names: *mut ussl_bytes, cap: usize) -> usize {
    // SAFETY: forwarded caller guarantee.
    let (Some(ctx), false) = (unsafe { ctx.as_ref() }, names.is_null()) else { return 0 };
    // SAFETY: `names` has `cap` writable entries per the contract.
    let out = unsafe { core::slice::from_raw_parts_mut(names, cap) };
    let offered = (0..).map_while(|i| ctx.inner.group_name(i));
    out.iter_mut().zip(offered).map(|(slot, name)| *slot = ussl_bytes::of(name.as_bytes())).count()
}

/// Sets the ALPN protocols, `count` names of 1 to 255 bytes each (none: `count` 0): a client
/// offers them, a server picks the first of the client's it has. USSL_CODE_INVALID_ALPN for a
/// name out of those bounds, which leaves the protocols as they were.
///
/// # Safety
/// `ctx` must be a live context; `protocols` NULL (with `count` 0) or `count` readable entries,
/// each pointing to its bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_alpn(
    ctx: *mut ussl_context,
    protocols: *const ussl_bytes,
    count: usize,
) -> ussl_result {
    crate::engine_call(Need::Deep, || {
        // SAFETY: forwarded caller guarantees.
        let (Some(ctx), Some(protocols)) = (unsafe { context_mut(ctx) }, unsafe { byte_strings(protocols, count) })
        else {
            return code(UsslResult::NullArgument);
        };
        // SAFETY: each entry points to its bytes, per the contract.
        match ctx.set_alpn_protocols(protocols.iter().map(|p| unsafe { p.get() })) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}

/// True when `data` holds a PEM section ("-----BEGIN "): a str given where a certificate, key or
/// CA bundle goes is then its text rather than a path.
///
/// # Safety
/// `data` must be NULL or point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_looks_like_pem(data: *const u8, len: usize) -> bool {
    // SAFETY: forwarded caller guarantee.
    unsafe { bytes(data, len) }.is_some_and(crate::pem::looks_like_pem)
}
