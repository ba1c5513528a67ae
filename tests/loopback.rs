#![cfg(feature = "server")]
//! Our client against our server in one process, over every suite we offer, with the
//! provider's known-answer tests alongside. The pytest suite covers foreign peers.
use ussl::connection::Connection;
use ussl::context::{Context, VerifyMode};
use ussl::engine::{EngineConnection, EngineContext, EngineSession};
use ussl::result::UsslResult;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{name}")).unwrap()
}

/// Moves everything `from` wants to send into `to`, one piece at a time as a socket would.
fn transfer(from: &mut Connection, to: &mut Connection) -> Result<usize, UsslResult> {
    let mut moved = 0;
    loop {
        let out = from.pending_output().to_vec();
        if out.is_empty() {
            return Ok(moved);
        }
        let mut offset = 0;
        while offset < out.len() {
            let want = to.recv_want();
            if want == 0 {
                break;
            }
            let space = to.recv_space()?;
            let n = space.len().min(out.len() - offset);
            space[..n].copy_from_slice(&out[offset..offset + n]);
            to.recv_commit(n)?;
            offset += n;
        }
        from.consume_output(offset);
        moved += offset;
    }
}

fn handshake(client: &mut Connection, server: &mut Connection) -> Result<(), UsslResult> {
    for _ in 0..20 {
        let a = transfer(client, server)?;
        let b = transfer(server, client)?;
        if a == 0 && b == 0 && !client.is_handshaking() && !server.is_handshaking() {
            return Ok(());
        }
    }
    Err(UsslResult::Internal)
}

fn server_ctx(kind: &str) -> Context {
    let mut ctx = Context::new(true);
    ctx.set_certificate(&read(&format!("{kind}.pem")), &read(&format!("{kind}.key"))).unwrap();
    ctx
}

fn client_ctx() -> Context {
    let mut ctx = Context::new(false);
    ctx.add_trust_anchors(&read("ca.pem")).unwrap();
    ctx
}

fn exchange(client: &mut Connection, server: &mut Connection, payload: &[u8]) {
    let mut sent = 0;
    while sent < payload.len() {
        sent += client.write(&payload[sent..]).unwrap();
        transfer(client, server).unwrap();
    }
    let mut got = vec![0u8; payload.len()];
    let mut n = 0;
    while n < payload.len() {
        let k = server.read(&mut got[n..]);
        assert!(k > 0, "server got {n} of {} bytes", payload.len());
        n += k;
    }
    assert_eq!(got, payload);
}

#[test]
fn every_suite_round_trips() {
    let suites = [
        ("TLS_AES_128_GCM_SHA256", "ec", "TLSv1.3"),
        ("TLS_AES_256_GCM_SHA384", "rsa", "TLSv1.3"),
        ("TLS_CHACHA20_POLY1305_SHA256", "ec", "TLSv1.3"),
        ("ECDHE-ECDSA-AES128-GCM-SHA256", "ec", "TLSv1.2"),
        ("ECDHE-ECDSA-AES256-GCM-SHA384", "ec", "TLSv1.2"),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", "ec", "TLSv1.2"),
        ("ECDHE-RSA-AES128-GCM-SHA256", "rsa", "TLSv1.2"),
        ("ECDHE-RSA-AES256-GCM-SHA384", "rsa", "TLSv1.2"),
        ("ECDHE-RSA-CHACHA20-POLY1305", "rsa", "TLSv1.2"),
    ];
    for (suite, kind, version) in suites {
        let mut sctx = server_ctx(kind);
        let mut cctx = client_ctx();
        cctx.set_cipher_suites([suite]).unwrap();
        let mut client = Connection::client(&mut cctx, Some("localhost"), None).unwrap();
        let mut server = Connection::server(&mut sctx).unwrap();
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{suite}: {e:?}"));
        assert_eq!(client.cipher().unwrap().0, suite);
        assert_eq!(server.cipher().unwrap().0, suite);
        assert_eq!(client.protocol_version(), Some(version));
        let big: Vec<u8> = (0..40_000u32).map(|i| (i * 7) as u8).collect();
        exchange(&mut client, &mut server, &big);
        exchange(&mut server, &mut client, b"and back");
        client.close().unwrap();
        transfer(&mut client, &mut server).unwrap();
        assert!(server.at_eof(), "{suite}: close_notify not seen");
    }
}

