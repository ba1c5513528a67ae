//! The primitives, their inputs and known answers.
#![allow(deprecated)]
use crate::{check, data, each, hex, hex32, selected};
use alloc::vec::Vec;
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};

fn public(sec1: &[u8]) -> p256::PublicKey {
    p256::PublicKey::from_sec1_bytes(sec1).unwrap()
}

pub fn run() {
    let secrets: Vec<p256::SecretKey> =
        data::P256_SECRETS.iter().map(|s| p256::SecretKey::from_slice(&hex(s)).unwrap()).collect();
    let digest = hex(data::DIGEST[0]);

    // Field and scalar operations.
    if selected("arith") {
        crate::arith::run(&secrets, &digest);
    }
    if selected("field") {
        field(&secrets);
    }
    if selected("p256") {
        p256_ops(&secrets, &digest);
    }
    if selected("x25519") {
        x25519();
    }
    if selected("rsa") {
        rsa();
    }
    if selected("p384") {
        p384();
    }
}

fn field(secrets: &[p256::SecretKey]) {
    let fes: Vec<p256::FieldElement> =
        data::P256_SECRETS.iter().map(|s| p256::FieldElement::from_bytes(&hex32(s).into()).unwrap()).collect();
    let pairs: Vec<(p256::FieldElement, p256::FieldElement)> =
        (0..fes.len()).map(|i| (fes[i], fes[(i + 1) % fes.len()])).collect();
    each("p256 fe_mul", &pairs, |(a, b)| *a * b);
    each("p256 fe_square", &fes, |a| a.square());
    each("p256 fe_add", &pairs, |(a, b)| *a + b);
    each("p256 fe_sub", &pairs, |(a, b)| *a - b);
    each("p256 fe_invert", &fes, |a| a.invert().unwrap());
    let scalars: Vec<p256::Scalar> = secrets.iter().map(|s| *s.to_nonzero_scalar()).collect();
    let spairs: Vec<(p256::Scalar, p256::Scalar)> =
        (0..scalars.len()).map(|i| (scalars[i], scalars[(i + 1) % scalars.len()])).collect();
    each("p256 scalar_mul", &spairs, |(a, b)| *a * b);
    each("p256 scalar_invert", &scalars, |a| a.invert().unwrap());
}

fn p256_ops(secrets: &[p256::SecretKey], digest: &[u8]) {
    // Keygen, ECDH, sign, verify.
    each("p256 keygen", &secrets, |s| s.public_key());
    for (s, p) in secrets.iter().zip(data::P256_PUBLICS) {
        check("p256 keygen", p256::EncodedPoint::from(s.public_key()).as_bytes() == hex(p).as_slice());
    }
    let peer = public(&hex(data::P256_PEER[0]));
    each("p256 ecdh", &secrets, |s| p256::ecdh::diffie_hellman(s.to_nonzero_scalar(), peer.as_affine()));
    for (s, want) in secrets.iter().zip(data::P256_SHARED) {
        let got = p256::ecdh::diffie_hellman(s.to_nonzero_scalar(), peer.as_affine());
        check("p256 ecdh", got.raw_secret_bytes().as_slice() == hex(want).as_slice());
    }
    let signers: Vec<p256::ecdsa::SigningKey> = secrets.iter().map(p256::ecdsa::SigningKey::from).collect();
    each("p256 sign", &signers, |k| -> p256::ecdsa::Signature { k.sign_prehash(digest).unwrap() });
    // RFC 6979 A.2.5, P-256 with SHA-256, message "sample".
    let rfc =
        p256::ecdsa::SigningKey::from_slice(&hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"))
            .unwrap();
    let sample = hex("af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf");
    let sig: p256::ecdsa::Signature = rfc.sign_prehash(&sample).unwrap();
    check("p256 sign rfc6979", sig.to_bytes().as_slice() == hex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8").as_slice());
    let verifiers: Vec<(p256::ecdsa::VerifyingKey, p256::ecdsa::Signature)> = data::P256_PUBLICS
        .iter()
        .zip(data::P256_SIGS)
        .map(|(p, s)| {
            (
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&hex(p)).unwrap(),
                p256::ecdsa::Signature::from_slice(&hex(s)).unwrap(),
            )
        })
        .collect();
    each("p256 verify", &verifiers, |(k, s)| k.verify_prehash(digest, s).is_ok());
    for (k, s) in &verifiers {
        check("p256 verify", k.verify_prehash(digest, s).is_ok());
        let mut bad = digest.to_vec();
        bad[0] ^= 1;
        check("p256 verify refuses", k.verify_prehash(&bad, s).is_err());
    }
}

fn x25519() {
    let u = hex32(data::X25519_U[0]);
    let xs: Vec<[u8; 32]> = data::X25519_SCALARS.iter().map(|s| hex32(s)).collect();
    each("x25519", &xs, |k| x25519_dalek::x25519(*k, u));
    for (k, want) in xs.iter().zip(data::X25519_SHARED) {
        check("x25519", x25519_dalek::x25519(*k, u).as_slice() == hex(want).as_slice());
    }
}

/// RSA-2048 verify (s^e mod n): our own public-number code.
fn rsa() {
    let (n, e, sig) = (hex(data::RSA_N[0]), hex(data::RSA_E[0]), hex(data::RSA_SIG[0]));
    each("rsa2048 verify", &[0], |_| crate::public_bignum::mod_pow(&sig, &e, &n));
    check("rsa2048", crate::public_bignum::mod_pow(&sig, &e, &n).as_deref() == Some(hex(data::RSA_EM[0]).as_slice()));
}

/// P-384 verify: our own code.
fn p384() {
    let key = hex(data::P384_KEY[0]);
    let p384: Vec<(Vec<u8>, Vec<u8>)> =
        data::P384_DIGEST.iter().zip(data::P384_SIG).map(|(d, s)| (hex(d), hex(s))).collect();
    each("p384 verify", &p384, |(d, s)| crate::p384::verify_prehash(&key, d, s));
    for (d, s) in &p384 {
        check("p384 verify", crate::p384::verify_prehash(&key, d, s));
    }
}
