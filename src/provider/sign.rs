//! Signing with our own key (client certificates, and the server side): ECDSA P-256 and RSA.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::pki_types::{PrivateKeyDer, SubjectPublicKeyInfoDer};
use rustls::sign::{Signer, SigningKey};
use rustls::{Error, SignatureAlgorithm, SignatureScheme};
use sha2::{Sha256, Sha384, Sha512};
use signature::{RandomizedSigner, SignatureEncoding};

use crate::port::PortRng;

/// Loads a private key of any type we can sign with.
pub fn any_supported_key(der: &PrivateKeyDer<'_>) -> Result<Arc<dyn SigningKey>, Error> {
    let spki = public_key_der(der).unwrap_or_default();
    if let Some(key) = ecdsa_p256_key(der) {
        return Ok(Arc::new(EcdsaP256 { key: Arc::new(key), spki }));
    }
    if let Some(key) = rsa_key(der) {
        return Ok(Arc::new(RsaKey { key: Arc::new(key), spki }));
    }
    Err(Error::General("unsupported private key type (ECDSA P-256 and RSA keys are supported)".into()))
}

fn ecdsa_p256_key(der: &PrivateKeyDer<'_>) -> Option<p256::ecdsa::SigningKey> {
    use p256::pkcs8::DecodePrivateKey;
    use sec1::der::Decode;
    match der {
        PrivateKeyDer::Pkcs8(k) => p256::ecdsa::SigningKey::from_pkcs8_der(k.secret_pkcs8_der()).ok(),
        PrivateKeyDer::Sec1(k) => {
            let parsed = sec1::EcPrivateKey::from_der(k.secret_sec1_der()).ok()?;
            if let Some(params) = parsed.parameters {
                if params.named_curve() != Some(<p256::NistP256 as p256::pkcs8::AssociatedOid>::OID) {
                    return None;
                }
            }
            p256::ecdsa::SigningKey::from_slice(parsed.private_key).ok()
        }
        _ => None,
    }
}

fn rsa_key(der: &PrivateKeyDer<'_>) -> Option<rsa::RsaPrivateKey> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    match der {
        PrivateKeyDer::Pkcs8(k) => rsa::RsaPrivateKey::from_pkcs8_der(k.secret_pkcs8_der()).ok(),
        PrivateKeyDer::Pkcs1(k) => rsa::RsaPrivateKey::from_pkcs1_der(k.secret_pkcs1_der()).ok(),
        _ => None,
    }
}

/// The DER SubjectPublicKeyInfo of a private key, to check that it matches its certificate.
pub fn public_key_der(der: &PrivateKeyDer<'_>) -> Option<Vec<u8>> {
    use p256::pkcs8::EncodePublicKey;
    if let Some(key) = ecdsa_p256_key(der) {
        return key.verifying_key().to_public_key_der().ok().map(|d| d.as_bytes().to_vec());
    }
    if let Some(key) = rsa_key(der) {
        use rsa::pkcs8::EncodePublicKey as _;
        return key.to_public_key().to_public_key_der().ok().map(|d| d.as_bytes().to_vec());
    }
    None
}

#[derive(Debug)]
struct EcdsaP256 {
    key: Arc<p256::ecdsa::SigningKey>,
    spki: Vec<u8>,
}

impl SigningKey for EcdsaP256 {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered
            .contains(&SignatureScheme::ECDSA_NISTP256_SHA256)
            .then(|| Box::new(EcdsaP256Signer(self.key.clone())) as Box<dyn Signer>)
    }

    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        (!self.spki.is_empty()).then(|| SubjectPublicKeyInfoDer::from(&self.spki[..]))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }
}

#[derive(Debug)]
struct EcdsaP256Signer(Arc<p256::ecdsa::SigningKey>);

impl Signer for EcdsaP256Signer {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        // RFC 6979 nonces plus fresh entropy, so a weak port RNG alone cannot leak the key.
        let mut rng = PortRng::default();
        let sig: p256::ecdsa::DerSignature = self
            .0
            .try_sign_with_rng(&mut rng, message)
            .map_err(|_| Error::General("ECDSA signing failed".into()))?;
        if rng.failed() {
            return Err(Error::FailedToGetRandomBytes);
        }
        Ok(sig.to_vec())
    }

    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP256_SHA256
    }
}

#[derive(Debug)]
struct RsaKey {
    key: Arc<rsa::RsaPrivateKey>,
    spki: Vec<u8>,
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
        (!self.spki.is_empty()).then(|| SubjectPublicKeyInfoDer::from(&self.spki[..]))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RSA
    }
}

#[derive(Debug)]
struct RsaSigner {
    key: Arc<rsa::RsaPrivateKey>,
    scheme: SignatureScheme,
}

fn randomized<S: SignatureEncoding>(
    signer: impl RandomizedSigner<S>,
    message: &[u8],
) -> Result<Vec<u8>, Error> {
    // The port RNG feeds RSA blinding and PSS salts.
    let mut rng = PortRng::default();
    let sig = signer
        .try_sign_with_rng(&mut rng, message)
        .map_err(|_| Error::General("RSA signing failed".into()))?;
    if rng.failed() {
        return Err(Error::FailedToGetRandomBytes);
    }
    Ok(sig.to_vec())
}

impl Signer for RsaSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        use rsa::{pkcs1v15, pss};
        let key = (*self.key).clone();
        match self.scheme {
            SignatureScheme::RSA_PSS_SHA256 => randomized(pss::BlindedSigningKey::<Sha256>::new(key), message),
            SignatureScheme::RSA_PSS_SHA384 => randomized(pss::BlindedSigningKey::<Sha384>::new(key), message),
            SignatureScheme::RSA_PSS_SHA512 => randomized(pss::BlindedSigningKey::<Sha512>::new(key), message),
            SignatureScheme::RSA_PKCS1_SHA256 => randomized(pkcs1v15::SigningKey::<Sha256>::new(key), message),
            SignatureScheme::RSA_PKCS1_SHA384 => randomized(pkcs1v15::SigningKey::<Sha384>::new(key), message),
            SignatureScheme::RSA_PKCS1_SHA512 => randomized(pkcs1v15::SigningKey::<Sha512>::new(key), message),
            _ => Err(Error::General("unsupported RSA signature scheme".into())),
        }
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}
