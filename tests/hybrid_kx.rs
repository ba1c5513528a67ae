//! X25519MLKEM768 as the provider runs it (src/provider/kx_mlkem.rs, kx_hybrid.rs): the layout
//! of draft-ietf-tls-ecdhe-mlkem checked against known answers of its two halves (ML-KEM-768 from
//! NIST's ACVP vectors, X25519 from RFC 7748 section 6.1), a round trip, and every malformed
//! share refused with InvalidKeyShare (which rustls answers with illegal_parameter) on both sides.
#![cfg(feature = "pq")]

use rustls::crypto::SupportedKxGroup;
use rustls::{Error, NamedGroup, PeerMisbehaved};
use ussl::provider::kx_mlkem::{kat, X25519MLKEM768};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

const ALICE_SECRET: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const ALICE_PUBLIC: &str = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
const BOB_SECRET: &str = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
const BOB_PUBLIC: &str = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
const X25519_SHARED: &str = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

struct Acvp {
    d: [u8; 32],
    z: [u8; 32],
    /// The encapsulation key of (d, z).
    keygen_ek: Vec<u8>,
    /// An encapsulation test: its key, m, ciphertext and secret.
    ek: Vec<u8>,
    m: [u8; 32],
    c: Vec<u8>,
    k: Vec<u8>,
}

fn acvp() -> Acvp {
    let path = format!("{}/tests/data/mlkem/acvp-768.json", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    let field = |t: &serde_json::Value, name: &str| hex(t[name].as_str().expect("field"));
    let (keygen, encaps) = (&doc["keyGen"][0], &doc["encapsulation"][0]);
    Acvp {
        d: field(keygen, "d").try_into().expect("d"),
        z: field(keygen, "z").try_into().expect("z"),
        keygen_ek: field(keygen, "ek"),
        ek: field(encaps, "ek"),
        m: field(encaps, "m").try_into().expect("m"),
        c: field(encaps, "c"),
        k: field(encaps, "k"),
    }
}

fn invalid_key_share<T>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare)))
}

/// Client share = ML-KEM-768 encapsulation key || X25519 public key.
#[test]
fn client_share_is_encapsulation_key_then_x25519() {
    let v = acvp();
    let client = kat::client(&v.d, &v.z, &hex(ALICE_SECRET)).expect("client");
    assert_eq!(client.group(), NamedGroup::X25519MLKEM768);
    assert_eq!(u16::from(client.group()), 0x11ec);
    assert_eq!(client.pub_key().len(), 1184 + 32);
    assert!(client.pub_key() == [&v.keygen_ek[..], &hex(ALICE_PUBLIC)].concat(), "client share layout");
    // The X25519 half, which the client also offers as a share of its own.
    let (group, share) = client.hybrid_component().expect("component");
    assert_eq!(group, NamedGroup::X25519);
    assert_eq!(share, hex(ALICE_PUBLIC));
}

/// Server share = ML-KEM-768 ciphertext || X25519 public key; secret = ML-KEM secret || X25519
/// secret.
#[test]
fn server_share_and_secret_layout() {
    let v = acvp();
    let client_share = [&v.ek[..], &hex(ALICE_PUBLIC)].concat();
    let done = kat::server(&client_share, &v.m, &hex(BOB_SECRET)).expect("server");
    assert_eq!(done.group, NamedGroup::X25519MLKEM768);
    assert_eq!(done.pub_key.len(), 1088 + 32);
    assert!(done.pub_key == [&v.c[..], &hex(BOB_PUBLIC)].concat(), "server share layout");
    assert_eq!(done.secret.secret_bytes(), [&v.k[..], &hex(X25519_SHARED)].concat(), "secret layout");
}

