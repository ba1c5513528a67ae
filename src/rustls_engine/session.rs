//! Client-side session resumption: the store rustls fills with tickets and TLS 1.2 sessions,
//! and the saved sessions `ussl.save_session` hands to scripts.
//!
//! rustls resumes a stored session only with the config (verifier and client-certificate
//! resolver) that made it, so a saved session carries that config along with a fingerprint of
//! the settings behind it. A later connection whose settings and server name match reuses the
//! config and offers the session; anything else runs a full handshake.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::client::{ClientConfig, ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::NamedGroup;

use rustls::client::danger::ServerCertVerifier;
use zeroize::Zeroizing;

use crate::result::UsslResult;
use super::session_bytes::{self, SessionBytes};
use crate::sync::SpinLock;

/// Servers remembered per context, and TLS 1.3 tickets kept per server.
const MAX_SERVERS: usize = 8;
const MAX_TICKETS_PER_SERVER: usize = 2;

#[derive(Default)]
struct Entry {
    kx_hint: Option<NamedGroup>,
    tls12: Option<Tls12ClientSessionValue>,
    tls13: VecDeque<Tls13ClientSessionValue>,
}

/// What a saved session holds: one TLS 1.3 ticket (usable once) or a TLS 1.2 session.
pub enum SavedValue {
    Tls13(Tls13ClientSessionValue),
    Tls12(Tls12ClientSessionValue),
}

/// A `SavedValue` borrowed (rustls's TLS 1.3 values cannot be cloned).
#[derive(Clone, Copy)]
pub enum SavedRef<'a> {
    Tls13(&'a Tls13ClientSessionValue),
    Tls12(&'a Tls12ClientSessionValue),
}

impl SavedValue {
    pub fn borrow(&self) -> SavedRef<'_> {
        match self {
            Self::Tls13(v) => SavedRef::Tls13(v),
            Self::Tls12(v) => SavedRef::Tls12(v),
        }
    }
}

#[derive(Default)]
pub struct SessionStore {
    entries: SpinLock<Vec<(ServerName<'static>, Entry)>>,
}

impl core::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SessionStore")
    }
}

impl SessionStore {
    fn with_entry<R>(&self, name: &ServerName<'_>, create: bool, f: impl FnOnce(&mut Entry) -> R) -> Option<R> {
        let mut entries = self.entries.lock();
        if let Some(pos) = entries.iter().position(|(n, _)| n == name) {
            return entries.get_mut(pos).map(|(_, entry)| f(entry));
        }
        if !create {
            return None;
        }
        if entries.len() >= MAX_SERVERS {
            entries.remove(0);
        }
        entries.push((name.to_owned(), Entry::default()));
        entries.last_mut().map(|(_, entry)| f(entry))
    }

    /// Takes the freshest session for `name`: the newest TLS 1.3 ticket, else the TLS 1.2
    /// session (which stays, since TLS 1.2 sessions may be reused).
    pub fn take_latest(&self, name: &ServerName<'_>) -> Option<SavedValue> {
        self.with_entry(name, false, |e| {
            if let Some(ticket) = e.tls13.pop_back() {
                return Some(SavedValue::Tls13(ticket));
            }
            e.tls12.clone().map(SavedValue::Tls12)
        })
        .flatten()
    }

    /// Runs `f` on the value `take_latest` would take, leaving it in place.
    pub fn with_latest<R>(&self, name: &ServerName<'_>, f: impl FnOnce(SavedRef<'_>) -> R) -> Option<R> {
        let entries = self.entries.lock();
        let (_, e) = entries.iter().find(|(n, _)| n == name)?;
        if let Some(ticket) = e.tls13.back() {
            return Some(f(SavedRef::Tls13(ticket)));
        }
        e.tls12.as_ref().map(|s| f(SavedRef::Tls12(s)))
    }

    /// Offers `value` for the next connection to `name`.
    pub fn put(&self, name: &ServerName<'static>, value: SavedValue) {
        self.with_entry(name, true, |e| match value {
            SavedValue::Tls13(t) => {
                e.tls13.clear();
                e.tls13.push_back(t);
            }
            SavedValue::Tls12(s) => e.tls12 = Some(s),
        });
    }
}

impl ClientSessionStore for SessionStore {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.with_entry(&server_name, true, |e| e.kx_hint = Some(group));
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.with_entry(server_name, false, |e| e.kx_hint).flatten()
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        self.with_entry(&server_name, true, |e| e.tls12 = Some(value));
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.with_entry(server_name, false, |e| e.tls12.clone()).flatten()
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.with_entry(server_name, false, |e| e.tls12 = None);
    }

    fn insert_tls13_ticket(&self, server_name: ServerName<'static>, value: Tls13ClientSessionValue) {
        self.with_entry(&server_name, true, |e| {
            while e.tls13.len() >= MAX_TICKETS_PER_SERVER {
                e.tls13.pop_front();
            }
            e.tls13.push_back(value);
        });
    }

    fn take_tls13_ticket(&self, server_name: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        self.with_entry(server_name, false, |e| e.tls13.pop_back()).flatten()
    }
}

/// A client config together with its session store and the fingerprint of the settings it was
/// built from.
#[derive(Clone)]
pub struct ClientSetup {
    pub config: Arc<ClientConfig>,
    pub store: Arc<SessionStore>,
    pub fingerprint: [u8; 32],
    /// The verifier in `config`, which a session rebuilt from bytes is tied to.
    pub verifier: Arc<dyn ServerCertVerifier>,
    /// Where `config` logs its secrets, when its context keeps a key log.
    pub key_log: Option<Arc<super::keylog::KeyLogLines>>,
}

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

    /// Rebuilds a session from the bytes of `serialize`.
    pub fn from_bytes(data: &[u8]) -> Result<Self, UsslResult> {
        let (bytes, fingerprint, server_name) = SessionBytes::decode(data)?;
        Ok(Self { setup: None, fingerprint, server_name, value: None, tls13: bytes.tls13(), rebuilt: Some(bytes) })
    }

    /// The bytes that rebuild this session: its own value, or once a TLS 1.3 ticket of it was
    /// offered, the newest ticket a connection that resumed it received.
    pub fn serialize(&self) -> Result<Zeroizing<Vec<u8>>, UsslResult> {
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
