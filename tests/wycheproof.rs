//! Wycheproof's ECDSA P-384 vectors through our own verifier (src/provider/p384.rs): every
//! "valid" signature verifies, every "invalid" one does not. The vectors are in the repository
//! (tests/data/wycheproof); the test fails when they are missing.
use sha2::{Digest, Sha256, Sha384};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn run(file: &str) -> (usize, usize) {
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
            let digest = match sha {
                "SHA-256" => Sha256::digest(&msg).to_vec(),
                "SHA-384" => Sha384::digest(&msg).to_vec(),
                other => panic!("unexpected hash {other}"),
            };
            let ok = ussl::provider::p384::verify_prehash(&key, &digest, &sig);
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
fn p384_sha384_vectors() {
    let (checked, expected) = run("ecdsa_secp384r1_sha384.json");
    assert_eq!(checked, expected);
}

#[test]
fn p384_sha256_vectors() {
    let (checked, expected) = run("ecdsa_secp384r1_sha256.json");
    assert_eq!(checked, expected);
}