/// The client's completion splits the server's share and orders the secret as the server does.
#[test]
fn round_trip_secrets_agree() {
    let v = acvp();
    let client = kat::client(&v.d, &v.z, &hex(ALICE_SECRET)).expect("client");
    let done = kat::server(client.pub_key(), &v.m, &hex(BOB_SECRET)).expect("server");
    let (_, mlkem_secret) = kat::encaps(&v.keygen_ek, &v.m).expect("encaps");
    let expected = [&mlkem_secret[..], &hex(X25519_SHARED)].concat();
    assert_eq!(done.secret.secret_bytes(), expected);
    let secret = client.complete(&done.pub_key).expect("complete");
    assert_eq!(secret.secret_bytes(), expected);

    // The same through the provider's random path.
    let client = X25519MLKEM768.start().expect("start");
    let done = X25519MLKEM768.start_and_complete(client.pub_key()).expect("server");
    assert_eq!(done.group, NamedGroup::X25519MLKEM768);
    let secret = client.complete(&done.pub_key).expect("complete");
    assert_eq!(secret.secret_bytes().len(), 64);
    assert_eq!(secret.secret_bytes(), done.secret.secret_bytes());
}

/// The server refuses a client share of the wrong length, an encapsulation key with an
/// unreduced coefficient, and an X25519 share of small order.
#[test]
fn server_refuses_malformed_client_shares() {
    let client = X25519MLKEM768.start().expect("start");
    let good = client.pub_key().to_vec();
    assert!(X25519MLKEM768.start_and_complete(&good).is_ok());
    let mut shares: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("X25519 alone", good[1184..].to_vec()),
        ("encapsulation key alone", good[..1184].to_vec()),
        ("one byte short", good[..good.len() - 1].to_vec()),
        ("one byte long", [&good[..], &[0]].concat()),
        ("the server's length", good[..1088 + 32].to_vec()),
    ];
    let mut unreduced = good.clone();
    unreduced[0] = 0xff;
    unreduced[1] |= 0x0f; // first coefficient 4095
    shares.push(("coefficient above q", unreduced));
    let mut zero_x25519 = good.clone();
    zero_x25519[1184..].fill(0);
    shares.push(("small-order X25519 share", zero_x25519));
    for (what, share) in shares {
        assert!(invalid_key_share(X25519MLKEM768.start_and_complete(&share)), "{what}: not refused");
    }
}

/// The client refuses a server share of the wrong length or with a small-order X25519 share.
/// A ciphertext of the right length that does not decrypt is not refused: ML-KEM rejects it
/// implicitly, with a secret the server cannot know (the handshake then fails at Finished).
#[test]
fn client_refuses_malformed_server_shares() {
    let probe = X25519MLKEM768.start().expect("start");
    let good = X25519MLKEM768.start_and_complete(probe.pub_key()).expect("server").pub_key;
    let shares: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("X25519 alone", good[1088..].to_vec()),
        ("ciphertext alone", good[..1088].to_vec()),
        ("one byte short", good[..good.len() - 1].to_vec()),
        ("one byte long", [&good[..], &[0]].concat()),
        ("the client's length", vec![0x55; 1184 + 32]),
        ("small-order X25519 share", [&good[..1088], &[0u8; 32][..]].concat()),
    ];
    for (what, share) in shares {
        let client = X25519MLKEM768.start().expect("start");
        assert!(invalid_key_share(client.complete(&share)), "{what}: not refused");
    }
    let client = X25519MLKEM768.start().expect("start");
    let done = X25519MLKEM768.start_and_complete(client.pub_key()).expect("server");
    let mut garbage = done.pub_key.clone();
    garbage[..1088].fill(0xa5);
    let secret = client.complete(&garbage).expect("implicit rejection");
    assert_ne!(secret.secret_bytes()[..32], done.secret.secret_bytes()[..32]);
    assert_eq!(secret.secret_bytes()[32..], done.secret.secret_bytes()[32..]);
}

/// The hybrid is TLS 1.3's only.
#[test]
fn tls13_only() {
    assert!(X25519MLKEM768.usable_for_version(rustls::ProtocolVersion::TLSv1_3));
    assert!(!X25519MLKEM768.usable_for_version(rustls::ProtocolVersion::TLSv1_2));
}
