//! The C contract of src/ffi.rs, as the shim relies on it: NULL handles and outputs give
//! USSL_CODE_NULL_ARGUMENT, outputs are left untouched on error, texts are NUL-terminated and
//! truncated to the buffer, and every code has a kind and a text.
use core::ffi::c_char;
use core::ptr;

use ussl::ffi::*;
use ussl::result::{UsslErrorKind, UsslResult};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
const NULL_ARGUMENT: u32 = UsslResult::NullArgument as u32;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{name}")).unwrap() // ok-panic: test
}

fn new_context(server: bool) -> *mut ussl_context {
    let mut ctx = ptr::null_mut();
    // SAFETY: `ctx` is writable.
    assert_eq!(unsafe { ussl_context_new(server, &mut ctx) }, 0);
    assert!(!ctx.is_null());
    ctx
}

#[test]
fn null_handles_and_outputs_are_refused() {
    // SAFETY: every pointer is NULL or valid; NULL is what is being tested.
    unsafe {
        assert_eq!(ussl_context_new(false, ptr::null_mut()), NULL_ARGUMENT);
        assert_eq!(ussl_context_set_verify_mode(ptr::null_mut(), 2), NULL_ARGUMENT);
        assert_eq!(ussl_context_set_hostname_required(ptr::null_mut(), true), NULL_ARGUMENT);
        assert_eq!(ussl_context_add_ca(ptr::null_mut(), b"x".as_ptr(), 1), NULL_ARGUMENT);
        assert_eq!(ussl_context_set_ciphers(ptr::null_mut(), names(&[b"x"]).as_ptr(), 1), NULL_ARGUMENT);
        assert_eq!(ussl_context_set_alpn(ptr::null_mut(), ptr::null(), 0), NULL_ARGUMENT);
        assert_eq!(ussl_conn_recv_commit(ptr::null_mut(), 0), NULL_ARGUMENT);
        assert_eq!(ussl_conn_close(ptr::null_mut()), NULL_ARGUMENT);
        assert_eq!(ussl_conn_hold_for_verify_callback(ptr::null_mut()), NULL_ARGUMENT);
        assert_eq!(ussl_context_set_key_log(ptr::null_mut(), true), NULL_ARGUMENT);
        assert_eq!(ussl_context_load_default_roots(ptr::null_mut()), NULL_ARGUMENT);
        assert_eq!(ussl_conn_verify_callback_verdict(ptr::null_mut(), true), NULL_ARGUMENT);
        let mut out = ptr::null_mut();
        assert_eq!(ussl_conn_new_client(ptr::null_mut(), ptr::null(), 0, ptr::null_mut(), &mut out), NULL_ARGUMENT);
        assert!(out.is_null());
        let mut info = ptr::null_mut();
        assert_eq!(ussl_certinfo_new(ptr::null(), 5, &mut info), NULL_ARGUMENT);
        assert!(info.is_null());
        let mut session = ptr::null_mut();
        assert_eq!(ussl_session_from_bytes(ptr::null(), 5, &mut session), NULL_ARGUMENT);
        assert_eq!(ussl_session_from_bytes(b"x".as_ptr(), 1, ptr::null_mut()), NULL_ARGUMENT);
        assert!(session.is_null());
        let (mut data, mut len) = (ptr::null(), 0usize);
        assert_eq!(ussl_session_serialize(ptr::null_mut(), &mut data, &mut len), NULL_ARGUMENT);
        // Freeing NULL is allowed, as free(3) does.
        ussl_context_free(ptr::null_mut());
        ussl_conn_free(ptr::null_mut());
        ussl_session_free(ptr::null_mut());
        ussl_certinfo_free(ptr::null_mut());
        // Queries on NULL answer "nothing".
        assert_eq!(ussl_conn_pending_output(ptr::null(), ptr::null_mut()), 0);
        assert_eq!(ussl_context_ciphers(ptr::null(), ptr::null_mut(), 0), 0);
        assert!(!ussl_conn_is_handshaking(ptr::null()));
        assert!(!ussl_conn_verify_callback_pending(ptr::null()));
        assert_eq!(ussl_conn_take_key_log(ptr::null(), ptr::null_mut(), 0), 0);
        assert_eq!(ussl_conn_error(ptr::null()), 0);
    }
}

