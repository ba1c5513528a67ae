//! The fuzz targets' bodies, shared with the test that replays every finding
//! (tests/fuzz_regressions.rs): each function takes one input and must not panic.
#![allow(dead_code)]
use std::cell::RefCell;

use rustls::pki_types::ServerName;
use sha2::{Digest, Sha256};
use ussl::connection::Connection;
use ussl::context::{Context, VerifyMode};
use ussl::engine::{EngineConnection, EngineContext, EngineSession};
use ussl::hostname::{dns_matches, matches, CertName};
use ussl::keys;
use ussl::session::Session;

#[path = "feed.rs"]
mod feed;
use feed::feed;

const CA: &[u8] = include_bytes!("../tests/data/ca.pem");
const EC_CERT: &[u8] = include_bytes!("../tests/data/ec.pem");
const EC_KEY: &[u8] = include_bytes!("../tests/data/ec.key");
const RSA_CERT: &[u8] = include_bytes!("../tests/data/rsa.pem");
const RSA_KEY: &[u8] = include_bytes!("../tests/data/rsa.key");

/// Session bytes (`SSLSession(data)`): the input is a session body; it gets a valid check and
/// the fingerprint of a real context, so the parser and the session's use in a ClientHello are
/// reached, not just the check. Whatever parses must serialize to the same bytes.
pub fn session_bytes(body: &[u8]) {
    // The input as it is: the check must refuse what it does not match.
    let _ = Session::from_bytes(body);
    let mut ctx = Context::new(false);
    if ctx.add_trust_anchors(CA).is_err() {
        return;
    }
    let Ok(setup) = ctx.client_setup(true) else { return };
    let mut data = body.to_vec();
    if let Some(fingerprint) = data.get_mut(6..38) {
        fingerprint.copy_from_slice(&setup.fingerprint);
    }
    data.extend_from_slice(&Sha256::digest(&data)[..16]);
    let Ok(mut session) = Session::from_bytes(&data) else { return };
    let again = session.serialize().expect("a rebuilt session serializes");
    assert_eq!(&again[..], &data[..], "serialize(SSLSession(data)) != data");
    let name = match &session.server_name {
        ServerName::DnsName(d) => d.as_ref().to_owned(),
        _ => "localhost".to_owned(),
    };
    if let Ok(mut conn) = Connection::client(&mut ctx, Some(&name), Some(&mut session)) {
        let n = conn.pending_output().len();
        conn.consume_output(n);
    }
    // Offered, the session is rustls's value again: what it serializes to now must read back.
    if let Ok(again) = session.serialize() {
        let reread = Session::from_bytes(&again).expect("a session's own bytes read back");
        assert_eq!(reread.fingerprint, session.fingerprint);
    }
}

/// Loading certificates, keys and CA bundles (PEM or DER) into contexts: the first byte picks
/// what the rest is loaded as.
pub fn pem_der(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else { return };
    match which % 5 {
        0 => {
            let _ = keys::load_certificates(rest);
        }
        1 => {
            let _ = keys::load_private_key(rest);
        }
        2 => {
            let mut ctx = Context::new(false);
            let _ = ctx.add_trust_anchors(rest);
            let _ = ctx.client_setup(true);
        }
        3 => {
            let mut ctx = Context::new(true);
            let _ = ctx.set_certificate(rest, EC_KEY);
            let _ = ctx.server_config();
        }
        _ => {
            let mut ctx = Context::new(true);
            let _ = ctx.set_certificate(EC_CERT, rest);
            let _ = ctx.server_config();
        }
    }
}

/// The client engine after its ClientHello, fed arbitrary bytes as the server's. The first byte
/// picks the offer (TLS 1.3 only, TLS 1.2 only, both) and the size of the pieces the bytes
/// arrive in, as a socket delivers them.
pub fn client_engine(data: &[u8]) {
    let Some((&knobs, input)) = data.split_first() else { return };
    let offer = usize::from(knobs % 3);
    with_context(&CLIENTS, offer, client_context, |ctx| {
        let Ok(mut conn) = Connection::client(ctx, Some("localhost"), None) else { return };
        feed(&mut conn, input, usize::from(knobs / 3) + 1);
    });
}

