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
    /// Where `config` logs its secrets, when its context keeps a key log.
    pub key_log: Option<Arc<crate::keylog::KeyLogLines>>,
}

/// A session saved from a connection, for `wrap_socket(saved_session=...)`.
pub struct Session {
    pub setup: ClientSetup,
    pub server_name: ServerName<'static>,
    /// None once a TLS 1.3 ticket has been offered (tickets are single-use); newer tickets
    /// from connections that resumed it wait in `setup.store`.
    pub value: Option<SavedValue>,
    pub tls13: bool,
}
