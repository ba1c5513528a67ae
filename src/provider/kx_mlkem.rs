//! X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem, codepoint 0x11EC): ML-KEM-768 (FIPS 203; the
//! ml-kem crate) beside X25519 (kx.rs), as kx_hybrid.rs joins them. The ML-KEM part comes first:
//! the client's share is the encapsulation key (1184 bytes) then its X25519 public key, the
//! server's is the ciphertext (1088 bytes) then its X25519 public key, the secret is ML-KEM's
//! (32 bytes) then X25519's.
//!
//! Every random input comes from the port: the 64-byte key seed (d, z) and the 32-byte message m
//! that encapsulation encrypts go into the crate's deterministic functions, which the
//! known-answer tests (tests/mlkem_kat.rs) drive with the vectors' values through the same code.

use alloc::boxed::Box;
use alloc::vec::Vec;

use ml_kem::kem::{Decapsulate, DecapsulationKey};
use ml_kem::{EncapsulateDeterministic, EncodedSizeUser, KemCore, MlKem768, MlKem768Params, B32};
use rustls::crypto::{ActiveKeyExchange, CompletedKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::ffdhe_groups::FfdheGroup;
use rustls::{Error, NamedGroup, ProtocolVersion};
use zeroize::{Zeroize, Zeroizing};

use super::kx::{self, X25519};
use super::kx_hybrid::{Hybrid, Layout, INVALID_KEY_SHARE};

/// ML-KEM-768's encapsulation key: 3 polynomials of 256 12-bit coefficients, then the 32-byte
/// seed rho of the matrix.
pub const ENCAPSULATION_KEY_LEN: usize = 1184;
/// ML-KEM-768's ciphertext.
pub const CIPHERTEXT_LEN: usize = 1088;
/// ML-KEM-768's decapsulation key as FIPS 203 encodes it (the known-answer tests' form).
pub const DECAPSULATION_KEY_LEN: usize = 2400;
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
        Ok(Box::new(MlKemExchange::from_seed(&d, &z)))
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

/// The client's half: the decapsulation key (zeroized when dropped: the crate's `zeroize`
/// feature) and the encapsulation key it sends.
struct MlKemExchange {
    decapsulation_key: DecapsulationKey<MlKem768Params>,
    encapsulation_key: Vec<u8>,
}

impl MlKemExchange {
    /// ML-KEM.KeyGen_internal(d, z).
    fn from_seed(d: &[u8; 32], z: &[u8; 32]) -> Self {
        let (mut d, mut z) = (B32::from(*d), B32::from(*z));
        let (decapsulation_key, encapsulation_key) = MlKem768::generate_deterministic(&d, &z);
        d.zeroize();
        z.zeroize();
        let encapsulation_key = encapsulation_key.as_bytes().to_vec();
        MlKemExchange { decapsulation_key, encapsulation_key }
    }
}

impl ActiveKeyExchange for MlKemExchange {
    fn complete(self: Box<Self>, ciphertext: &[u8]) -> Result<SharedSecret, Error> {
        let shared = decapsulate(&self.decapsulation_key, ciphertext)?;
        Ok(SharedSecret::from(&shared[..]))
    }

    fn pub_key(&self) -> &[u8] {
        &self.encapsulation_key
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
/// constant time by the crate, and the handshake then fails at Finished like any wrong key.
fn decapsulate(key: &DecapsulationKey<MlKem768Params>, ciphertext: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
    let ciphertext = <&ml_kem::Ciphertext<MlKem768>>::try_from(ciphertext).map_err(|_| INVALID_KEY_SHARE)?;
    let mut shared = key.decapsulate(ciphertext).map_err(|()| INVALID_KEY_SHARE)?;
    let out = Zeroizing::new(<[u8; 32]>::from(shared));
    shared.zeroize();
    Ok(out)
}

/// ML-KEM.Encaps with message `m`: the ciphertext as our share, and the secret. The key is
/// checked first (FIPS 203 section 7.2: its length, and every coefficient below q, which the
/// crate's decoding would otherwise reduce silently); draft-ietf-tls-ecdhe-mlkem makes a key
/// that fails either an illegal_parameter, which rustls sends for InvalidKeyShare.
fn encapsulate(encapsulation_key: &[u8], m: &[u8; 32]) -> Result<CompletedKeyExchange, Error> {
    let encoded = <&ml_kem::Encoded<ml_kem::kem::EncapsulationKey<MlKem768Params>>>::try_from(encapsulation_key)
        .map_err(|_| INVALID_KEY_SHARE)?;
    if !coefficients_reduced(encapsulation_key) {
        return Err(INVALID_KEY_SHARE);
    }
    let key = ml_kem::kem::EncapsulationKey::<MlKem768Params>::from_bytes(encoded);
    let mut m = B32::from(*m);
    let result = key.encapsulate_deterministic(&m);
    m.zeroize();
    let (ciphertext, mut shared) = result.map_err(|()| INVALID_KEY_SHARE)?;
    let secret = SharedSecret::from(&shared[..]);
    shared.zeroize();
    Ok(CompletedKeyExchange { group: NamedGroup::MLKEM768, pub_key: ciphertext.to_vec(), secret })
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
        let exchange = MlKemExchange::from_seed(d, z);
        (exchange.encapsulation_key.clone(), exchange.decapsulation_key.as_bytes().to_vec())
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
        let encoded = <&ml_kem::Encoded<DecapsulationKey<MlKem768Params>>>::try_from(decapsulation_key).ok()?;
        let key = DecapsulationKey::<MlKem768Params>::from_bytes(encoded);
        Some(decapsulate(&key, ciphertext).map(|shared| *shared))
    }

    /// The client's X25519MLKEM768 exchange for ML-KEM's seed (d, z) and the X25519 secret.
    pub fn client(d: &[u8; 32], z: &[u8; 32], x25519_secret: &[u8]) -> Option<Box<dyn ActiveKeyExchange>> {
        let classical = kx::exchange_with_secret(NamedGroup::X25519, x25519_secret)?;
        Some(X25519MLKEM768.active(classical, Box::new(MlKemExchange::from_seed(d, z))))
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