fn client_context(offer: usize) -> Option<Context> {
    let mut ctx = Context::new(false);
    ctx.add_trust_anchors(CA).ok()?;
    let suites: &[&str] = match offer {
        0 => &["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"],
        1 => &["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305"],
        _ => &[],
    };
    if !suites.is_empty() {
        ctx.set_cipher_suites(suites.iter().copied()).ok()?;
    }
    Some(ctx)
}

/// The server engine fed arbitrary bytes as the client's. The first byte picks the server's
/// certificate (ECDSA or RSA), whether it asks for a client certificate, and the size of the
/// pieces the bytes arrive in.
pub fn server_engine(data: &[u8]) {
    let Some((&knobs, input)) = data.split_first() else { return };
    with_context(&SERVERS, usize::from(knobs & 3), server_context, |ctx| {
        let Ok(mut conn) = Connection::server(ctx) else { return };
        feed(&mut conn, input, usize::from(knobs >> 2) + 1);
    });
}

fn server_context(variant: usize) -> Option<Context> {
    let mut ctx = Context::new(true);
    let (cert, key) = if variant & 1 == 0 { (EC_CERT, EC_KEY) } else { (RSA_CERT, RSA_KEY) };
    ctx.set_certificate(cert, key).ok()?;
    if variant & 2 != 0 {
        ctx.add_trust_anchors(CA).ok()?;
        ctx.set_verify_mode(VerifyMode::Optional);
    }
    Some(ctx)
}

// Contexts are made once per variant and kept: loading an RSA key per input made the server
// target 30 times slower. What a context keeps between inputs (a session cache, ticket keys)
// cannot be reached by an input that does not already hold a secret of it.
thread_local! {
    static CLIENTS: RefCell<Vec<Option<Context>>> = const { RefCell::new(Vec::new()) };
    static SERVERS: RefCell<Vec<Option<Context>>> = const { RefCell::new(Vec::new()) };
}

fn with_context(
    cache: &'static std::thread::LocalKey<RefCell<Vec<Option<Context>>>>,
    variant: usize,
    make: fn(usize) -> Option<Context>,
    run: impl FnOnce(&mut Context),
) {
    cache.with(|cell| {
        let mut contexts = cell.borrow_mut();
        while contexts.len() <= variant {
            let next = contexts.len();
            contexts.push(make(next));
        }
        if let Some(ctx) = contexts[variant].as_mut() {
            run(ctx);
        }
    });
}

/// Hostname matching: a pattern from a certificate and a hostname, split at the first NUL.
pub fn hostname(data: &[u8]) {
    let Some(split) = data.iter().position(|&b| b == 0) else { return };
    let (pattern, hostname) = (&data[..split], &data[split + 1..]);
    let (Ok(pattern), Ok(hostname)) = (core::str::from_utf8(pattern), core::str::from_utf8(hostname)) else { return };
    let _ = matches(&[CertName::Dns(pattern), CertName::CommonName(pattern), CertName::Ip(pattern)], hostname);
    if !dns_matches(pattern, hostname) {
        return;
    }
    let strip = |s: &str| s.strip_suffix('.').unwrap_or(s).to_ascii_lowercase();
    let (pattern, hostname) = (strip(pattern), strip(hostname));
    match pattern.strip_prefix("*.") {
        // A wildcard stands for exactly one non-empty label.
        Some(base) => {
            let (first, rest) = hostname.split_once('.').expect("a wildcard match has a dot");
            assert!(!first.is_empty() && rest == base, "{pattern:?} matched {hostname:?}");
        }
        // Otherwise a name matches only itself.
        None => assert_eq!(pattern, hostname),
    }
}
