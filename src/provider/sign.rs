//! Signing with our own key (client certificates, and the server side): ECDSA P-256 and RSA.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::pki_types::{alg_id, PrivateKeyDer, SubjectPublicKeyInfoDer};
use rustls::sign::{Signer, SigningKey};
use rustls::{Error, SignatureAlgorithm, SignatureScheme};
#[cfg(not(ussl_arith))]
use signature::RandomizedSigner;

use crate::der::{Reader, OCTET_STRING, OID, SEQUENCE};
use crate::port::PortRng;
use crate::result::UsslResult;

/// OIDs (contents) of the key types we read.
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// A P-256 private key: the p256 crate's signing key, or on ussl-arith builds the scalar alone
/// (the crate's signing key computes its public key on construction, with the crate's own
/// arithmetic, which on ARMv6-M costs more than a whole handshake on ussl-arith's).
#[cfg(not(ussl_arith))]
pub type P256Key = p256::ecdsa::SigningKey;
#[cfg(ussl_arith)]
pub type P256Key = p256::SecretKey;

/// The uncompressed SEC1 public key of a P-256 private key.
#[cfg(not(ussl_arith))]
fn p256_public_point(key: &P256Key) -> Vec<u8> {
    key.verifying_key().to_encoded_point(false).as_bytes().to_vec()
}

#[cfg(ussl_arith)]
fn p256_public_point(key: &P256Key) -> Vec<u8> {
    let d = zeroize::Zeroizing::new(<[u8; 32]>::from(key.to_bytes()));
    // A SecretKey is in [1, n - 1], which public_key takes.
    ussl_arith::p256::public_key(&d).map_or_else(Vec::new, |p| p.to_vec())
}

/// A private key we can sign with.
// One per context: the size of the RSA variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum KeyMaterial {
    EcdsaP256(P256Key),
    #[cfg(feature = "rsa-sign")]
    Rsa(rsa::RsaPrivateKey),
}

impl KeyMaterial {
    /// Reads a PKCS#8, SEC1 (P-256) or PKCS#1 (RSA) private key.
    pub fn from_der(der: &PrivateKeyDer<'_>) -> Result<Self, UsslResult> {
        match der {
            PrivateKeyDer::Pkcs8(k) => pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Sec1(k) => {
                sec1_p256(k.secret_sec1_der()).map(Self::EcdsaP256).ok_or(UsslResult::UnsupportedPrivateKey)
            }
            PrivateKeyDer::Pkcs1(k) => rsa_key(k.secret_pkcs1_der()),
            _ => Err(UsslResult::UnsupportedPrivateKey),
        }
    }

    /// The DER SubjectPublicKeyInfo of the key, as its certificate must carry it.
    pub fn public_key_info(&self) -> SubjectPublicKeyInfoDer<'static> {
        match self {
            Self::EcdsaP256(key) => rustls::sign::public_key_to_spki(&alg_id::ECDSA_P256, p256_public_point(key)),
            #[cfg(feature = "rsa-sign")]
            Self::Rsa(key) => super::sign_rsa::public_key_info(key),
        }
    }
}

/// PrivateKeyInfo (RFC 5208): SEQUENCE { version, AlgorithmIdentifier, OCTET STRING key, ... }.
fn pkcs8(der: &[u8]) -> Result<KeyMaterial, UsslResult> {
    let bad = UsslResult::UnsupportedPrivateKey;
    let mut outer = Reader::new(der);
    let mut info = outer.nested(SEQUENCE).ok_or(bad)?;
    if !matches!(info.unsigned_integer().ok_or(bad)?, [0] | [1]) {
        return Err(bad);
    }
    let mut alg = info.nested(SEQUENCE).ok_or(bad)?;
    let oid = alg.read(OID).ok_or(bad)?;
    let key = info.read(OCTET_STRING).ok_or(bad)?;
    match oid {
        EC_PUBLIC_KEY if alg.read(OID) == Some(PRIME256V1) => sec1_p256(key).map(KeyMaterial::EcdsaP256).ok_or(bad),
        RSA_ENCRYPTION => rsa_key(key),
        _ => Err(bad),
    }
}

/// An RSA key in PKCS#1 form, when this build has RSA.
fn rsa_key(der: &[u8]) -> Result<KeyMaterial, UsslResult> {
    #[cfg(feature = "rsa-sign")]
    return super::sign_rsa::pkcs1_rsa(der).map(KeyMaterial::Rsa).ok_or(UsslResult::UnsupportedPrivateKey);
    #[cfg(not(feature = "rsa-sign"))]
    {
        let _ = der;
        Err(UsslResult::RsaNotBuilt)
    }
}

