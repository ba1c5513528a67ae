//! Signature verification for certificates and handshakes: ECDSA P-256/P-384, RSA PKCS#1 v1.5
//! and PSS, Ed25519.

use core::marker::PhantomData;

use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};
use rustls::SignatureScheme;
use sha2::{Digest, Sha256, Sha384, Sha512};
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

impl<K, D> core::fmt::Debug for Ecdsa<K, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ecdsa").field("sig_alg", &self.sig_alg).finish()
    }
}

impl<V> core::fmt::Debug for Rsa<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Rsa").field("sig_alg", &self.sig_alg).finish()
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

struct Rsa<V> {
    sig_alg: AlgorithmIdentifier,
    _types: PhantomData<fn() -> V>,
}

/// One RSA padding scheme with one digest.
trait RsaScheme {
    fn verify(key: rsa::RsaPublicKey, message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature>;
}

struct Pkcs1<D>(PhantomData<D>);
struct Pss<D>(PhantomData<D>);

/// The DigestInfo prefixes of RFC 8017 section 9.2, note 1 (the `der` crate is not linked).
pub trait Pkcs1Digest: Digest {
    const PREFIX: &'static [u8];
}

impl Pkcs1Digest for Sha256 {
    const PREFIX: &'static [u8] =
        &[0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
}
impl Pkcs1Digest for Sha384 {
    const PREFIX: &'static [u8] =
        &[0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];
}
impl Pkcs1Digest for Sha512 {
    const PREFIX: &'static [u8] =
        &[0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];
}

/// PKCS#1 v1.5 signature padding for `D`.
pub fn pkcs1v15<D: Pkcs1Digest>() -> rsa::Pkcs1v15Sign {
    rsa::Pkcs1v15Sign { hash_len: Some(<D as Digest>::output_size()), prefix: D::PREFIX.into() }
}

impl<D: Pkcs1Digest> RsaScheme for Pkcs1<D> {
    fn verify(key: rsa::RsaPublicKey, message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        use rsa::traits::SignatureScheme as _;
        pkcs1v15::<D>().verify(&key, &D::digest(message), signature).map_err(|_| InvalidSignature)
    }
}

impl<D> RsaScheme for Pss<D>
where
    D: 'static + Digest + sha2::digest::DynDigest + Send + Sync,
{
    fn verify(key: rsa::RsaPublicKey, message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        use rsa::traits::SignatureScheme as _;
        rsa::Pss::new::<D>().verify(&key, &D::digest(message), signature).map_err(|_| InvalidSignature)
    }
}

impl<V: RsaScheme> SignatureVerificationAlgorithm for Rsa<V> {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        // RSAPublicKey (RFC 8017): SEQUENCE { INTEGER n, INTEGER e }.
        let mut outer = crate::der::Reader::new(public_key);
        let mut seq = outer.nested(crate::der::SEQUENCE).ok_or(InvalidSignature)?;
        let (n, e) = (seq.unsigned_integer().ok_or(InvalidSignature)?, seq.unsigned_integer().ok_or(InvalidSignature)?);
        if !seq.is_empty() || !outer.is_empty() {
            return Err(InvalidSignature);
        }
        let key = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e))
            .map_err(|_| InvalidSignature)?;
        V::verify(key, message, signature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.sig_alg
    }
}

macro_rules! rsa_alg {
    ($name:ident, $scheme:ty, $sig:ident) => {
        static $name: Rsa<$scheme> = Rsa { sig_alg: alg_id::$sig, _types: PhantomData };
    };
}

rsa_alg!(RSA_PKCS1_SHA256, Pkcs1<Sha256>, RSA_PKCS1_SHA256);
rsa_alg!(RSA_PKCS1_SHA384, Pkcs1<Sha384>, RSA_PKCS1_SHA384);
rsa_alg!(RSA_PKCS1_SHA512, Pkcs1<Sha512>, RSA_PKCS1_SHA512);
rsa_alg!(RSA_PSS_SHA256, Pss<Sha256>, RSA_PSS_SHA256);
rsa_alg!(RSA_PSS_SHA384, Pss<Sha384>, RSA_PSS_SHA384);
rsa_alg!(RSA_PSS_SHA512, Pss<Sha512>, RSA_PSS_SHA512);

#[derive(Debug)]
struct Ed25519;

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

/// Every algorithm we verify with; `$p384` adds the P-384 ones when the feature is on.
macro_rules! algorithms {
    ($($p384:expr),*) => {
        WebPkiSupportedAlgorithms {
            all: &[
                &ECDSA_P256_SHA256,
                &ECDSA_P256_SHA384,
                $($p384,)*
                &Ed25519,
                &RSA_PKCS1_SHA256,
                &RSA_PKCS1_SHA384,
                &RSA_PKCS1_SHA512,
                &RSA_PSS_SHA256,
                &RSA_PSS_SHA384,
                &RSA_PSS_SHA512,
            ],
            mapping: &[
                (SignatureScheme::ECDSA_NISTP384_SHA384, ECDSA_FOR_SHA384),
                (SignatureScheme::ECDSA_NISTP256_SHA256, ECDSA_FOR_SHA256),
                (SignatureScheme::ED25519, &[&Ed25519]),
                (SignatureScheme::RSA_PSS_SHA512, &[&RSA_PSS_SHA512]),
                (SignatureScheme::RSA_PSS_SHA384, &[&RSA_PSS_SHA384]),
                (SignatureScheme::RSA_PSS_SHA256, &[&RSA_PSS_SHA256]),
                (SignatureScheme::RSA_PKCS1_SHA512, &[&RSA_PKCS1_SHA512]),
                (SignatureScheme::RSA_PKCS1_SHA384, &[&RSA_PKCS1_SHA384]),
                (SignatureScheme::RSA_PKCS1_SHA256, &[&RSA_PKCS1_SHA256]),
            ],
        }
    };
}

type Algs = &'static [&'static dyn SignatureVerificationAlgorithm];

#[cfg(feature = "p384")]
const ECDSA_FOR_SHA384: Algs = &[&ECDSA_P384_SHA384, &ECDSA_P256_SHA384];
#[cfg(feature = "p384")]
const ECDSA_FOR_SHA256: Algs = &[&ECDSA_P256_SHA256, &ECDSA_P384_SHA256];
#[cfg(feature = "p384")]
pub static ALGORITHMS: WebPkiSupportedAlgorithms = algorithms!(&ECDSA_P384_SHA256, &ECDSA_P384_SHA384);

#[cfg(not(feature = "p384"))]
const ECDSA_FOR_SHA384: Algs = &[&ECDSA_P256_SHA384];
#[cfg(not(feature = "p384"))]
const ECDSA_FOR_SHA256: Algs = &[&ECDSA_P256_SHA256];
#[cfg(not(feature = "p384"))]
pub static ALGORITHMS: WebPkiSupportedAlgorithms = algorithms!();