#[test]
fn outputs_are_untouched_on_error() {
    let ctx = new_context(false);
    let sentinel = 0x5a5a_usize as *mut ussl_conn;
    let mut out = sentinel;
    // SAFETY: `ctx` is live, the hostname points to its bytes, `out` is writable.
    unsafe {
        let bad_name = b"bad host name!";
        assert_eq!(ussl_context_add_ca(ctx, read("ca.pem").as_ptr(), read("ca.pem").len()), 0);
        let rc = ussl_conn_new_client(ctx, bad_name.as_ptr(), bad_name.len(), ptr::null_mut(), &mut out);
        assert_eq!(rc, UsslResult::InvalidHostname as u32);
        assert_eq!(out, sentinel);
        // Not UTF-8.
        let rc = ussl_conn_new_client(ctx, [0xffu8, 0xfe].as_ptr(), 2, ptr::null_mut(), &mut out);
        assert_eq!(rc, UsslResult::InvalidHostname as u32);
        assert_eq!(out, sentinel);
        // A verify mode out of range leaves the mode as it was.
        assert_eq!(ussl_context_verify_mode(ctx), 2);
        assert_eq!(ussl_context_set_verify_mode(ctx, 9), UsslResult::InvalidVerifyMode as u32);
        assert_eq!(ussl_context_verify_mode(ctx), 2);
        // An unknown suite leaves the list as it was.
        let before = ciphers(ctx);
        let unknown = names(&[b"TLS_AES_128_GCM_SHA256", b"NO-SUCH-SUITE"]);
        assert_eq!(ussl_context_set_ciphers(ctx, unknown.as_ptr(), 2), UsslResult::UnknownCipherSuite as u32);
        assert_eq!(ussl_context_set_ciphers(ctx, ptr::null(), 0), UsslResult::UnknownCipherSuite as u32);
        assert_eq!(ciphers(ctx), before);
        // Garbage is not a session.
        let mut session = 0x66_usize as *mut ussl_session;
        let rc = ussl_session_from_bytes(b"garbage".as_ptr(), 7, &mut session);
        assert_eq!(rc, UsslResult::InvalidSessionData as u32);
        assert_eq!(ussl_session_from_bytes(ptr::null(), 0, &mut session), UsslResult::InvalidSessionData as u32);
        assert_eq!(session, 0x66_usize as *mut ussl_session);
        // Garbage is not a certificate.
        let mut info = 0x77_usize as *mut ussl_certinfo;
        assert_ne!(ussl_certinfo_new(b"garbage".as_ptr(), 7, &mut info), 0);
        assert_eq!(info, 0x77_usize as *mut ussl_certinfo);
        ussl_context_free(ctx);
    }
}

#[test]
fn mainline_hostname_rule_is_the_contexts() {
    let ctx = new_context(false);
    let ca = read("ca.pem");
    let mut conn = ptr::null_mut();
    // SAFETY: `ctx` is live; `ca` and `conn` are valid for the calls.
    unsafe {
        assert_eq!(ussl_context_add_ca(ctx, ca.as_ptr(), ca.len()), 0);
        // ussl's API: a verifying client without a name checks the chain only.
        assert_eq!(ussl_conn_new_client(ctx, ptr::null(), 0, ptr::null_mut(), &mut conn), 0);
        ussl_conn_free(conn);
        conn = ptr::null_mut();
        assert_eq!(ussl_context_set_hostname_required(ctx, true), 0);
        let rc = ussl_conn_new_client(ctx, ptr::null(), 0, ptr::null_mut(), &mut conn);
        assert_eq!(rc, UsslResult::HostnameRequired as u32);
        assert!(conn.is_null());
        // CERT_OPTIONAL does not need one.
        assert_eq!(ussl_context_set_verify_mode(ctx, 1), 0);
        assert_eq!(ussl_conn_new_client(ctx, ptr::null(), 0, ptr::null_mut(), &mut conn), 0);
        ussl_conn_free(conn);
        ussl_context_free(ctx);
    }
}

#[test]
fn texts_are_terminated_and_truncated() {
    let mut buf = [0x55 as c_char; 8];
    let code = UsslResult::HostnameMismatch as u32;
    // SAFETY: `buf` has `buf.len()` writable bytes; NULL with 0 asks for the length only.
    unsafe {
        let full = ussl_result_text(code, ptr::null_mut(), 0);
        assert_eq!(full, "hostname mismatch".len());
        let n = ussl_result_text(code, buf.as_mut_ptr(), buf.len());
        assert_eq!(n, 7);
        assert_eq!(buf[7], 0);
        let text: Vec<u8> = buf[..7].iter().map(|&c| c as u8).collect();
        assert_eq!(text, b"hostnam");
        assert_eq!(ussl_result_text(code, buf.as_mut_ptr(), 1), 0);
        assert_eq!(buf[0], 0);
        // An unknown code still has a text.
        assert!(ussl_result_text(999, ptr::null_mut(), 0) > 0);
    }
}

fn names(list: &[&[u8]]) -> Vec<ussl_bytes> {
    list.iter().map(|n| ussl_bytes { ptr: n.as_ptr(), len: n.len() }).collect()
}