#[test]
fn client_certificates_are_required_and_verified() {
    let mut sctx = server_ctx("ec");
    sctx.add_trust_anchors(&read("ca.pem")).unwrap();
    sctx.set_verify_mode(VerifyMode::Required);

    // Without a certificate the server refuses.
    let mut cctx = client_ctx();
    let mut client = Connection::client(&mut cctx, Some("localhost"), None).unwrap();
    let mut server = Connection::server(&mut sctx).unwrap();
    let err = handshake(&mut client, &mut server).unwrap_err();
    assert_eq!(err, UsslResult::NoPeerCertificate);

    // With one it works, and the server sees it.
    let mut cctx = client_ctx();
    cctx.set_certificate(&read("rsa.pem"), &read("rsa.key")).unwrap();
    let mut client = Connection::client(&mut cctx, Some("localhost"), None).unwrap();
    let mut server = Connection::server(&mut sctx).unwrap();
    handshake(&mut client, &mut server).unwrap();
    assert_eq!(server.peer_certificates().len(), 1);
}

#[test]
fn wrong_name_and_unknown_issuer_fail() {
    let mut sctx = server_ctx("ec");
    let mut cctx = client_ctx();
    let mut client = Connection::client(&mut cctx, Some("other.example"), None).unwrap();
    let mut server = Connection::server(&mut sctx).unwrap();
    assert_eq!(handshake(&mut client, &mut server).unwrap_err(), UsslResult::HostnameMismatch);
    assert_eq!(client.error(), Some(UsslResult::HostnameMismatch));

    let mut cctx = Context::new(false);
    cctx.add_trust_anchors(&read("rsa.pem")).unwrap();
    let mut client = Connection::client(&mut cctx, Some("localhost"), None).unwrap();
    let mut server = Connection::server(&mut sctx).unwrap();
    assert_eq!(handshake(&mut client, &mut server).unwrap_err(), UsslResult::UnknownIssuer);
}

#[test]
fn garbage_into_a_server_is_an_error_not_a_crash() {
    let mut sctx = server_ctx("ec");
    for garbage in
        [&b"GET / HTTP/1.1\r\n\r\n"[..], &[0x16, 3, 1, 0, 4, 1, 0, 0, 0][..], &[0x16, 3, 3, 0, 4, 0xff, 0, 0, 0][..]]
    {
        let mut server = Connection::server(&mut sctx).unwrap();
        let mut result = Ok(());
        let mut rest = garbage;
        while !rest.is_empty() && result.is_ok() {
            let space = match server.recv_space() {
                Ok(s) => s,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let n = space.len().min(rest.len());
            space[..n].copy_from_slice(&rest[..n]);
            result = server.recv_commit(n);
            rest = &rest[n..];
        }
        assert!(result.is_err(), "garbage {garbage:?} accepted");
    }
}

#[test]
fn server_resumes_tls13_and_tls12() {
    // One client context keeps its sessions, so its second connection resumes.
    for suite in ["TLS_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"] {
        let mut sctx = server_ctx("ec");
        let mut cctx = client_ctx();
        cctx.set_cipher_suites([suite]).unwrap();
        for round in 0..2 {
            let mut client = Connection::client(&mut cctx, Some("localhost"), None).unwrap();
            let mut server = Connection::server(&mut sctx).unwrap();
            handshake(&mut client, &mut server).unwrap();
            // TLS 1.3 tickets come after the handshake.
            exchange(&mut server, &mut client, b"ticket please");
            assert_eq!(server.session_reused(), round == 1, "{suite} round {round}");
            assert_eq!(client.session_reused(), round == 1, "{suite} round {round}");
        }
    }
}

/// The server certificate a suite needs.
fn server_kind(suite: &str) -> &'static str {
    if suite.starts_with("ECDHE-RSA") {
        "rsa"
    } else {
        "ec"
    }
}

