//! Our own rustls `CryptoProvider` over RustCrypto crates, limited to the suites we offer so
//! that flash stays small, with every random byte taken from the port.

#[cfg(feature = "engine-rustls")]
mod aead;
#[cfg(feature = "engine-rustls")]
mod hash;
#[cfg(feature = "engine-rustls")]
mod hmac;
#[cfg(feature = "engine-rustls")]
pub mod kx;
#[cfg(feature = "pq")]
mod kx_hybrid;
#[cfg(feature = "pq")]
pub mod kx_mlkem;
#[cfg(feature = "pq")]
mod mlkem;
#[cfg(feature = "p384")]
pub mod p384;
pub mod primitives;
#[cfg(feature = "rsa")]
mod public_bignum;
#[cfg(feature = "engine-rustls")]
pub mod sign;
#[cfg(feature = "engine-rustls")]
pub mod sign_hook;
#[cfg(feature = "rsa-sign")]
mod sign_rsa;
#[cfg(feature = "engine-rustls")]
mod suites;
pub mod verify;
#[cfg(feature = "rsa")]
mod verify_rsa;

#[cfg(feature = "engine-rustls")]
pub use rustls_glue::*;
#[cfg(all(feature = "engine-rustls", feature = "tls12"))]
pub use suites::PSK_CIPHER_SUITES;
#[cfg(feature = "engine-rustls")]
pub use suites::{find_by_name, openssl_name, ALL_CIPHER_SUITES};
#[cfg(feature = "engine-rustls")]
pub use verify::ALGORITHMS as SIGNATURE_ALGORITHMS;

/// The rustls `CryptoProvider` built from the modules above.
#[cfg(feature = "engine-rustls")]
mod rustls_glue {
    use alloc::sync::Arc;

    use super::{kx, sign, verify, ALL_CIPHER_SUITES};

    use rustls::crypto::{CryptoProvider, GetRandomFailed, KeyProvider, SecureRandom};
    use rustls::pki_types::PrivateKeyDer;

    /// The provider every config of ours is built on.
    pub fn provider() -> CryptoProvider {
        provider_with(ALL_CIPHER_SUITES, kx::ALL_KX_GROUPS)
    }

    /// The provider limited to `suites` (a context's `set_ciphers`) and `groups` (its
    /// `set_groups`).
    pub fn provider_with(
        suites: &[rustls::SupportedCipherSuite],
        groups: &[&'static dyn rustls::crypto::SupportedKxGroup],
    ) -> CryptoProvider {
        CryptoProvider {
            cipher_suites: suites.to_vec(),
            kx_groups: groups.to_vec(),
            signature_verification_algorithms: verify::ALGORITHMS,
            secure_random: &PortRandom,
            key_provider: &Keys,
        }
    }

    #[derive(Debug)]
    struct PortRandom;

    impl SecureRandom for PortRandom {
        fn fill(&self, bytes: &mut [u8]) -> Result<(), GetRandomFailed> {
            if crate::port::fill_random(bytes) {
                Ok(())
            } else {
                Err(GetRandomFailed)
            }
        }
    }

    #[derive(Debug)]
    struct Keys;

    impl KeyProvider for Keys {
        fn load_private_key(
            &self,
            key_der: PrivateKeyDer<'static>,
        ) -> Result<Arc<dyn rustls::sign::SigningKey>, rustls::Error> {
            sign::any_supported_key(&key_der)
        }
    }
}