/// The suite names a context offers.
fn ciphers(ctx: *const ussl_context) -> Vec<String> {
    let mut out = [ussl_bytes { ptr: ptr::null(), len: 0 }; 32];
    // SAFETY: `ctx` is live and `out` has room for 32 entries.
    let n = unsafe { ussl_context_ciphers(ctx, out.as_mut_ptr(), out.len()) };
    // SAFETY: the engine wrote `n` entries, each pointing to a static name.
    out[..n]
        .iter()
        .map(|b| String::from_utf8(unsafe { std::slice::from_raw_parts(b.ptr, b.len) }.to_vec()).unwrap())
        .collect()
}

/// The shim's array for get_ciphers() has room for every suite, and no more is ever written
/// than the room given; set_ciphers takes the names as they are given, in that order.
#[test]
fn suite_names_cross_as_arrays() {
    let ctx = new_context(false);
    let all = ciphers(ctx);
    assert!(all.len() <= UsslLimit::MaxCipherSuites.get(), "USSL_LIMIT_MAX_CIPHER_SUITES is too small");
    assert_eq!(all[0], "TLS_AES_128_GCM_SHA256");
    let mut one = [ussl_bytes { ptr: ptr::null(), len: 0 }; 2];
    // SAFETY: `ctx` is live; `one` has room for 2 entries and 1 is given; the lists point to their bytes.
    unsafe {
        assert_eq!(ussl_context_ciphers(ctx, one.as_mut_ptr(), 1), 1);
        assert!(one[1].ptr.is_null());
        let chosen = names(&[b"TLS_CHACHA20_POLY1305_SHA256", b"tls-aes-128-gcm-sha256"]);
        assert_eq!(ussl_context_set_ciphers(ctx, chosen.as_ptr(), 2), 0);
        ussl_context_free(ctx);
    }
    // Not UTF-8: no suite's name.
    let ctx = new_context(false);
    // SAFETY: as above.
    unsafe {
        assert_eq!(
            ussl_context_set_ciphers(ctx, names(&[&[0xff, 0xfe]]).as_ptr(), 1),
            UsslResult::UnknownCipherSuite as u32
        );
        ussl_context_free(ctx);
    }
}

/// The groups a context offers, in order.
fn groups(ctx: *const ussl_context) -> Vec<String> {
    let mut out = [ussl_bytes { ptr: ptr::null(), len: 0 }; 8];
    // SAFETY: `ctx` is live and `out` has room for 8 entries.
    let n = unsafe { ussl_context_groups(ctx, out.as_mut_ptr(), out.len()) };
    // SAFETY: the engine wrote `n` entries, each pointing to a static name.
    out[..n]
        .iter()
        .map(|b| String::from_utf8(unsafe { std::slice::from_raw_parts(b.ptr, b.len) }.to_vec()).unwrap())
        .collect()
}

/// get_groups() fits the shim's array; set_groups keeps the order given, passes over a name
/// marked '?' that the build lacks, and leaves the groups as they were after an error.
#[test]
fn group_names_cross_as_arrays() {
    let ctx = new_context(false);
    let all = groups(ctx);
    assert!(all.len() <= UsslLimit::MaxGroups.get(), "USSL_LIMIT_MAX_GROUPS is too small");
    #[cfg(feature = "pq")]
    assert_eq!(all, ["X25519MLKEM768", "X25519", "P-256"]);
    #[cfg(not(feature = "x25519"))]
    assert_eq!(all, ["P-256"]);
    // SAFETY: `ctx` is live; the lists point to their bytes.
    unsafe {
        let chosen = names(&[b"prime256v1", b"?P-999", b"p-256"]);
        assert_eq!(ussl_context_set_groups(ctx, chosen.as_ptr(), 3), 0);
        assert_eq!(groups(ctx), ["P-256"]);
        let unknown = names(&[b"P-999", b"P-256"]);
        assert_eq!(ussl_context_set_groups(ctx, unknown.as_ptr(), 2), UsslResult::UnknownGroup as u32);
        assert_eq!(ussl_context_set_groups(ctx, ptr::null(), 0), UsslResult::UnknownGroup as u32);
        assert_eq!(groups(ctx), ["P-256"]);
        ussl_context_free(ctx);
    }
}

#[test]
fn every_code_has_a_kind_and_a_text() {
    let mut seen = 0;
    for code in 0..1000 {
        let Some(r) = UsslResult::from_u32(code) else { continue };
        seen += 1;
        let kind = ussl_result_kind(code);
        assert_eq!(kind, r.kind());
        assert_eq!(kind == UsslErrorKind::None, code == 0);
        // SAFETY: NULL with 0 asks for the length only.
        let len = unsafe { ussl_result_text(code, ptr::null_mut(), 0) };
        assert!(len > 0 && len < UsslLimit::ErrorTextCap.get(), "{code}'s text does not fit the shim's buffer");
    }
    assert!(seen > 40);
    assert_eq!(ussl_result_kind(999), UsslErrorKind::Tls);
}

