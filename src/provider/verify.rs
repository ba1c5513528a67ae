//! Signature verification for certificates and handshakes: ECDSA P-256 and P-384, Ed25519, and
//! RSA (verify_rsa.rs), each as the build's features have them.

use core::marker::PhantomData;

#[cfg(feature = "engine-rustls")]
use rustls::crypto::WebPkiSupportedAlgorithms;
#[cfg(feature = "engine-rustls")]
use rustls::SignatureScheme;
use rustls_pki_types::{alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};
use sha2::{Digest, Sha256, Sha384};

#[cfg(feature = "rsa")]
use super::verify_rsa as rsa;
#[cfg(not(ussl_arith))]
use signature::hazmat::PrehashVerifier;

struct Ecdsa<K, D> {
    key_alg: AlgorithmIdentifier,
    sig_alg: AlgorithmIdentifier,
    _types: PhantomData<fn() -> (K, D)>,
}

/// The elliptic curves we verify on, by their ECDSA types.
trait EcdsaCurve {
    fn verify_prehash(public_key: &[u8], digest: &[u8], der_signature: &[u8]) -> Result<(), InvalidSignature>;
}

struct CurveP256;
#[cfg(feature = "p384")]
struct CurveP384;

impl EcdsaCurve for CurveP256 {
    /// ussl-arith's verification (ARMv6-M): the hash's leftmost 256 bits, as the p256 crate takes.
    #[cfg(ussl_arith)]
    fn verify_prehash(public_key: &[u8], digest: &[u8], sig: &[u8]) -> Result<(), InvalidSignature> {
        let (r, s) = crate::der::ecdsa_signature(sig).ok_or(InvalidSignature)?;
        let (r, s) = (field_bytes(r).ok_or(InvalidSignature)?, field_bytes(s).ok_or(InvalidSignature)?);
        let z: [u8; 32] = digest.get(..32).and_then(|z| z.try_into().ok()).ok_or(InvalidSignature)?;
        ussl_arith::p256::verify(public_key, &z, &r, &s).then_some(()).ok_or(InvalidSignature)
    }

    #[cfg(not(ussl_arith))]
    fn verify_prehash(public_key: &[u8], digest: &[u8], sig: &[u8]) -> Result<(), InvalidSignature> {
        let (r, s) = crate::der::ecdsa_signature(sig).ok_or(InvalidSignature)?;
        let (r, s) = (field_bytes(r).ok_or(InvalidSignature)?, field_bytes(s).ok_or(InvalidSignature)?);
        let sig = p256::ecdsa::Signature::from_scalars(r, s).map_err(|_| InvalidSignature)?;
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        key.verify_prehash(digest, &sig).map_err(|_| InvalidSignature)
    }
}

/// A DER integer's magnitude as a 32-byte big-endian P-256 scalar.
fn field_bytes(magnitude: &[u8]) -> Option<[u8; 32]> {
    let start = 32usize.checked_sub(magnitude.len())?;
    let mut out = [0u8; 32];
    out.get_mut(start..)?.copy_from_slice(magnitude);
    Some(out)
}

#[cfg(feature = "p384")]
impl EcdsaCurve for CurveP384 {
    fn verify_prehash(public_key: &[u8], digest: &[u8], sig: &[u8]) -> Result<(), InvalidSignature> {
        if super::p384::verify_prehash(public_key, digest, sig) {
            Ok(())
        } else {
            Err(InvalidSignature)
        }
    }
}

// A name only, as `Rsa`'s: formatting the identifier's bytes linked core::fmt's struct and hex
// writers into the lean image (800 B), for a Debug impl nothing prints.
impl<K, D> core::fmt::Debug for Ecdsa<K, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Ecdsa")
    }
}

impl<K: EcdsaCurve, D: Digest> SignatureVerificationAlgorithm for Ecdsa<K, D> {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        K::verify_prehash(public_key, &D::digest(message), signature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.key_alg
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.sig_alg
    }
}

macro_rules! ecdsa {
    ($name:ident, $curve:ty, $digest:ty, $key:ident, $sig:ident) => {
        static $name: Ecdsa<$curve, $digest> =
            Ecdsa { key_alg: alg_id::$key, sig_alg: alg_id::$sig, _types: PhantomData };
    };
}

ecdsa!(ECDSA_P256_SHA256, CurveP256, Sha256, ECDSA_P256, ECDSA_SHA256);
ecdsa!(ECDSA_P256_SHA384, CurveP256, Sha384, ECDSA_P256, ECDSA_SHA384);
#[cfg(feature = "p384")]
ecdsa!(ECDSA_P384_SHA256, CurveP384, Sha256, ECDSA_P384, ECDSA_SHA256);
#[cfg(feature = "p384")]
ecdsa!(ECDSA_P384_SHA384, CurveP384, Sha384, ECDSA_P384, ECDSA_SHA384);

