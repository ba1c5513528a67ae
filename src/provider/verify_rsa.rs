//! RSA signature verification (PKCS#1 v1.5 and PSS), behind the `rsa` feature.

use core::marker::PhantomData;

use rustls::pki_types::{alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};
use sha2::{Digest, Sha256, Sha384, Sha512};

pub struct Rsa<V> {
    sig_alg: AlgorithmIdentifier,
    _types: PhantomData<fn() -> V>,
}

/// One RSA padding scheme with one digest.
pub trait RsaScheme {
    fn verify(key: rsa::RsaPublicKey, message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature>;
}

pub struct Pkcs1<D>(PhantomData<D>);
pub struct Pss<D>(PhantomData<D>);

/// The DigestInfo prefixes of RFC 8017 section 9.2, note 1 (the `der` crate is not linked).
pub trait Pkcs1Digest: Digest {
    const PREFIX: &'static [u8];
}

impl Pkcs1Digest for Sha256 {
    const PREFIX: &'static [u8] = &[
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
        0x20,
    ];
}
impl Pkcs1Digest for Sha384 {
    const PREFIX: &'static [u8] = &[
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04,
        0x30,
    ];
}
impl Pkcs1Digest for Sha512 {
    const PREFIX: &'static [u8] = &[
        0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04,
        0x40,
    ];
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
        pub static $name: Rsa<$scheme> = Rsa { sig_alg: alg_id::$sig, _types: PhantomData };
    };
}

rsa_alg!(RSA_PKCS1_SHA256, Pkcs1<Sha256>, RSA_PKCS1_SHA256);
rsa_alg!(RSA_PKCS1_SHA384, Pkcs1<Sha384>, RSA_PKCS1_SHA384);
rsa_alg!(RSA_PKCS1_SHA512, Pkcs1<Sha512>, RSA_PKCS1_SHA512);
rsa_alg!(RSA_PSS_SHA256, Pss<Sha256>, RSA_PSS_SHA256);
rsa_alg!(RSA_PSS_SHA384, Pss<Sha384>, RSA_PSS_SHA384);
rsa_alg!(RSA_PSS_SHA512, Pss<Sha512>, RSA_PSS_SHA512);

impl<V> core::fmt::Debug for Rsa<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Rsa")
    }
}