#[test]
fn hostname_matching_takes_the_headers_name_kinds() {
    let dns = b"*.example.com";
    let names = [ussl_cert_name { kind: UsslNameKind::Dns as u32, name: dns.as_ptr(), len: dns.len() }];
    let host = b"www.example.com";
    let other = b"example.org";
    // SAFETY: `names` holds one entry whose name points to its bytes; hosts likewise.
    unsafe {
        assert!(ussl_match_hostname(names.as_ptr(), 1, host.as_ptr(), host.len()));
        assert!(!ussl_match_hostname(names.as_ptr(), 1, other.as_ptr(), other.len()));
        assert!(!ussl_match_hostname(ptr::null(), 0, host.as_ptr(), host.len()));
    }
}

#[test]
fn alpn_protocols_cross_as_an_array_of_names() {
    let ctx = new_context(false);
    let invalid = UsslResult::InvalidAlpn as u32;
    let long = [b'x'; 256];
    // SAFETY: `ctx` is live; each list points to its entries, each entry to its bytes.
    unsafe {
        assert_eq!(ussl_context_set_alpn(ctx, names(&[b"h2", b"http/1.1"]).as_ptr(), 2), 0);
        assert_eq!(ussl_context_set_alpn(ctx, names(&[&long[..255]]).as_ptr(), 1), 0);
        assert_eq!(ussl_context_set_alpn(ctx, names(&[&long[..]]).as_ptr(), 1), invalid); // too long
        assert_eq!(ussl_context_set_alpn(ctx, names(&[b"h2", b""]).as_ptr(), 2), invalid); // an empty name
        assert_eq!(ussl_context_set_alpn(ctx, ptr::null(), 0), 0); // none
        assert_eq!(ussl_context_set_alpn(ctx, ptr::null(), 1), NULL_ARGUMENT);
        let mut name = ptr::null();
        assert_eq!(ussl_conn_alpn(ptr::null(), &mut name), 0);
        assert!(name.is_null());
        ussl_context_free(ctx);
    }
}

/// A str given for a certificate is its PEM text when it has a section's start, else a path.
#[test]
fn pem_text_is_told_from_a_path() {
    let pem = read("ca.pem");
    // SAFETY: each pointer points to its bytes, or is NULL with 0.
    unsafe {
        assert!(ussl_looks_like_pem(pem.as_ptr(), pem.len()));
        let text = b"junk before -----BEGIN CERTIFICATE-----";
        assert!(ussl_looks_like_pem(text.as_ptr(), text.len()));
        for path in [&b"/flash/ca.pem"[..], b"-----BEGIN", b"-----BEGINCERT", b""] {
            assert!(!ussl_looks_like_pem(path.as_ptr(), path.len()), "{:?}", String::from_utf8_lossy(path));
        }
        assert!(!ussl_looks_like_pem(ptr::null(), 0));
    }
}

/// What the shim saw outside the engine (the socket's error, a timeout) becomes the connection's
/// sticky error, which every later call reports; the first failure stays.
#[test]
fn a_failure_seen_outside_is_the_connections() {
    let ctx = new_context(false);
    let failed = UsslResult::SocketFailed as u32;
    let (mut conn, mut fresh) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: `ctx` is live; the connections are made before use; the outputs are writable.
    unsafe {
        assert_eq!(ussl_context_set_verify_mode(ctx, 0), 0);
        assert_eq!(ussl_conn_new_client(ctx, ptr::null(), 0, ptr::null_mut(), &mut conn), 0);
        assert_eq!(ussl_conn_error_errno(conn), 0);
        assert_eq!(ussl_conn_fail(conn, failed, 104), failed);
        assert_eq!((ussl_conn_error(conn), ussl_conn_error_errno(conn)), (failed, 104));
        assert_eq!(ussl_conn_fail(conn, UsslResult::HandshakeTimeout as u32, 0), failed);
        let (mut space, mut len) = (ptr::null_mut(), 0usize);
        assert_eq!(ussl_conn_recv_space(conn, &mut space, &mut len), failed);
        assert_eq!(ussl_result_kind(failed), UsslErrorKind::Os);
        // No code is the shim's mistake, not a success.
        assert_eq!(ussl_conn_new_client(ctx, ptr::null(), 0, ptr::null_mut(), &mut fresh), 0);
        assert_eq!(ussl_conn_fail(fresh, 0, 0), UsslResult::Internal as u32);
        assert_eq!(ussl_conn_fail(ptr::null_mut(), failed, 1), NULL_ARGUMENT);
        ussl_conn_free(conn);
        ussl_conn_free(fresh);
        ussl_context_free(ctx);
    }
}
