//! A PSK server connection's key lookup (`crate::psk`): the connection holds the message that
//! names the client's identity (TLS 1.3's ClientHello, or TLS 1.2's ClientKeyExchange) back
//! from rustls until the shim has looked up its key (`crate::psk_peek`), then hands the key to
//! rustls through the connection's own `KeySlot`, which the connection's copy of the server
//! config points to.

use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::sign::{CertifiedKey, SigningKey};
use rustls::ussl_psk::ExternalPskKeys;
use rustls::{SignatureAlgorithm, SignatureScheme};
use zeroize::Zeroizing;

use crate::psk_peek::{identity, Carrier, Peek};
use crate::result::UsslResult;
use crate::sync::SpinLock;

/// An identity and its key.
type IdentityKey = (Vec<u8>, Zeroizing<Vec<u8>>);

/// The key the shim found for the identity a client offered, for this connection's handshake.
#[derive(Debug, Default)]
pub struct KeySlot(SpinLock<Option<IdentityKey>>);

impl ExternalPskKeys for KeySlot {
    fn key(&self, identity: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        match &*self.0.lock() {
            Some((id, key)) if id == identity => Some(key.clone()),
            _ => None,
        }
    }
}

enum Lookup {
    /// Waiting for the message that may carry the identity.
    Waiting(Carrier),
    /// The shim is to look this identity up.
    Pending(Vec<u8>),
    /// Answered (or nothing to look up): the ClientHello has gone to rustls.
    Done { raised: bool },
}

/// A server connection's lookup.
pub struct ServerLookup {
    slot: Arc<KeySlot>,
    lookup: Lookup,
}

impl ServerLookup {
    pub fn new(slot: Arc<KeySlot>) -> Self {
        Self { slot, lookup: Lookup::Waiting(Carrier::ClientHello) }
    }

    /// Whether the records so far may go to rustls: not while the message that carries the
    /// identity is incomplete, or its identity waits for the shim.
    pub fn let_through(&mut self, records: &[u8]) -> Result<bool, UsslResult> {
        let Lookup::Waiting(carrier) = self.lookup else {
            return Ok(matches!(self.lookup, Lookup::Done { .. }));
        };
        let (lookup, through) = match (identity(records, carrier)?, carrier) {
            (Peek::More, _) => (Lookup::Waiting(carrier), false),
            (Peek::Identity(id), _) => (Lookup::Pending(id), false),
            // No TLS 1.3 PSK: the handshake goes on to a TLS 1.2 PSK suite, whose
            // ClientKeyExchange names the identity, or rustls refuses it.
            (Peek::Nothing, Carrier::ClientHello) => (Lookup::Waiting(Carrier::ClientKeyExchange), true),
            (Peek::Nothing, Carrier::ClientKeyExchange) => (Lookup::Done { raised: false }, true),
        };
        self.lookup = lookup;
        Ok(through)
    }

    pub fn pending_identity(&self) -> Option<&[u8]> {
        match &self.lookup {
            Lookup::Pending(id) => Some(id),
            _ => None,
        }
    }

    /// The shim's answer: the key, None for none, `raised` when the lookup failed (which
    /// fails the handshake as an unknown identity does, with its own code).
    pub fn answer(&mut self, key: Option<&[u8]>, raised: bool) -> Result<(), UsslResult> {
        let Lookup::Pending(identity) = core::mem::replace(&mut self.lookup, Lookup::Done { raised }) else {
            return Err(UsslResult::InvalidArgument);
        };
        let key = match key {
            Some(k) if !raised && crate::psk::check_key(k).is_ok() => k,
            Some(_) => {
                self.lookup = Lookup::Done { raised: true };
                return Ok(());
            }
            None => return Ok(()),
        };
        let mut owned = Zeroizing::new(Vec::new());
        crate::fallibly(|| owned.try_reserve_exact(key.len())).map_err(|_| UsslResult::OutOfMemory)?;
        owned.extend_from_slice(key);
        *self.slot.0.lock() = Some((identity, owned));
        Ok(())
    }

    /// The code for a handshake rustls refused for want of a key.
    pub fn refusal(&self) -> UsslResult {
        match self.lookup {
            Lookup::Done { raised: true } => UsslResult::PskLookupFailed,
            _ => UsslResult::PskUnknownIdentity,
        }
    }
}

/// What a PSK server without a certificate gives rustls, which resolves one before it looks at
/// PSKs: it never signs, since a PSK server makes no handshake that would.
pub fn placeholder_certificate() -> Arc<CertifiedKey> {
    Arc::new(CertifiedKey::new(Vec::new(), Arc::new(NeverSigns)))
}

#[derive(Debug)]
struct NeverSigns;

impl SigningKey for NeverSigns {
    fn choose_scheme(&self, _offered: &[SignatureScheme]) -> Option<alloc::boxed::Box<dyn rustls::sign::Signer>> {
        None
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }
}