/// A client context that offers `suite` alone.
fn suite_client(suite: &str) -> Context {
    let mut c = client_ctx();
    c.set_cipher_suites([suite]).unwrap();
    c
}

/// A verified handshake to `localhost`, with the tickets it brings taken in.
fn first_connection(cctx: &mut Context, sctx: &mut Context) -> Connection {
    let mut client = Connection::client(cctx, Some("localhost"), None).unwrap();
    let mut server = Connection::server(sctx).unwrap();
    handshake(&mut client, &mut server).unwrap();
    exchange(&mut server, &mut client, b"tickets");
    client
}

#[test]
fn saved_sessions_resume_only_under_the_same_settings() {
    for suite in ["TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"] {
        let (mut sctx, mut cctx) = (server_ctx(server_kind(suite)), suite_client(suite));
        let client = first_connection(&mut cctx, &mut sctx);
        let fresh_client = || suite_client(suite);
        let mut saved = client.save_session().unwrap();

        // A new context with the same settings (what ussl.wrap_socket makes each time) resumes.
        let mut cctx = fresh_client();
        let mut client = Connection::client(&mut cctx, Some("localhost"), Some(&mut saved)).unwrap();
        let mut server = Connection::server(&mut sctx).unwrap();
        handshake(&mut client, &mut server).unwrap();
        assert!(client.session_reused(), "{suite}: not resumed");
        exchange(&mut server, &mut client, b"tickets");
        let mut newer = client.save_session().unwrap();

        // Another name, or other trust anchors: a full handshake, no error.
        let mut cctx = fresh_client();
        let mut client = Connection::client(&mut cctx, Some("127.0.0.1"), Some(&mut newer)).unwrap();
        let mut server = Connection::server(&mut sctx).unwrap();
        handshake(&mut client, &mut server).unwrap();
        assert!(!client.session_reused());
        let mut cctx = fresh_client();
        cctx.add_trust_anchors(&read("rsa.pem")).unwrap();
        let mut client = Connection::client(&mut cctx, Some("localhost"), Some(&mut newer)).unwrap();
        let mut server = Connection::server(&mut sctx).unwrap();
        handshake(&mut client, &mut server).unwrap();
        assert!(!client.session_reused());
    }
}

#[test]
fn sessions_rebuilt_from_bytes_resume_and_keep_the_leaf() {
    use ussl::session::Session;
    for suite in ["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"] {
        let (mut sctx, mut cctx) = (server_ctx(server_kind(suite)), suite_client(suite));
        let client = first_connection(&mut cctx, &mut sctx);
        let fresh_client = || suite_client(suite);
        let leaf = client.peer_certificates().first().unwrap().to_vec();
        let bytes = client.save_session().unwrap().serialize().unwrap().to_vec();

        // As after a reboot: nothing of the first context is left.
        drop((client, cctx));
        let mut rebuilt = Session::from_bytes(&bytes).unwrap();
        assert_eq!(rebuilt.serialize().unwrap().as_slice(), bytes.as_slice(), "{suite}: bytes round trip");
        let mut cctx = fresh_client();
        let mut client = Connection::client(&mut cctx, Some("localhost"), Some(&mut rebuilt)).unwrap();
        let mut server = Connection::server(&mut sctx).unwrap();
        handshake(&mut client, &mut server).unwrap();
        assert!(client.session_reused() && server.session_reused(), "{suite}: not resumed");
        assert_eq!(client.peer_certificates().iter().map(|c| c.to_vec()).collect::<Vec<_>>(), vec![leaf]);
        exchange(&mut client, &mut server, b"after resumption");

        // Another suite setting is another fingerprint: a full handshake.
        let mut other = client_ctx();
        let mut rebuilt = Session::from_bytes(&bytes).unwrap();
        let mut client = Connection::client(&mut other, Some("localhost"), Some(&mut rebuilt)).unwrap();
        let mut server = Connection::server(&mut sctx).unwrap();
        handshake(&mut client, &mut server).unwrap();
        assert!(!client.session_reused(), "{suite}");
    }
}

