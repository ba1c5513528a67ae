//! X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem, codepoint 0x11EC): ML-KEM-768 (FIPS 203; our own,
//! mlkem/) beside X25519 (kx.rs), as kx_hybrid.rs joins them. The ML-KEM part comes first:
//! the client's share is the encapsulation key (1184 bytes) then its X25519 public key, the
//! server's is the ciphertext (1088 bytes) then its X25519 public key, the secret is ML-KEM's
//! (32 bytes) then X25519's.
//!
//! Every random input comes from the port: the 64-byte key seed (d, z) and the 32-byte message m
//! that encapsulation encrypts go into FIPS 203's "internal" functions, which the
//! known-answer tests (tests/mlkem_kat.rs) drive with the vectors' values through the same code.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use rustls::crypto::{ActiveKeyExchange, CompletedKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::ffdhe_groups::FfdheGroup;
use rustls::{Error, NamedGroup, ProtocolVersion};
use zeroize::Zeroizing;

use super::kx::{self, X25519};
use super::kx_hybrid::{Hybrid, Layout, INVALID_KEY_SHARE};
use super::mlkem;
pub use super::mlkem::{CIPHERTEXT_LEN, DECAPSULATION_KEY_LEN, ENCAPSULATION_KEY_LEN};

const X25519_LEN: usize = 32;
/// The coefficients' modulus q.
const Q: u16 = 3329;

/// The group, offered first by clients and taken by servers when a client offers it first.
pub static X25519MLKEM768: Hybrid = Hybrid {
    classical: &X25519,
    post_quantum: &MLKEM768,
    name: NamedGroup::X25519MLKEM768,
    layout: Layout {
        classical_share_len: X25519_LEN,
        post_quantum_client_share_len: ENCAPSULATION_KEY_LEN,
        post_quantum_server_share_len: CIPHERTEXT_LEN,
        post_quantum_first: true,
    },
};

/// ML-KEM-768 alone: the hybrid's post-quantum half (not offered as a group of its own).
static MLKEM768: MlKem768Group = MlKem768Group;

#[derive(Debug)]
struct MlKem768Group;

impl SupportedKxGroup for MlKem768Group {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let (mut d, mut z) = (Zeroizing::new([0u8; 32]), Zeroizing::new([0u8; 32]));
        if !(crate::port::fill_random(&mut d[..]) && crate::port::fill_random(&mut z[..])) {
            return Err(Error::FailedToGetRandomBytes);
        }
        Ok(Box::new(MlKemExchange::from_seed(&d, &z)?))
    }

    fn start_and_complete(&self, encapsulation_key: &[u8]) -> Result<CompletedKeyExchange, Error> {
        let mut m = Zeroizing::new([0u8; 32]);
        if !crate::port::fill_random(&mut m[..]) {
            return Err(Error::FailedToGetRandomBytes);
        }
        encapsulate(encapsulation_key, &m)
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        None
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::MLKEM768
    }

    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

/// The client's half: the decapsulation key in FIPS 203's encoding, which holds the
/// encapsulation key we send (zeroized when dropped).
struct MlKemExchange {
    decapsulation_key: Zeroizing<Vec<u8>>,
}

impl MlKemExchange {
    /// ML-KEM.KeyGen_internal(d, z). The key is built in place on the heap (2400 bytes).
    fn from_seed(d: &[u8; 32], z: &[u8; 32]) -> Result<Self, Error> {
        let mut decapsulation_key = Zeroizing::new(vec![0u8; DECAPSULATION_KEY_LEN]);
        let dk = <&mut [u8; DECAPSULATION_KEY_LEN]>::try_from(decapsulation_key.as_mut_slice())
            .map_err(|_| keygen_failed())?;
        mlkem::keygen(d, z, dk).ok_or_else(keygen_failed)?;
        Ok(MlKemExchange { decapsulation_key })
    }

    fn key(&self) -> Option<&[u8; DECAPSULATION_KEY_LEN]> {
        self.decapsulation_key.as_slice().try_into().ok()
    }
}

/// Key generation cannot fail but for lengths that do not match, which the constants rule out.
fn keygen_failed() -> Error {
    Error::General(String::from("ML-KEM-768 key generation"))
}

impl ActiveKeyExchange for MlKemExchange {
    fn complete(self: Box<Self>, ciphertext: &[u8]) -> Result<SharedSecret, Error> {
        let shared = decapsulate(self.key().ok_or_else(keygen_failed)?, ciphertext)?;
        Ok(SharedSecret::from(&shared[..]))
    }

    fn pub_key(&self) -> &[u8] {
        self.key().and_then(mlkem::encapsulation_key).unwrap_or(&[])
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        None
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::MLKEM768
    }
}

/// ML-KEM.Decaps. Only the length is checked (FIPS 203 section 7.3, the ciphertext type check):
/// a ciphertext that does not decrypt to itself gives the implicit-rejection secret, chosen in
/// constant time (mlkem::decaps), and the handshake then fails at Finished like any wrong key.
fn decapsulate(key: &[u8; DECAPSULATION_KEY_LEN], ciphertext: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
    let ciphertext = <&[u8; CIPHERTEXT_LEN]>::try_from(ciphertext).map_err(|_| INVALID_KEY_SHARE)?;
    let mut shared = Zeroizing::new([0u8; 32]);
    mlkem::decaps(key, ciphertext, &mut shared).ok_or(INVALID_KEY_SHARE)?;
    Ok(shared)
}