#[cfg(feature = "ed25519")]
#[derive(Debug)]
struct Ed25519;

#[cfg(feature = "ed25519")]
impl SignatureVerificationAlgorithm for Ed25519 {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        let key: &[u8; 32] = public_key.try_into().map_err(|_| InvalidSignature)?;
        let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|_| InvalidSignature)?;
        ed25519_dalek::VerifyingKey::from_bytes(key)
            .map_err(|_| InvalidSignature)?
            .verify_strict(message, &sig)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ED25519
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ED25519
    }
}

/// Every algorithm we verify certificates with, as this build has them.
pub static ALL: Algs = &[
    &ECDSA_P256_SHA256,
    &ECDSA_P256_SHA384,
    #[cfg(feature = "p384")]
    &ECDSA_P384_SHA256,
    #[cfg(feature = "p384")]
    &ECDSA_P384_SHA384,
    #[cfg(feature = "ed25519")]
    &Ed25519,
    #[cfg(feature = "rsa")]
    &rsa::RSA_PKCS1_SHA256,
    #[cfg(feature = "rsa")]
    &rsa::RSA_PKCS1_SHA384,
    #[cfg(feature = "rsa")]
    &rsa::RSA_PKCS1_SHA512,
    #[cfg(feature = "rsa")]
    &rsa::RSA_PSS_SHA256,
    #[cfg(feature = "rsa")]
    &rsa::RSA_PSS_SHA384,
    #[cfg(feature = "rsa")]
    &rsa::RSA_PSS_SHA512,
];

/// The algorithm a TLS 1.3 CertificateVerify of signature scheme `code` (RFC 8446 section
/// 4.2.3) is checked with; None for a scheme this build does not verify (RSA PKCS#1 v1.5
/// is for certificates only in TLS 1.3).
pub fn tls13_scheme(code: u16) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    match code {
        0x0403 => Some(&ECDSA_P256_SHA256),
        #[cfg(feature = "p384")]
        0x0503 => Some(&ECDSA_P384_SHA384),
        #[cfg(feature = "ed25519")]
        0x0807 => Some(&Ed25519),
        #[cfg(feature = "rsa")]
        0x0804 => Some(&rsa::RSA_PSS_SHA256),
        #[cfg(feature = "rsa")]
        0x0805 => Some(&rsa::RSA_PSS_SHA384),
        #[cfg(feature = "rsa")]
        0x0806 => Some(&rsa::RSA_PSS_SHA512),
        _ => None,
    }
}

/// Every algorithm we verify with, as this build has them.
#[cfg(feature = "engine-rustls")]
pub static ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: ALL,
    mapping: &[
        (SignatureScheme::ECDSA_NISTP384_SHA384, ECDSA_FOR_SHA384),
        (SignatureScheme::ECDSA_NISTP256_SHA256, ECDSA_FOR_SHA256),
        #[cfg(feature = "ed25519")]
        (SignatureScheme::ED25519, &[&Ed25519]),
        #[cfg(feature = "rsa")]
        (SignatureScheme::RSA_PSS_SHA512, &[&rsa::RSA_PSS_SHA512]),
        #[cfg(feature = "rsa")]
        (SignatureScheme::RSA_PSS_SHA384, &[&rsa::RSA_PSS_SHA384]),
        #[cfg(feature = "rsa")]
        (SignatureScheme::RSA_PSS_SHA256, &[&rsa::RSA_PSS_SHA256]),
        #[cfg(feature = "rsa")]
        (SignatureScheme::RSA_PKCS1_SHA512, &[&rsa::RSA_PKCS1_SHA512]),
        #[cfg(feature = "rsa")]
        (SignatureScheme::RSA_PKCS1_SHA384, &[&rsa::RSA_PKCS1_SHA384]),
        #[cfg(feature = "rsa")]
        (SignatureScheme::RSA_PKCS1_SHA256, &[&rsa::RSA_PKCS1_SHA256]),
    ],
};

pub type Algs = &'static [&'static dyn SignatureVerificationAlgorithm];

#[cfg(feature = "engine-rustls")]
const ECDSA_FOR_SHA384: Algs = &[
    #[cfg(feature = "p384")]
    &ECDSA_P384_SHA384,
    &ECDSA_P256_SHA384,
];
#[cfg(feature = "engine-rustls")]
const ECDSA_FOR_SHA256: Algs = &[
    &ECDSA_P256_SHA256,
    #[cfg(feature = "p384")]
    &ECDSA_P384_SHA256,
];