#[test]
fn session_bytes_that_are_not_ours_are_refused() {
    use ussl::session::Session;
    for bad in [&b""[..], b"uSSN", &[0u8; 64][..], &[0xffu8; 400][..]] {
        assert_eq!(Session::from_bytes(bad).err(), Some(UsslResult::InvalidSessionData));
    }
}

#[test]
fn a_connection_without_a_server_name_keeps_no_session() {
    // Its session would be filed under the placeholder name and offered to every other server.
    let mut sctx = server_ctx("ec");
    let mut cctx = client_ctx();
    cctx.set_verify_mode(ussl::context::VerifyMode::None);
    let mut client = Connection::client(&mut cctx, None, None).unwrap();
    let mut server = Connection::server(&mut sctx).unwrap();
    handshake(&mut client, &mut server).unwrap();
    exchange(&mut server, &mut client, b"tickets");
    assert_eq!(client.save_session().err(), Some(UsslResult::NoSession));
    let mut client = Connection::client(&mut cctx, None, None).unwrap();
    let mut server = Connection::server(&mut sctx).unwrap();
    handshake(&mut client, &mut server).unwrap();
    assert!(!client.session_reused());
}

#[test]
fn provider_known_answers() {
    let provider = ussl::provider::provider();
    let rustls::SupportedCipherSuite::Tls13(suite) = provider.cipher_suites[0] else { panic!("TLS 1.3 first") };
    // FIPS 180-2: SHA-256("abc").
    assert_eq!(
        suite.common.hash_provider.hash(b"abc").as_ref(),
        &hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")[..]
    );
    // RFC 5869 test case 1 (HKDF-SHA256 over our HMAC): the first block of OKM.
    let ikm = [0x0bu8; 22];
    let salt = hex("000102030405060708090a0b0c");
    let info = hex("f0f1f2f3f4f5f6f7f8f9");
    let expander = suite.hkdf_provider.extract_from_secret(Some(&salt), &ikm);
    let block = expander.expand_block(&[&info]);
    assert_eq!(block.as_ref(), &hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf")[..]);
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// A client held for a verify_callback gives out nothing after the server's flight until the
/// verdict; accepted, the handshake completes; refused, our last flight never leaves.
#[test]
fn verify_callback_hold_withholds_the_last_flight() {
    for accept in [true, false] {
        let (mut sctx, mut cctx) = (server_ctx("ec"), client_ctx());
        let mut client = Connection::client(&mut cctx, Some("localhost"), None).unwrap();
        client.hold_for_verify_callback();
        let mut server = Connection::server(&mut sctx).unwrap();
        assert!(!client.verify_callback_pending(), "nothing to judge before the server's certificate");
        transfer(&mut client, &mut server).unwrap();
        transfer(&mut server, &mut client).unwrap();
        assert!(client.verify_callback_pending());
        assert!(client.is_handshaking());
        assert!(client.pending_output().is_empty(), "the client's Finished waits for the verdict");
        assert!(client.write(b"early").is_err());
        if accept {
            client.verify_callback_verdict(true).unwrap();
            handshake(&mut client, &mut server).unwrap();
            exchange(&mut client, &mut server, b"after the verdict");
        } else {
            assert_eq!(client.verify_callback_verdict(false), Err(UsslResult::VerifyCallbackRefused));
            assert!(client.pending_output().is_empty());
            assert_eq!(client.error(), Some(UsslResult::VerifyCallbackRefused));
            assert!(server.is_handshaking(), "the server never got our Finished");
        }
    }
}
