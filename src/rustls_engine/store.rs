//! The client's session store: the tickets and TLS 1.2 sessions rustls fills it with, per
//! server name, and the client setup (config, store, settings fingerprint) that a saved session
//! is tied to. Shared by `session` and `session_bytes`, which build on it (and not on each other
//! both ways).

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::{ClientConfig, ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::NamedGroup;

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
