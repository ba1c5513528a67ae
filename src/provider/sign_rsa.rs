//! Signing with an RSA key of our own (server keys, client certificates), behind `rsa-sign`: the
//! `rsa` crate, which blinds the secret exponentiation. Verifying needs only `rsa` (verify_rsa.rs).

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::pki_types::SubjectPublicKeyInfoDer;
use rustls::sign::{Signer, SigningKey};
use rustls::{Error, SignatureAlgorithm, SignatureScheme};
use sha2::{Sha256, Sha384, Sha512};

use super::verify_rsa::Hash;
use crate::der::{Reader, SEQUENCE};
use crate::port::PortRng;

/// RSAPrivateKey (RFC 8017): SEQUENCE { 0, n, e, d, p, q, dP, dQ, qInv } (two primes).
pub fn pkcs1_rsa(der: &[u8]) -> Option<rsa::RsaPrivateKey> {
    use rsa::BigUint;
    let mut outer = Reader::new(der);
    let mut key = outer.nested(SEQUENCE)?;
    if key.unsigned_integer()? != [0] {
        return None;
    }
    let mut next = || key.unsigned_integer().map(BigUint::from_bytes_be);
    let (n, e, d, p, q) = (next()?, next()?, next()?, next()?, next()?);
    let key = rsa::RsaPrivateKey::from_components(n, e, d, alloc::vec![p, q]).ok()?;
    key.validate().ok()?;
    Some(key)
}

/// The DER SubjectPublicKeyInfo of an RSA key.
pub fn public_key_info(key: &rsa::RsaPrivateKey) -> SubjectPublicKeyInfoDer<'static> {
    use rsa::traits::PublicKeyParts;
    let (n, e) = (key.n().to_bytes_be(), key.e().to_bytes_be());
    let rsa_public_key = crate::der::encode_unsigned_sequence(&[&n, &e]);
    rustls::sign::public_key_to_spki(&rustls::pki_types::alg_id::RSA_ENCRYPTION, rsa_public_key)
}

#[derive(Debug)]
pub struct RsaKey {
    pub key: Arc<rsa::RsaPrivateKey>,
    pub spki: SubjectPublicKeyInfoDer<'static>,
}

const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

impl SigningKey for RsaKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let scheme = RSA_SCHEMES.iter().find(|s| offered.contains(s))?;
        Some(Box::new(RsaSigner { key: self.key.clone(), scheme: *scheme }))
    }

    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        Some(self.spki.clone())
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RSA
    }
}

/// PKCS#1 v1.5 signature padding: the DigestInfo prefix is written out (the `der` crate is not linked).
fn pkcs1v15(hash: Hash, hash_len: usize) -> RsaPadding {
    RsaPadding::Pkcs1(rsa::Pkcs1v15Sign { hash_len: Some(hash_len), prefix: hash.pkcs1_prefix().into() })
}

enum RsaPadding {
    Pss(rsa::Pss),
    Pkcs1(rsa::Pkcs1v15Sign),
}

#[derive(Debug)]
struct RsaSigner {
    key: Arc<rsa::RsaPrivateKey>,
    scheme: SignatureScheme,
}

impl Signer for RsaSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        use sha2::Digest;
        let (digest, padding): (Vec<u8>, RsaPadding) = match self.scheme {
            SignatureScheme::RSA_PSS_SHA256 => {
                (Sha256::digest(message).to_vec(), RsaPadding::Pss(rsa::Pss::new::<Sha256>()))
            }
            SignatureScheme::RSA_PSS_SHA384 => {
                (Sha384::digest(message).to_vec(), RsaPadding::Pss(rsa::Pss::new::<Sha384>()))
            }
            SignatureScheme::RSA_PSS_SHA512 => {
                (Sha512::digest(message).to_vec(), RsaPadding::Pss(rsa::Pss::new::<Sha512>()))
            }
            SignatureScheme::RSA_PKCS1_SHA256 => (Sha256::digest(message).to_vec(), pkcs1v15(Hash::Sha256, 32)),
            SignatureScheme::RSA_PKCS1_SHA384 => (Sha384::digest(message).to_vec(), pkcs1v15(Hash::Sha384, 48)),
            SignatureScheme::RSA_PKCS1_SHA512 => (Sha512::digest(message).to_vec(), pkcs1v15(Hash::Sha512, 64)),
            _ => return Err(Error::General("unsupported RSA signature scheme".into())),
        };
        // The port RNG feeds RSA blinding and PSS salts.
        let mut rng = PortRng::default();
        let sig = match padding {
            RsaPadding::Pss(p) => self.key.sign_with_rng(&mut rng, p, &digest),
            RsaPadding::Pkcs1(p) => self.key.sign_with_rng(&mut rng, p, &digest),
        }
        .map_err(|_| Error::General("RSA signing failed".into()))?;
        if rng.failed() {
            return Err(Error::FailedToGetRandomBytes);
        }
        Ok(sig)
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}
