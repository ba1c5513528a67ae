//! Key exchange: X25519 (feature `x25519`) and P-256, with secrets drawn from the port's entropy;
//! X25519MLKEM768 (feature `pq`) joins them from kx_mlkem.rs.
//! The arithmetic is ussl-arith's on ARMv6-M (cfg `ussl_arith`, build.rs), the x25519-dalek and
//! p256 crates' elsewhere.

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
        NamedGroup::secp256r1 => P256Exchange::with_secret(p256::SecretKey::from_slice(secret).ok()?),
        _ => None,
    }
}

/// Our groups, most preferred first: a client's first key share is the first one's (with the
/// hybrid's X25519 half beside it), and it lists them in this order. rustls's server takes the
/// first group of the client's list that it has, so a client listing X25519MLKEM768 first gets
/// it. The hybrid is for TLS 1.3 only; rustls leaves it out of TLS 1.2.
pub static ALL_KX_GROUPS: &[&dyn SupportedKxGroup] = &[
    #[cfg(feature = "pq")]
    &super::kx_mlkem::X25519MLKEM768,
    #[cfg(feature = "x25519")]
    &X25519,
    &P256,
];

/// Our group with that codepoint, if this build has it.
pub fn built_group(id: crate::groups::GroupId) -> Option<&'static dyn SupportedKxGroup> {
    ALL_KX_GROUPS.iter().find(|g| u16::from(g.name()) == id).copied()
}

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

#[cfg(all(feature = "x25519", not(ussl_arith)))]
struct X25519Exchange {
    // Used for one exchange only; StaticSecret is just the type that can be built from bytes.
    secret: x25519_dalek::StaticSecret,
    public: x25519_dalek::PublicKey,
}

#[cfg(all(feature = "x25519", not(ussl_arith)))]
impl X25519Exchange {
    fn with_secret(secret: [u8; 32]) -> Box<dyn ActiveKeyExchange> {
        let secret = x25519_dalek::StaticSecret::from(secret);
        let public = x25519_dalek::PublicKey::from(&secret);
        Box::new(X25519Exchange { secret, public })
    }

    /// The shared secret, None when it is all zeros (a small-order peer share).
    fn shared(&self, peer: [u8; 32]) -> Option<zeroize::Zeroizing<[u8; 32]>> {
        let shared = self.secret.diffie_hellman(&peer.into());
        shared.was_contributory().then(|| zeroize::Zeroizing::new(*shared.as_bytes()))
    }

    fn public(&self) -> &[u8] {
        self.public.as_bytes()
    }
}

#[cfg(all(feature = "x25519", ussl_arith))]
struct X25519Exchange {
    secret: zeroize::Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

#[cfg(all(feature = "x25519", ussl_arith))]
impl X25519Exchange {
    fn with_secret(secret: [u8; 32]) -> Box<dyn ActiveKeyExchange> {
        let secret = zeroize::Zeroizing::new(secret);
        let mut base = [0u8; 32];
        base[0] = 9;
        let public = ussl_arith::x25519::x25519(&secret, &base);
        Box::new(X25519Exchange { secret, public })
    }

    /// The shared secret, None when it is all zeros (a small-order peer share; RFC 7748
    /// section 6.1). Whether it is zero is all the comparison reveals.
    fn shared(&self, peer: [u8; 32]) -> Option<zeroize::Zeroizing<[u8; 32]>> {
        let shared = zeroize::Zeroizing::new(ussl_arith::x25519::x25519(&self.secret, &peer));
        let any = shared.iter().fold(0u8, |acc, b| acc | b);
        (core::hint::black_box(any) != 0).then_some(shared)
    }

    fn public(&self) -> &[u8] {
        &self.public
    }
}

#[cfg(feature = "x25519")]
impl ActiveKeyExchange for X25519Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        let peer: [u8; 32] = peer.try_into().map_err(|_| Error::from(PeerMisbehaved::InvalidKeyShare))?;
        let shared = self.shared(peer).ok_or(Error::from(PeerMisbehaved::InvalidKeyShare))?;
        Ok(SharedSecret::from(&shared[..]))
    }

    fn pub_key(&self) -> &[u8] {
        self.public()
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
            if let Some(exchange) = p256::SecretKey::from_slice(&random_32()?).ok().and_then(P256Exchange::with_secret)
            {
                return Ok(exchange);
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
    #[cfg(not(ussl_arith))]
    fn with_secret(secret: p256::SecretKey) -> Option<Box<dyn ActiveKeyExchange>> {
        let public = p256::EncodedPoint::from(secret.public_key()).as_bytes().to_vec();
        Some(Box::new(P256Exchange { secret, public }))
    }

    #[cfg(ussl_arith)]
    fn with_secret(secret: p256::SecretKey) -> Option<Box<dyn ActiveKeyExchange>> {
        let public = ussl_arith::p256::public_key(&secret.to_bytes().into())?.to_vec();
        Some(Box::new(P256Exchange { secret, public }))
    }

    /// The x coordinate of secret * peer, for an uncompressed peer point on the curve.
    #[cfg(not(ussl_arith))]
    fn shared(&self, peer: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        let peer = p256::PublicKey::from_sec1_bytes(peer).ok()?;
        let shared = p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), peer.as_affine());
        Some(zeroize::Zeroizing::new(shared.raw_secret_bytes().to_vec()))
    }

    #[cfg(ussl_arith)]
    fn shared(&self, peer: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        let secret = zeroize::Zeroizing::new(<[u8; 32]>::from(self.secret.to_bytes()));
        let shared = zeroize::Zeroizing::new(ussl_arith::p256::ecdh(&secret, peer)?);
        Some(zeroize::Zeroizing::new(shared.to_vec()))
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
        let shared = self.shared(peer).ok_or(Error::from(PeerMisbehaved::InvalidKeyShare))?;
        Ok(SharedSecret::from(&shared[..]))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::secp256r1
    }
}
