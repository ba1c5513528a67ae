//! Key exchange: X25519 (feature `x25519`) and P-256, with secrets drawn from the port's entropy.

use alloc::boxed::Box;
use alloc::vec::Vec;

use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::{Error, NamedGroup, PeerMisbehaved};

/// An exchange with a given secret instead of a random one: for the known-answer tests
/// (tests/wycheproof.rs) only. None for a secret the group cannot use.
#[doc(hidden)]
pub fn exchange_with_secret(group: NamedGroup, secret: &[u8]) -> Option<Box<dyn ActiveKeyExchange>> {
    match group {
        #[cfg(feature = "x25519")]
        NamedGroup::X25519 => Some(X25519Exchange::with_secret(<[u8; 32]>::try_from(secret).ok()?)),
        NamedGroup::secp256r1 => Some(P256Exchange::with_secret(p256::SecretKey::from_slice(secret).ok()?)),
        _ => None,
    }
}

pub static ALL_KX_GROUPS: &[&dyn SupportedKxGroup] = &[
    #[cfg(feature = "x25519")]
    &X25519,
    &P256,
];

fn random_32() -> Result<[u8; 32], Error> {
    let mut seed = [0u8; 32];
    if crate::port::fill_random(&mut seed) {
        Ok(seed)
    } else {
        Err(Error::FailedToGetRandomBytes)
    }
}

#[cfg(feature = "x25519")]
#[derive(Debug)]
pub struct X25519;

#[cfg(feature = "x25519")]
impl SupportedKxGroup for X25519 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        Ok(X25519Exchange::with_secret(random_32()?))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::X25519
    }
}

#[cfg(feature = "x25519")]
struct X25519Exchange {
    // Used for one exchange only; StaticSecret is just the type that can be built from bytes.
    secret: x25519_dalek::StaticSecret,
    public: x25519_dalek::PublicKey,
}

#[cfg(feature = "x25519")]
impl X25519Exchange {
    fn with_secret(secret: [u8; 32]) -> Box<dyn ActiveKeyExchange> {
        let secret = x25519_dalek::StaticSecret::from(secret);
        let public = x25519_dalek::PublicKey::from(&secret);
        Box::new(X25519Exchange { secret, public })
    }
}

#[cfg(feature = "x25519")]
impl ActiveKeyExchange for X25519Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        let peer: [u8; 32] = peer.try_into().map_err(|_| Error::from(PeerMisbehaved::InvalidKeyShare))?;
        let shared = self.secret.diffie_hellman(&peer.into());
        if !shared.was_contributory() {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        Ok(SharedSecret::from(&shared.as_bytes()[..]))
    }

    fn pub_key(&self) -> &[u8] {
        self.public.as_bytes()
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::X25519
    }
}

#[derive(Debug)]
pub struct P256;

impl SupportedKxGroup for P256 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        // A random 32-byte string is a valid scalar unless it is zero or above the group order
        // (probability about 2^-32); draw again in that case.
        for _ in 0..8 {
            if let Ok(secret) = p256::SecretKey::from_slice(&random_32()?) {
                return Ok(P256Exchange::with_secret(secret));
            }
        }
        Err(Error::FailedToGetRandomBytes)
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::secp256r1
    }
}

/// 0x04, then x and y.
const UNCOMPRESSED_P256: usize = 1 + 2 * 32;

struct P256Exchange {
    secret: p256::SecretKey,
    public: Vec<u8>,
}

impl P256Exchange {
    fn with_secret(secret: p256::SecretKey) -> Box<dyn ActiveKeyExchange> {
        let public = p256::EncodedPoint::from(secret.public_key()).as_bytes().to_vec();
        Box::new(P256Exchange { secret, public })
    }
}

impl ActiveKeyExchange for P256Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        // TLS carries P-256 shares uncompressed only (RFC 8446 section 4.2.8.2; RFC 8422 section
        // 5.1.2 for TLS 1.2, where we offer only the uncompressed format); from_sec1_bytes would
        // also take a compressed point, which a peer must not send.
        if peer.len() != UNCOMPRESSED_P256 || peer.first() != Some(&0x04) {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        let peer = p256::PublicKey::from_sec1_bytes(peer).map_err(|_| Error::from(PeerMisbehaved::InvalidKeyShare))?;
        let shared = p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), peer.as_affine());
        Ok(SharedSecret::from(&shared.raw_secret_bytes()[..]))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::secp256r1
    }
}