/// ML-KEM.Encaps with message `m`: the ciphertext as our share, and the secret. The key is
/// checked first (FIPS 203 section 7.2: its length, and every coefficient below q, which
/// decoding would otherwise take as it is); draft-ietf-tls-ecdhe-mlkem makes a key that fails
/// either an illegal_parameter, which rustls sends for InvalidKeyShare.
fn encapsulate(encapsulation_key: &[u8], m: &[u8; 32]) -> Result<CompletedKeyExchange, Error> {
    let key = <&[u8; ENCAPSULATION_KEY_LEN]>::try_from(encapsulation_key).map_err(|_| INVALID_KEY_SHARE)?;
    if !coefficients_reduced(encapsulation_key) {
        return Err(INVALID_KEY_SHARE);
    }
    let mut ciphertext = vec![0u8; CIPHERTEXT_LEN];
    let c = <&mut [u8; CIPHERTEXT_LEN]>::try_from(ciphertext.as_mut_slice()).map_err(|_| INVALID_KEY_SHARE)?;
    let mut shared = Zeroizing::new([0u8; 32]);
    mlkem::encaps(key, m, c, &mut shared).ok_or(INVALID_KEY_SHARE)?;
    let secret = SharedSecret::from(&shared[..]);
    Ok(CompletedKeyExchange { group: NamedGroup::MLKEM768, pub_key: ciphertext, secret })
}

/// FIPS 203's modulus check: every 12-bit coefficient of the key's polynomials (all but the
/// last 32 bytes, rho) is below q. The key is public, so the early exit leaks nothing.
fn coefficients_reduced(encapsulation_key: &[u8]) -> bool {
    let Some(polynomials) = encapsulation_key.get(..ENCAPSULATION_KEY_LEN - 32) else {
        return false;
    };
    polynomials.chunks_exact(3).all(|c| match *c {
        [b0, b1, b2] => {
            let first = u16::from(b0) | (u16::from(b1 & 0x0f) << 8);
            let second = u16::from(b1 >> 4) | (u16::from(b2) << 4);
            first < Q && second < Q
        }
        _ => false,
    })
}

/// The known-answer tests' entry points (tests/mlkem_kat.rs, tests/hybrid_kx.rs): the
/// provider's own functions with the random inputs given. Not for anything else.
#[doc(hidden)]
pub mod kat {
    use super::*;

    /// ML-KEM.KeyGen_internal(d, z): the encapsulation key and the FIPS 203 decapsulation key.
    pub fn keygen(d: &[u8; 32], z: &[u8; 32]) -> (Vec<u8>, Vec<u8>) {
        match MlKemExchange::from_seed(d, z) {
            Ok(exchange) => (exchange.pub_key().to_vec(), exchange.decapsulation_key.to_vec()),
            Err(_) => (Vec::new(), Vec::new()),
        }
    }

    /// ML-KEM.Encaps_internal(ek, m) as our server runs it, key checks included: the
    /// ciphertext and the secret.
    pub fn encaps(encapsulation_key: &[u8], m: &[u8; 32]) -> Result<(Vec<u8>, Vec<u8>), Error> {
        let done = encapsulate(encapsulation_key, m)?;
        Ok((done.pub_key, done.secret.secret_bytes().to_vec()))
    }

    /// ML-KEM.Decaps_internal(dk, c) for a FIPS 203-encoded decapsulation key, through the
    /// decapsulation our client runs. None for a key of the wrong length.
    pub fn decaps(decapsulation_key: &[u8], ciphertext: &[u8]) -> Option<Result<[u8; 32], Error>> {
        let key = <&[u8; DECAPSULATION_KEY_LEN]>::try_from(decapsulation_key).ok()?;
        Some(decapsulate(key, ciphertext).map(|shared| *shared))
    }

    /// The client's X25519MLKEM768 exchange for ML-KEM's seed (d, z) and the X25519 secret.
    pub fn client(d: &[u8; 32], z: &[u8; 32], x25519_secret: &[u8]) -> Option<Box<dyn ActiveKeyExchange>> {
        let classical = kx::exchange_with_secret(NamedGroup::X25519, x25519_secret)?;
        Some(X25519MLKEM768.active(classical, Box::new(MlKemExchange::from_seed(d, z).ok()?)))
    }

    /// The server's X25519MLKEM768 exchange for the client's share, the message m and the X25519
    /// secret: the server's share and the secret.
    pub fn server(client_share: &[u8], m: &[u8; 32], x25519_secret: &[u8]) -> Result<CompletedKeyExchange, Error> {
        let (post_quantum_share, classical_share) =
            X25519MLKEM768.layout.split_received_client_share(client_share).ok_or(INVALID_KEY_SHARE)?;
        let classical = kx::exchange_with_secret(NamedGroup::X25519, x25519_secret).ok_or(INVALID_KEY_SHARE)?;
        let classical = CompletedKeyExchange {
            group: NamedGroup::X25519,
            pub_key: classical.pub_key().to_vec(),
            secret: classical.complete(classical_share)?,
        };
        Ok(X25519MLKEM768.completed(classical, encapsulate(post_quantum_share, m)?))
    }
}
