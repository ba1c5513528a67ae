//! Wycheproof's vectors through our own verifiers: ECDSA P-384 (src/provider/p384.rs), ECDSA
//! P-256 and RSA PKCS#1 v1.5 and PSS (src/provider/verify_rsa.rs), the last two through the
//! provider's webpki algorithms, as certificates and handshakes reach them (P-256: the p256
//! crate, or ussl-arith under the `arith` feature and on ARMv6-M). Every "valid" signature verifies, every "invalid" one
//! does not. The vectors are in the repository (tests/data/wycheproof, trimmed by its trim.py); the
//! test fails when they are missing.
use rustls::pki_types::{alg_id, AlgorithmIdentifier};
use sha2::{Digest, Sha256, Sha384};

enum Verifier {
    P384,
    P256,
    Rsa { pss: bool },
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

/// The provider's algorithm for `id` (signature) over keys of `key_id`.
fn provider_algorithm(
    key_id: AlgorithmIdentifier,
    id: AlgorithmIdentifier,
) -> &'static dyn rustls::pki_types::SignatureVerificationAlgorithm {
    *ussl::provider::SIGNATURE_ALGORITHMS
        .all
        .iter()
        .find(|a| a.signature_alg_id() == id && a.public_key_alg_id() == key_id)
        .unwrap_or_else(|| panic!("no algorithm {id:?} in the provider"))
}

/// The provider's algorithm for an RSA signature with `sha`.
#[cfg(feature = "rsa")]
fn rsa_algorithm(pss: bool, sha: &str) -> &'static dyn rustls::pki_types::SignatureVerificationAlgorithm {
    let id: AlgorithmIdentifier = match (pss, sha) {
        (false, "SHA-256") => alg_id::RSA_PKCS1_SHA256,
        (false, "SHA-384") => alg_id::RSA_PKCS1_SHA384,
        (false, "SHA-512") => alg_id::RSA_PKCS1_SHA512,
        (true, "SHA-256") => alg_id::RSA_PSS_SHA256,
        (true, "SHA-384") => alg_id::RSA_PSS_SHA384,
        (true, "SHA-512") => alg_id::RSA_PSS_SHA512,
        other => panic!("unexpected RSA parameters {other:?}"),
    };
    *ussl::provider::SIGNATURE_ALGORITHMS
        .all
        .iter()
        .find(|a| a.signature_alg_id() == id)
        .unwrap_or_else(|| panic!("no RSA algorithm for {sha} in the provider"))
}

fn run(file: &str, verifier: Verifier) -> (usize, usize) {
    let path = format!("{}/tests/data/wycheproof/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let (mut checked, mut failures) = (0, Vec::new());
    for group in doc["groups"].as_array().expect("groups") {
        let key = hex(group["key"].as_str().expect("key"));
        let sha = group["sha"].as_str().expect("sha");
        for t in group["tests"].as_array().expect("tests") {
            let (id, msg, sig, result) = (
                t[0].as_u64().expect("id"),
                hex(t[1].as_str().expect("msg")),
                hex(t[2].as_str().expect("sig")),
                t[3].as_str().expect("result"),
            );
            let ok = match verifier {
                Verifier::P256 => {
                    assert_eq!(sha, "SHA-256");
                    provider_algorithm(alg_id::ECDSA_P256, alg_id::ECDSA_SHA256)
                        .verify_signature(&key, &msg, &sig)
                        .is_ok()
                }
                Verifier::P384 => {
                    let digest = match sha {
                        "SHA-256" => Sha256::digest(&msg).to_vec(),
                        "SHA-384" => Sha384::digest(&msg).to_vec(),
                        other => panic!("unexpected hash {other}"),
                    };
                    ussl::provider::p384::verify_prehash(&key, &digest, &sig)
                }
                #[cfg(feature = "rsa")]
                Verifier::Rsa { pss } => rsa_algorithm(pss, sha).verify_signature(&key, &msg, &sig).is_ok(),
                #[cfg(not(feature = "rsa"))]
                Verifier::Rsa { .. } => unreachable!("RSA tests need the rsa feature"),
            };
            match result {
                "valid" if !ok => failures.push(format!("{file} #{id}: valid signature refused")),
                "invalid" if ok => failures.push(format!("{file} #{id}: invalid signature accepted")),
                _ => {}
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let expected = doc["numberOfTests"].as_u64().expect("count") as usize;
    (checked, expected)
}

#[test]
fn p256_sha256_vectors() {
    let (checked, expected) = run("ecdsa_secp256r1_sha256.json", Verifier::P256);
    assert_eq!(checked, expected);
}

#[test]
fn p384_sha384_vectors() {
    let (checked, expected) = run("ecdsa_secp384r1_sha384.json", Verifier::P384);
    assert_eq!(checked, expected);
}

#[test]
fn p384_sha256_vectors() {
    let (checked, expected) = run("ecdsa_secp384r1_sha256.json", Verifier::P384);
    assert_eq!(checked, expected);
}

#[cfg(feature = "rsa")]
#[test]
fn rsa_pkcs1_vectors() {
    for file in ["rsa_signature_2048_sha256.json", "rsa_signature_3072_sha384.json", "rsa_signature_4096_sha512.json"] {
        let (checked, expected) = run(file, Verifier::Rsa { pss: false });
        assert_eq!(checked, expected, "{file}");
    }
}

#[cfg(feature = "rsa")]
#[test]
fn rsa_pss_vectors() {
    for file in [
        "rsa_pss_2048_sha256_mgf1_32.json",
        "rsa_pss_4096_sha384_mgf1_48.json",
        "rsa_pss_4096_sha512_mgf1_64.json",
        "rsa_pss_misc.json",
    ] {
        let (checked, expected) = run(file, Verifier::Rsa { pss: true });
        assert_eq!(checked, expected, "{file}");
    }
}
