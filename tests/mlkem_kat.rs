//! ML-KEM-768 known answers (tests/data/mlkem/README.md) through the provider's own key
//! generation, encapsulation and decapsulation (src/provider/kx_mlkem.rs, module `kat`): NIST's
//! ACVP vectors for all three (FIPS 203 final), and C2SP's CCTV vectors for encapsulation and
//! decapsulation: the "unlucky" key (rejection sampling of its matrix reads far past the usual
//! XOF output), the `strcmp` ciphertext (it differs from the re-encryption only after a zero
//! byte, and must still be rejected) and invalid encapsulation keys (a coefficient at or above
//! q), which our server refuses. CCTV's key generation outputs are FIPS 203 draft ones (before
//! the final standard's domain separation of K-PKE.KeyGen), so its keys are taken as given.
#![cfg(feature = "pq")]

use std::collections::HashMap;

use rustls::{Error, PeerMisbehaved};
use ussl::provider::kx_mlkem::{kat, CIPHERTEXT_LEN, DECAPSULATION_KEY_LEN, ENCAPSULATION_KEY_LEN};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/mlkem/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `name = hex` lines of a vector file; the first value of each name (the intermediate file
/// repeats some names for other steps' values).
fn fields(text: &str) -> HashMap<String, Vec<u8>> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let (name, value) = line.split_once(" = ").expect("name = value");
        if value.starts_with('{') {
            continue; // decimal coefficients, for reading
        }
        out.entry(name.to_string()).or_insert_with(|| hex(value));
    }
    out
}

fn b32(v: &[u8]) -> [u8; 32] {
    v.try_into().expect("32 bytes")
}

fn acvp() -> serde_json::Value {
    serde_json::from_str(&data("acvp-768.json")).expect("json")
}

fn field(t: &serde_json::Value, name: &str) -> Vec<u8> {
    hex(t[name].as_str().unwrap_or_else(|| panic!("field {name}")))
}

#[test]
fn acvp_keygen() {
    let doc = acvp();
    let tests = doc["keyGen"].as_array().expect("keyGen");
    assert_eq!(tests.len(), 10);
    for t in tests {
        let (ek, dk) = kat::keygen(&b32(&field(t, "d")), &b32(&field(t, "z")));
        assert_eq!((ek.len(), dk.len()), (ENCAPSULATION_KEY_LEN, DECAPSULATION_KEY_LEN));
        assert!(ek == field(t, "ek"), "tcId {}: encapsulation key", t["tcId"]);
        assert!(dk == field(t, "dk"), "tcId {}: decapsulation key", t["tcId"]);
    }
}

#[test]
fn acvp_encaps() {
    let doc = acvp();
    let tests = doc["encapsulation"].as_array().expect("encapsulation");
    assert_eq!(tests.len(), 10);
    for t in tests {
        let (c, k) = kat::encaps(&field(t, "ek"), &b32(&field(t, "m"))).expect("encaps");
        assert_eq!(c.len(), CIPHERTEXT_LEN);
        assert!(c == field(t, "c"), "tcId {}: ciphertext", t["tcId"]);
        assert_eq!(k, field(t, "k"), "tcId {}: secret", t["tcId"]);
    }
}

/// Half of them are modified ciphertexts, whose expected secret is the implicit rejection one,
/// J(z || c).
#[test]
fn acvp_decaps() {
    let doc = acvp();
    let dk = field(&doc["decapsulation"], "dk");
    let tests = doc["decapsulation"]["tests"].as_array().expect("tests");
    assert_eq!(tests.len(), 10);
    for t in tests {
        let k = kat::decaps(&dk, &field(t, "c")).expect("dk length").expect("decaps");
        assert_eq!(k.to_vec(), field(t, "k"), "tcId {} ({})", t["tcId"], t["reason"]);
    }
}

/// Encaps(ek, m) gives c and K, and Decaps(dk, c) gives K back; a changed ciphertext gives
/// another secret (implicit rejection).
#[test]
fn unlucky_sampling_vector() {
    let v = fields(&data("unluckysample-768.txt"));
    let (c, k) = kat::encaps(&v["ek"], &b32(&v["m"])).expect("encaps");
    assert!(c == v["c"], "ciphertext");
    assert_eq!(k, v["K"], "encapsulated secret");
    assert_eq!(kat::decaps(&v["dk"], &c).expect("dk length").expect("decaps").to_vec(), v["K"]);
    let mut bad = c.clone();
    bad[CIPHERTEXT_LEN - 1] ^= 1;
    assert_ne!(kat::decaps(&v["dk"], &bad).expect("dk length").expect("decaps").to_vec(), v["K"]);
}

#[test]
fn strcmp_vector() {
    let v = fields(&data("strcmp-768.txt"));
    let k = kat::decaps(&v["dk"], &v["c"]).expect("dk length").expect("decaps");
    assert_eq!(k.to_vec(), v["K"]);
}

fn refused(result: Result<(Vec<u8>, Vec<u8>), Error>) -> bool {
    matches!(result, Err(Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare)))
}

#[test]
fn invalid_encapsulation_keys_refused() {
    let m = [7u8; 32];
    let text = data("modulus-768-short.txt");
    for (i, line) in text.lines().enumerate() {
        assert!(refused(kat::encaps(&hex(line), &m)), "CCTV modulus vector {i} accepted");
    }
    // Every position of a valid key, set to q and to 2^12 - 1 in turn.
    let (ek, _) = kat::keygen(&[1; 32], &[2; 32]);
    assert!(kat::encaps(&ek, &m).is_ok());
    for position in 0..768 {
        for value in [3329u16, 4095] {
            let mut bad = ek.clone();
            let at = position / 2 * 3;
            if position % 2 == 0 {
                bad[at] = value as u8;
                bad[at + 1] = (bad[at + 1] & 0xf0) | (value >> 8) as u8;
            } else {
                bad[at + 1] = (bad[at + 1] & 0x0f) | ((value & 0x0f) << 4) as u8;
                bad[at + 2] = (value >> 4) as u8;
            }
            assert!(refused(kat::encaps(&bad, &m)), "coefficient {position} = {value} accepted");
        }
    }
    // Wrong lengths, for encapsulation and decapsulation alike.
    for len in [0, 1, ENCAPSULATION_KEY_LEN - 1, ENCAPSULATION_KEY_LEN + 1] {
        let mut key = ek.clone();
        key.resize(len, 0);
        assert!(refused(kat::encaps(&key, &m)), "key of {len} bytes accepted");
    }
    let (_, dk) = kat::keygen(&[1; 32], &[2; 32]);
    for len in [0, 1, CIPHERTEXT_LEN - 1, CIPHERTEXT_LEN + 1] {
        let r = kat::decaps(&dk, &vec![0u8; len]).expect("dk length");
        assert!(matches!(r, Err(Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare))), "{len}-byte ciphertext");
    }
}
