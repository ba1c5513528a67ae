//! Key exchange: X25519 (feature `x25519`) and P-256, with secrets drawn from the port's entropy.

use alloc::boxed::Box;
use alloc::vec::Vec;

use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::{Error, NamedGroup, PeerMisbehaved};

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
        let secret = x25519_dalek::StaticSecret::from(random_32()?);
        let public = x25519_dalek::PublicKey::from(&secret);
        Ok(Box::new(X25519Exchange { secret, public }))
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
                let public = p256::EncodedPoint::from(secret.public_key()).as_bytes().to_vec();
                return Ok(Box::new(P256Exchange { secret, public }));
            }
        }
        Err(Error::FailedToGetRandomBytes)
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::secp256r1
    }
}

struct P256Exchange {
    secret: p256::SecretKey,
    public: Vec<u8>,
}

impl ActiveKeyExchange for P256Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
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