/// ECPrivateKey (RFC 5915): SEQUENCE { 1, OCTET STRING d, [0] curve OPTIONAL, [1] point OPTIONAL }.
fn sec1_p256(der: &[u8]) -> Option<P256Key> {
    let mut outer = Reader::new(der);
    let mut key = outer.nested(SEQUENCE)?;
    if key.unsigned_integer()? != [1] {
        return None;
    }
    let d = key.read(OCTET_STRING)?;
    if let Some(params) = key.read_optional(0xa0) {
        if Reader::new(params).read(OID)? != PRIME256V1 {
            return None;
        }
    }
    if d.len() > 32 {
        return None;
    }
    let mut scalar = [0u8; 32];
    scalar.get_mut(32 - d.len()..)?.copy_from_slice(d);
    P256Key::from_bytes(&scalar.into()).ok()
}

/// Loads a private key of any type we can sign with.
pub fn any_supported_key(der: &PrivateKeyDer<'_>) -> Result<Arc<dyn SigningKey>, Error> {
    let Ok(material) = KeyMaterial::from_der(der) else {
        return Err(Error::General("unsupported private key type".into()));
    };
    Ok(match material {
        KeyMaterial::EcdsaP256(key) => Arc::new(EcdsaP256 { key: Arc::new(key) }),
        #[cfg(feature = "rsa-sign")]
        KeyMaterial::Rsa(key) => {
            let spki = super::sign_rsa::public_key_info(&key);
            Arc::new(super::sign_rsa::RsaKey { key: Arc::new(key), spki })
        }
    })
}

#[derive(Debug)]
struct EcdsaP256 {
    key: Arc<P256Key>,
}

impl SigningKey for EcdsaP256 {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered
            .contains(&SignatureScheme::ECDSA_NISTP256_SHA256)
            .then(|| Box::new(EcdsaP256Signer(self.key.clone())) as Box<dyn Signer>)
    }

    /// None: computing it is a scalar multiplication (a third of an ECDSA signature's cost on
    /// the RP2040), and what rustls uses it for, checking the key against the certificate,
    /// Context::set_certificate has done (keys::check_key_matches) for every key it loads.
    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        None
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }
}

#[derive(Debug)]
struct EcdsaP256Signer(Arc<P256Key>);

impl Signer for EcdsaP256Signer {
    #[cfg(ussl_arith)]
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        use rand_core::RngCore;
        use sha2::Digest;
        // As the ecdsa crate signs (RFC 6979 nonces plus fresh entropy, so a weak port RNG
        // alone cannot leak the key), with ussl-arith's arithmetic.
        let mut rng = PortRng::default();
        let mut entropy = [0u8; 32];
        rng.fill_bytes(&mut entropy);
        if rng.failed() {
            return Err(Error::FailedToGetRandomBytes);
        }
        let z: [u8; 32] = sha2::Sha256::digest(message).into();
        let d = zeroize::Zeroizing::new(<[u8; 32]>::from(self.0.to_bytes()));
        let order = ussl_arith::ct::to_be_bytes(&ussl_arith::p256::scalar::N);
        let k = zeroize::Zeroizing::new(<[u8; 32]>::from(rfc6979::generate_k::<sha2::Sha256, _>(
            &(*d).into(),
            &order.into(),
            &z.into(),
            &entropy,
        )));
        let (r, s) = ussl_arith::p256::sign(&d, &k, &z).ok_or(Error::General("ECDSA signing failed".into()))?;
        Ok(crate::der::encode_unsigned_sequence(&[&r, &s]))
    }

    #[cfg(not(ussl_arith))]
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        // RFC 6979 nonces plus fresh entropy, so a weak port RNG alone cannot leak the key.
        let mut rng = PortRng::default();
        let sig: p256::ecdsa::Signature =
            self.0.try_sign_with_rng(&mut rng, message).map_err(|_| Error::General("ECDSA signing failed".into()))?;
        if rng.failed() {
            return Err(Error::FailedToGetRandomBytes);
        }
        let (r, s) = sig.split_bytes();
        Ok(crate::der::encode_unsigned_sequence(&[&r, &s]))
    }

    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP256_SHA256
    }
}
