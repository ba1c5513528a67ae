//! Wycheproof's key-agreement vectors through the provider's key exchanges as rustls drives them
//! (src/provider/kx.rs): P-256 with the peer's share as a SEC1 point (the TLS encoding) and
//! X25519. "valid" must give the expected secret and "invalid" must be refused; of the
//! "acceptable" ones, a compressed P-256 point is refused (TLS carries uncompressed points only),
//! an X25519 share that makes the secret all zeros is refused (RFC 8446 section 7.4.2), and any
//! other gives the expected secret.
use rustls::NamedGroup;
use ussl::provider::kx::exchange_with_secret;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

/// Wycheproof writes P-256 scalars as signed big integers: drop a leading zero byte, pad to 32.
fn scalar_32(raw: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = raw.iter().copied().skip_while(|&b| b == 0).collect();
    let mut out = vec![0u8; 32usize.saturating_sub(trimmed.len())];
    out.extend(trimmed);
    out
}

/// Refused or expected, per the rule above; returns how many were checked.
fn run(file: &str, group: NamedGroup) -> usize {
    let path = format!("{}/tests/data/wycheproof/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut failures = Vec::new();
    let tests = doc["groups"][0]["tests"].as_array().expect("tests");
    for t in tests {
        let id = t[0].as_u64().expect("id");
        let (public, mut private, shared) = (
            hex(t[1].as_str().expect("public")),
            hex(t[2].as_str().expect("private")),
            hex(t[3].as_str().expect("shared")),
        );
        let result = t[4].as_str().expect("result");
        let flags: Vec<&str> = t[5].as_array().expect("flags").iter().map(|f| f.as_str().expect("flag")).collect();
        if group == NamedGroup::secp256r1 {
            private = scalar_32(&private);
        }
        let exchange = exchange_with_secret(group, &private).unwrap_or_else(|| panic!("{file} #{id}: secret refused"));
        let got = exchange.complete(&public).ok().map(|s| s.secret_bytes().to_vec());
        let must_refuse =
            result == "invalid" || flags.contains(&"CompressedPoint") || flags.contains(&"ZeroSharedSecret");
        match (&got, must_refuse) {
            (Some(_), true) => failures.push(format!("{file} #{id} ({result} {flags:?}): accepted")),
            (None, false) => failures.push(format!("{file} #{id} ({result} {flags:?}): refused")),
            (Some(secret), false) if *secret != shared => failures.push(format!("{file} #{id}: wrong secret")),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(tests.len() as u64, doc["numberOfTests"].as_u64().expect("count"));
    tests.len()
}

#[test]
fn p256_ecdh_vectors() {
    assert_eq!(run("ecdh_secp256r1_ecpoint.json", NamedGroup::secp256r1), 355);
}

#[cfg(feature = "x25519")]
#[test]
fn x25519_vectors() {
    assert_eq!(run("x25519.json", NamedGroup::X25519), 518);
}
