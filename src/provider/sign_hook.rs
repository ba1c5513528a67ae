//! Our key behind the script's signing hook (mainline's `ecdsa_sign_callback`, issue 27): for an
//! ECDSA P-256 key, each signature is first asked of the hook (`crate::sign_hook`), with the
//! key's scalar and the SHA-256 digest of what is signed; None from the callback signs with the
//! key as usual. The key may then be a placeholder that names a secure element's slot, which is
//! why a context with the hook takes a key that does not match its certificate.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::pki_types::PrivateKeyDer;
use rustls::sign::{Signer, SigningKey};
use rustls::{Error, SignatureAlgorithm, SignatureScheme};
use sha2::Digest;
use zeroize::Zeroizing;

use super::sign::{any_supported_key, KeyMaterial};
use crate::sign_hook::Signed;

/// The error text of a handshake whose hook failed (`rustls_engine::errors` maps it).
pub const SIGN_HOOK_FAILED: &str = "ussl: ecdsa_sign_callback failed";

/// `der` as a signing key whose ECDSA signatures go through the hook named by `token`; an RSA
/// key signs as usual (mainline's hook is for ECDSA).
pub fn hooked_key(der: &PrivateKeyDer<'_>, token: usize) -> Result<Arc<dyn SigningKey>, Error> {
    let inner = any_supported_key(der)?;
    match KeyMaterial::from_der(der) {
        Ok(KeyMaterial::EcdsaP256(key)) => {
            let scalar = Arc::new(Zeroizing::new(key.to_bytes().to_vec()));
            Ok(Arc::new(HookedKey { inner, scalar, token }))
        }
        _ => Ok(inner),
    }
}

struct HookedKey {
    inner: Arc<dyn SigningKey>,
    scalar: Arc<Zeroizing<Vec<u8>>>,
    token: usize,
}

impl core::fmt::Debug for HookedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HookedKey")
    }
}

impl SigningKey for HookedKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let inner = self.inner.choose_scheme(offered)?;
        Some(Box::new(HookedSigner { inner, scalar: self.scalar.clone(), token: self.token }))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
}

struct HookedSigner {
    inner: Box<dyn Signer>,
    scalar: Arc<Zeroizing<Vec<u8>>>,
    token: usize,
}

impl core::fmt::Debug for HookedSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HookedSigner")
    }
}

impl Signer for HookedSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        // The one scheme a P-256 key signs with here (EcdsaP256::choose_scheme).
        let digest = sha2::Sha256::digest(message);
        match crate::sign_hook::sign(self.token, &self.scalar, &digest) {
            Signed::Signature(der) => Ok(der),
            Signed::Declined => self.inner.sign(message),
            Signed::Failed => Err(Error::General(SIGN_HOOK_FAILED.into())),
        }
    }

    fn scheme(&self) -> SignatureScheme {
        self.inner.scheme()
    }
}
