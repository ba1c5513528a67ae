//! The P-256 functions against the p256 crate (an independent implementation), with random and
//! edge-case scalars.
use super::*;
use crate::mul::tests::Rng;
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};

fn n_minus(d: u32) -> [u8; 32] {
    ct::to_be_bytes(&ct::sub(&N, &[d, 0, 0, 0, 0, 0, 0, 0]).0)
}

fn small(d: u32) -> [u8; 32] {
    ct::to_be_bytes(&[d, 0, 0, 0, 0, 0, 0, 0])
}

/// Random scalars, then 1..40 and n-40..n-1 (where the last addition of mul_ct can double).
fn scalars() -> Vec<[u8; 32]> {
    let mut rng = Rng(21);
    let mut v: Vec<[u8; 32]> = (0..60).map(|_| ct::to_be_bytes(&rng.words())).collect();
    v.extend((1..=40).map(small));
    v.extend((1..=40).map(n_minus));
    v
}

#[test]
fn public_keys_match() {
    for k in scalars() {
        let theirs = p256::SecretKey::from_slice(&k).ok().map(|s| {
            let p = p256::EncodedPoint::from(s.public_key());
            let mut out = [0u8; 65];
            out.copy_from_slice(p.as_bytes());
            out
        });
        assert_eq!(public_key(&k), theirs, "k = {k:02x?}");
    }
    assert_eq!(public_key(&[0; 32]), None);
    assert_eq!(public_key(&ct::to_be_bytes(&N)), None);
}

#[test]
fn ecdh_matches() {
    let peer = p256::SecretKey::from_slice(&small(7)).unwrap().public_key();
    let peer_sec1 = p256::EncodedPoint::from(peer);
    let mut rng = Rng(3);
    let other = p256::SecretKey::from_slice(&ct::to_be_bytes(&rng.words())).unwrap().public_key();
    let other_sec1 = p256::EncodedPoint::from(other);
    for k in scalars() {
        let Ok(secret) = p256::SecretKey::from_slice(&k) else { continue };
        for (p, sec1) in [(&peer, &peer_sec1), (&other, &other_sec1)] {
            let theirs = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), p.as_affine());
            let mine = ecdh(&k, sec1.as_bytes()).unwrap();
            assert_eq!(&mine[..], &theirs.raw_secret_bytes()[..]);
        }
    }
    // Off the curve, compressed, truncated: refused.
    let mut bad = peer_sec1.as_bytes().to_vec();
    bad[64] ^= 1;
    assert_eq!(ecdh(&small(5), &bad), None);
    assert_eq!(ecdh(&small(5), p256::EncodedPoint::from(peer).compress().as_bytes()), None);
    assert_eq!(ecdh(&small(5), &peer_sec1.as_bytes()[..40]), None);
}

#[test]
fn signatures_verify_both_ways() {
    let mut rng = Rng(8);
    for (i, d) in scalars().into_iter().enumerate() {
        let Ok(key) = p256::ecdsa::SigningKey::from_slice(&d) else { continue };
        let z = ct::to_be_bytes(&rng.words());
        let k = if i % 2 == 0 { ct::to_be_bytes(&rng.words()) } else { n_minus(1 + i as u32 % 30) };
        let Some((r, s)) = sign(&d, &k, &z) else { continue };
        // Their verification of ours.
        let mut rs = [0u8; 64];
        rs[..32].copy_from_slice(&r);
        rs[32..].copy_from_slice(&s);
        let sig = p256::ecdsa::Signature::from_slice(&rs).unwrap();
        let vk = key.verifying_key();
        assert!(vk.verify_prehash(&z, &sig).is_ok());
        // Our verification of theirs, and of ours; a changed hash or signature fails.
        let theirs: p256::ecdsa::Signature = key.sign_prehash(&z).unwrap();
        let (tr, ts) = theirs.split_bytes();
        let sec1 = vk.to_encoded_point(i % 3 == 0);
        assert!(verify(sec1.as_bytes(), &z, &tr.into(), &ts.into()));
        assert!(verify(sec1.as_bytes(), &z, &r, &s));
        let mut z2 = z;
        z2[31] ^= 1;
        assert!(!verify(sec1.as_bytes(), &z2, &r, &s));
        assert!(!verify(sec1.as_bytes(), &z, &s, &r));
    }
}

#[test]
fn sign_matches_rfc6979_vector() {
    // RFC 6979 A.2.5, P-256, SHA-256, message "sample": the nonce is given.
    let hex = |s: &str| -> [u8; 32] { core::array::from_fn(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()) };
    let d = hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    let k = hex("a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60");
    let z = hex("af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf");
    let (r, s) = sign(&d, &k, &z).unwrap();
    assert_eq!(r, hex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"));
    assert_eq!(s, hex("f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"));
}

#[test]
fn verify_refuses_out_of_range() {
    let d = small(12345);
    let z = [7u8; 32];
    let (r, s) = sign(&d, &small(99), &z).unwrap();
    let public = public_key(&d).unwrap();
    assert!(verify(&public, &z, &r, &s));
    assert!(!verify(&public, &z, &[0; 32], &s));
    assert!(!verify(&public, &z, &r, &ct::to_be_bytes(&N)));
    // s + n (out of range, same value mod n).
    let (sn, _) = ct::add(&ct::from_be_bytes(&s), &N);
    assert!(!verify(&public, &z, &r, &ct::to_be_bytes(&sn)));
}
