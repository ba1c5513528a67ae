//! The server's session tickets and session cache, so clients can resume.
//!
//! Tickets are sealed with ChaCha20-Poly1305 under a key drawn from the port's entropy. The key
//! rotates every [`ROTATE_SECS`]; the previous key still opens tickets until the next rotation,
//! so a ticket lives at most two periods. TLS 1.2 session IDs go to a small cache that forgets
//! the oldest entry first.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::ChaCha20Poly1305;
use rustls::server::{ProducesTickets, StoresServerSessions};

use crate::port;
use crate::sync::SpinLock;

/// How long one ticket key is used for sealing.
pub const ROTATE_SECS: u64 = 6 * 3600;
/// What we tell clients a ticket is good for (it stays openable up to two rotation periods).
const TICKET_LIFETIME_SECS: u32 = ROTATE_SECS as u32;
const NONCE_LEN: usize = 12;
const KEY_ID_LEN: usize = 4;

struct TicketKey {
    id: [u8; KEY_ID_LEN],
    cipher: ChaCha20Poly1305,
}

impl TicketKey {
    fn fresh() -> Option<Self> {
        let mut material = [0u8; 32 + KEY_ID_LEN];
        if !port::fill_random(&mut material) {
            return None;
        }
        let cipher = ChaCha20Poly1305::new_from_slice(&material[..32]).ok()?;
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&material[32..]);
        Some(Self { id, cipher })
    }
}

struct Keys {
    current: Option<TicketKey>,
    previous: Option<TicketKey>,
    rotate_at: u64,
}

pub struct Ticketer {
    keys: SpinLock<Keys>,
}

impl core::fmt::Debug for Ticketer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Ticketer")
    }
}

impl Ticketer {
    pub fn new() -> Self {
        Self { keys: SpinLock::new(Keys { current: None, previous: None, rotate_at: 0 }) }
    }

    /// Rotates when the period is over (or on first use). Without a clock the key never
    /// rotates by time, which only matters for a server up for many hours without one.
    fn maybe_rotate(keys: &mut Keys) {
        let now = port::now_secs().unwrap_or(0);
        if keys.current.is_some() && now < keys.rotate_at {
            return;
        }
        if let Some(next) = TicketKey::fresh() {
            keys.previous = keys.current.take();
            keys.current = Some(next);
            keys.rotate_at = now.saturating_add(ROTATE_SECS);
        }
    }
}

impl Default for Ticketer {
    fn default() -> Self {
        Self::new()
    }
}

impl ProducesTickets for Ticketer {
    fn enabled(&self) -> bool {
        true
    }

    fn lifetime(&self) -> u32 {
        TICKET_LIFETIME_SECS
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        if !port::fill_random(&mut nonce) {
            return None;
        }
        let mut keys = self.keys.lock();
        Self::maybe_rotate(&mut keys);
        let key = keys.current.as_ref()?;
        let sealed = key.cipher.encrypt(&nonce.into(), plain).ok()?;
        let mut out = Vec::with_capacity(KEY_ID_LEN + NONCE_LEN + sealed.len());
        out.extend_from_slice(&key.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Some(out)
    }

    fn decrypt(&self, ticket: &[u8]) -> Option<Vec<u8>> {
        if ticket.len() < KEY_ID_LEN + NONCE_LEN {
            return None;
        }
        let (id, rest) = ticket.split_at(KEY_ID_LEN);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let mut keys = self.keys.lock();
        Self::maybe_rotate(&mut keys);
        let key = [keys.current.as_ref(), keys.previous.as_ref()].into_iter().flatten().find(|k| k.id == id)?;
        let mut n = [0u8; NONCE_LEN];
        n.copy_from_slice(nonce);
        key.cipher.decrypt(&n.into(), sealed).ok()
    }
}

/// TLS 1.2 session-ID resumption: a bounded cache, oldest entry out first.
pub struct SessionCache {
    entries: SpinLock<VecDeque<(Vec<u8>, Vec<u8>)>>,
    capacity: usize,
}

impl core::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SessionCache")
    }
}

impl SessionCache {
    pub fn new(capacity: usize) -> Self {
        Self { entries: SpinLock::new(VecDeque::new()), capacity }
    }
}

impl StoresServerSessions for SessionCache {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        let mut entries = self.entries.lock();
        entries.retain(|(k, _)| *k != key);
        while entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back((key, value));
        true
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.entries.lock().iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        let mut entries = self.entries.lock();
        let pos = entries.iter().position(|(k, _)| k == key)?;
        entries.remove(pos).map(|(_, v)| v)
    }

    fn can_cache(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_round_trip_and_reject_tampering() {
        let t = Ticketer::new();
        let sealed = t.encrypt(b"session state").unwrap_or_default();
        assert_eq!(t.decrypt(&sealed).as_deref(), Some(&b"session state"[..]));
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(t.decrypt(&bad).is_none());
        assert!(t.decrypt(b"short").is_none());
        assert!(Ticketer::new().decrypt(&sealed).is_none());
    }

    #[test]
    fn cache_is_bounded() {
        let c = SessionCache::new(2);
        c.put(b"a".to_vec(), b"1".to_vec());
        c.put(b"b".to_vec(), b"2".to_vec());
        c.put(b"c".to_vec(), b"3".to_vec());
        assert!(c.get(b"a").is_none());
        assert_eq!(c.take(b"b").as_deref(), Some(&b"2"[..]));
        assert!(c.get(b"b").is_none());
    }
}

/// What server contexts with the same settings share so that clients resume across them:
/// `ussl.wrap_socket(server_side=True)` makes a context per connection, and `server_states`
/// keeps one of these per settings fingerprint.
#[derive(Clone)]
pub struct ServerState {
    pub ticketer: alloc::sync::Arc<Ticketer>,
    pub cache: alloc::sync::Arc<SessionCache>,
}

/// TLS 1.2 session IDs a server remembers.
pub const SERVER_SESSION_CACHE_SIZE: usize = 32;

impl Default for ServerState {
    fn default() -> Self {
        Self {
            ticketer: alloc::sync::Arc::new(Ticketer::new()),
            cache: alloc::sync::Arc::new(SessionCache::new(SERVER_SESSION_CACHE_SIZE)),
        }
    }
}
