//! TLS-PSK as a context setting, in both engines: mainline MicroPython's `psk_identity` and
//! `psk_key` on a client, `server_psk_keys` on a server (whose lookup the shim runs, from C,
//! when a connection holds for it: `crate::psk_peek`).
//!
//! A context with PSK set makes PSK handshakes only (TLS 1.3 external PSK, `psk_dhe_ke`,
//! SHA-256): no fallback to certificates either way, as mainline restricts mbedTLS to its PSK
//! suites.

use alloc::vec::Vec;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::result::UsslResult;

/// mbedTLS's MBEDTLS_PSK_MAX_LEN: mainline refuses a longer key, and so do we.
pub const MAX_KEY_LEN: usize = 48;
/// OpenSSL's PSK_MAX_IDENTITY_LEN.
pub const MAX_IDENTITY_LEN: usize = 256;

#[derive(Default)]
pub enum Psk {
    #[default]
    Off,
    /// A client's identity and key.
    Client { identity: Vec<u8>, key: Zeroizing<Vec<u8>> },
    /// A server that looks keys up by the identity a client offers.
    Server,
}

impl Psk {
    /// A client's PSK: an identity of 1 to 256 bytes and a key of 1 to 48.
    pub fn client(identity: &[u8], key: &[u8]) -> Result<Self, UsslResult> {
        check_key(key)?;
        if !(1..=MAX_IDENTITY_LEN).contains(&identity.len()) {
            return Err(UsslResult::PskIdentityLength);
        }
        let mut owned = Zeroizing::new(Vec::new());
        crate::fallibly(|| owned.try_reserve_exact(key.len())).map_err(|_| UsslResult::OutOfMemory)?;
        owned.extend_from_slice(key);
        Ok(Self::Client { identity: identity.to_vec(), key: owned })
    }

    pub fn is_on(&self) -> bool {
        !matches!(self, Self::Off)
    }

    /// What a session may be resumed under: whether PSK is on, and which (a digest of the key).
    pub fn feed(&self, digest: &mut Sha256) {
        match self {
            Self::Off => digest.update([0]),
            Self::Client { identity, key } => {
                digest.update([1]);
                digest.update((identity.len() as u32).to_be_bytes());
                digest.update(identity);
                digest.update(Sha256::digest(key.as_slice()));
            }
            Self::Server => digest.update([2]),
        }
    }
}

/// A key as a server's lookup gives it: 1 to 48 bytes, as a client's.
pub fn check_key(key: &[u8]) -> Result<(), UsslResult> {
    if (1..=MAX_KEY_LEN).contains(&key.len()) {
        Ok(())
    } else {
        Err(UsslResult::PskKeyLength)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_mainlines() {
        assert!(Psk::client(b"id", &[7; 48]).is_ok());
        assert_eq!(Psk::client(b"id", &[7; 49]).err(), Some(UsslResult::PskKeyLength));
        assert_eq!(Psk::client(b"id", b"").err(), Some(UsslResult::PskKeyLength));
        assert_eq!(Psk::client(b"", b"k").err(), Some(UsslResult::PskIdentityLength));
        assert!(Psk::client(&[0xff; 256], b"k").is_ok());
        assert_eq!(Psk::client(&[0xff; 257], b"k").err(), Some(UsslResult::PskIdentityLength));
    }

    #[test]
    fn each_psk_feeds_the_fingerprint_differently() {
        let digest = |psk: &Psk| {
            let mut h = Sha256::new();
            psk.feed(&mut h);
            <[u8; 32]>::from(h.finalize())
        };
        let all = [
            digest(&Psk::Off),
            digest(&Psk::Server),
            digest(&Psk::client(b"a", b"key").unwrap()),
            digest(&Psk::client(b"b", b"key").unwrap()),
            digest(&Psk::client(b"a", b"other").unwrap()),
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
