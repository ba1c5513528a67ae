//! Client-side session resumption: the saved sessions `ussl.save_session` hands to scripts (the
//! store rustls fills is in `store`).
//!
//! rustls resumes a stored session only with the config (verifier and client-certificate
//! resolver) that made it, so a saved session carries that config along with a fingerprint of
//! the settings behind it. A later connection whose settings and server name match reuses the
//! config and offers the session; anything else runs a full handshake.

use alloc::vec::Vec;

use rustls::pki_types::ServerName;
use zeroize::Zeroizing;

use super::session_bytes::{self, SessionBytes};
use super::store::{ClientSetup, SavedRef, SavedValue};
use crate::engine::EngineSession;
use crate::result::UsslResult;

/// A session saved from a connection, for `wrap_socket(saved_session=...)`, or rebuilt from
/// the bytes of `serialize`.
pub struct Session {
    /// The setup that made the session; for a rebuilt one, the first matching setup it was
    /// offered to (None until then).
    pub setup: Option<ClientSetup>,
    pub fingerprint: [u8; 32],
    pub server_name: ServerName<'static>,
    /// None once a TLS 1.3 ticket has been offered (tickets are single-use); newer tickets
    /// from connections that resumed it wait in `setup.store`.
    pub value: Option<SavedValue>,
    /// A session rebuilt from bytes, until a connection with matching settings takes it.
    pub rebuilt: Option<SessionBytes>,
    pub tls13: bool,
}

impl EngineSession for Session {
    fn is_tls13(&self) -> bool {
        self.tls13
    }

    /// Rebuilds a session from the bytes of `serialize`.
    fn from_bytes(data: &[u8]) -> Result<Self, UsslResult> {
        let (bytes, fingerprint, server_name) = SessionBytes::decode(data)?;
        Ok(Self { setup: None, fingerprint, server_name, value: None, tls13: bytes.tls13(), rebuilt: Some(bytes) })
    }

    /// The bytes that rebuild this session: its own value, or once a TLS 1.3 ticket of it was
    /// offered, the newest ticket a connection that resumed it received.
    fn serialize(&self) -> Result<Zeroizing<Vec<u8>>, UsslResult> {
        if let Some(bytes) = &self.rebuilt {
            return Ok(Zeroizing::new(bytes.bytes().to_vec()));
        }
        let encode = |v: SavedRef<'_>| session_bytes::encode(v, &self.fingerprint, &self.server_name);
        if let Some(value) = &self.value {
            return Ok(encode(value.borrow()));
        }
        self.setup
            .as_ref()
            .and_then(|setup| setup.store.with_latest(&self.server_name, encode))
            .ok_or(UsslResult::SessionUsedUp)
    }
}

impl Session {
    pub fn saved(setup: ClientSetup, server_name: ServerName<'static>, value: SavedValue) -> Self {
        let tls13 = matches!(value, SavedValue::Tls13(_));
        Self {
            fingerprint: setup.fingerprint,
            setup: Some(setup),
            server_name,
            value: Some(value),
            rebuilt: None,
            tls13,
        }
    }

    /// Offers the session to a new connection to `name` made with `setup`: the setup to
    /// connect with when the session was made for that server under the same settings (its
    /// value then waits in that setup's store), None otherwise.
    pub fn offer(&mut self, setup: &ClientSetup, name: &ServerName<'static>) -> Option<ClientSetup> {
        if self.fingerprint != setup.fingerprint || self.server_name != *name {
            return None;
        }
        if let Some(bytes) = &self.rebuilt {
            // The setup does not offer the session's suite: keep the bytes for another.
            self.value = Some(bytes.value_for(setup)?);
            self.rebuilt = None;
            self.setup = Some(setup.clone());
        }
        let own = self.setup.clone()?;
        match self.value.take() {
            Some(SavedValue::Tls12(v)) => {
                self.value = Some(SavedValue::Tls12(v.clone()));
                own.store.put(name, SavedValue::Tls12(v));
            }
            Some(ticket) => own.store.put(name, ticket),
            None => {}
        }
        Some(own)
    }
}
