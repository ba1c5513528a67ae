//! A saved client session as bytes (`SSLSession.serialize()`), to keep it across a deep sleep
//! or a reboot, and back.
//!
//! The bytes hold the resumption secret: whoever has them can resume as this client and read
//! what is sent on the resumed connection. They also hold the settings fingerprint and the
//! server name, so a rebuilt session resumes only for the same server under the same settings,
//! and the server's leaf certificate, so `getpeercert()` answers on a resumed connection.
//!
//! Layout (integers big-endian):
//! ```text
//! "uSSN" format=1  version(0x13 | 0x12)  fingerprint[32]
//! name kind(0 DNS, 4 IPv4, 6 IPv6) u8-length name
//! suite u16  epoch u64  lifetime u32  age_add u32  max_early_data u32  extended_ms u8
//! u8-length session id  u16-length ticket  u8-length secret
//! certificate count u8 (0 or 1)  u16-length DER ...
//! check[16]: the first 16 bytes of SHA-256 over everything before it
//! ```
//! The check catches storage that lost or changed bytes (RTC memory after a power loss, a
//! truncated file); it is not a MAC.

use alloc::vec::Vec;
use core::time::Duration;

use rustls::client::{Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::{CertificateDer, IpAddr, Ipv4Addr, Ipv6Addr, ServerName, UnixTime};
use rustls::SupportedCipherSuite;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::result::UsslResult;
use crate::session::{ClientSetup, SavedRef, SavedValue};

const MAGIC: &[u8; 4] = b"uSSN";
const FORMAT: u8 = 1;
const CHECK_LEN: usize = 16;
const TLS13: u8 = 0x13;
const TLS12: u8 = 0x12;

/// A session's values as plain data, not yet tied to a config.
pub struct SessionParts {
    pub fingerprint: [u8; 32],
    pub server_name: ServerName<'static>,
    tls13: bool,
    suite: u16,
    epoch: u64,
    lifetime: u32,
    age_add: u32,
    max_early_data: u32,
    extended_ms: bool,
    session_id: Vec<u8>,
    ticket: Vec<u8>,
    secret: Zeroizing<Vec<u8>>,
    leaf: Option<CertificateDer<'static>>,
}

impl SessionParts {
    /// The parts of a value rustls made (or one rebuilt earlier).
    pub fn of(value: SavedRef<'_>, fingerprint: [u8; 32], server_name: &ServerName<'static>) -> Self {
        let (tls13, suite, age_add, max_early_data, extended_ms, session_id) = match value {
            SavedRef::Tls13(v) => {
                (true, u16::from(v.suite().common.suite), v.age_add(), v.max_early_data_size(), false, Vec::new())
            }
            #[cfg(feature = "tls12")]
            SavedRef::Tls12(v) => (
                false,
                u16::from(v.tls12_suite().common.suite),
                0,
                0,
                v.extended_ms_used(),
                v.session_id_bytes().to_vec(),
            ),
            #[cfg(not(feature = "tls12"))]
            SavedRef::Tls12(_) => (false, 0, 0, 0, false, Vec::new()),
        };
        let common = match value {
            SavedRef::Tls13(v) => Some(&**v),
            #[cfg(feature = "tls12")]
            SavedRef::Tls12(v) => Some(&**v),
            #[cfg(not(feature = "tls12"))]
            SavedRef::Tls12(_) => None,
        };
        Self {
            fingerprint,
            server_name: server_name.clone(),
            tls13,
            suite,
            epoch: common.map_or(0, |c| c.epoch_secs()),
            lifetime: common.map_or(0, |c| c.lifetime()),
            age_add,
            max_early_data,
            extended_ms,
            session_id,
            ticket: common.map_or_else(Vec::new, |c| c.ticket_bytes().to_vec()),
            secret: Zeroizing::new(common.map_or_else(Vec::new, |c| c.secret_bytes().to_vec())),
            leaf: common.and_then(|c| c.server_certificates().first().cloned()),
        }
    }

    pub fn tls13(&self) -> bool {
        self.tls13
    }

    /// The value for a connection made with `setup` (whose fingerprint matched); None when the
    /// setup does not offer the session's suite.
    pub fn value_for(&self, setup: &ClientSetup) -> Option<SavedValue> {
        let suite = setup.config.crypto_provider().cipher_suites.iter().find(|s| u16::from(s.suite()) == self.suite)?;
        let epoch = UnixTime::since_unix_epoch(Duration::from_secs(self.epoch));
        let chain: Vec<CertificateDer<'static>> = self.leaf.iter().cloned().collect();
        let creds = &setup.config.client_auth_cert_resolver;
        match suite {
            SupportedCipherSuite::Tls13(s) if self.tls13 => {
                Some(SavedValue::Tls13(Tls13ClientSessionValue::from_parts(
                    s,
                    self.ticket.clone(),
                    &self.secret,
                    chain,
                    &setup.verifier,
                    creds,
                    epoch,
                    self.lifetime,
                    self.age_add,
                    self.max_early_data,
                )))
            }
            #[cfg(feature = "tls12")]
            SupportedCipherSuite::Tls12(s) if !self.tls13 => Tls12ClientSessionValue::from_parts(
                s,
                &self.session_id,
                self.ticket.clone(),
                &self.secret,
                chain,
                &setup.verifier,
                creds,
                epoch,
                self.lifetime,
                self.extended_ms,
            )
            .map(SavedValue::Tls12),
            _ => None,
        }
    }

    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let leaf_len = self.leaf.as_ref().map_or(0, |c| c.len());
        let mut out = Zeroizing::new(Vec::with_capacity(
            100 + self.session_id.len() + self.ticket.len() + self.secret.len() + leaf_len,
        ));
        out.extend_from_slice(MAGIC);
        out.push(FORMAT);
        out.push(if self.tls13 { TLS13 } else { TLS12 });
        out.extend_from_slice(&self.fingerprint);
        let (kind, name): (u8, Vec<u8>) = match &self.server_name {
            ServerName::DnsName(d) => (0, d.as_ref().as_bytes().to_vec()),
            ServerName::IpAddress(IpAddr::V4(a)) => (4, a.as_ref().to_vec()),
            ServerName::IpAddress(IpAddr::V6(a)) => (6, a.as_ref().to_vec()),
            _ => (0xff, Vec::new()),
        };
        out.push(kind);
        put_u8_len(&mut out, &name);
        out.extend_from_slice(&self.suite.to_be_bytes());
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.lifetime.to_be_bytes());
        out.extend_from_slice(&self.age_add.to_be_bytes());
        out.extend_from_slice(&self.max_early_data.to_be_bytes());
        out.push(u8::from(self.extended_ms));
        put_u8_len(&mut out, &self.session_id);
        put_u16_len(&mut out, &self.ticket);
        put_u8_len(&mut out, &self.secret);
        out.push(u8::from(self.leaf.is_some()));
        if let Some(leaf) = &self.leaf {
            put_u16_len(&mut out, leaf);
        }
        let check = Sha256::digest(&out[..]);
        out.extend_from_slice(check.get(..CHECK_LEN).unwrap_or_default());
        out
    }

    /// Reads what `encode` wrote; anything else is `InvalidSessionData`.
    pub fn decode(data: &[u8]) -> Result<Self, UsslResult> {
        let bad = UsslResult::InvalidSessionData;
        let (body, check) = data.split_at_checked(data.len().checked_sub(CHECK_LEN).ok_or(bad)?).ok_or(bad)?;
        if Sha256::digest(body).get(..CHECK_LEN) != Some(check) {
            return Err(bad);
        }
        let mut r = Reader(body);
        if r.take(4)? != MAGIC || r.u8()? != FORMAT {
            return Err(bad);
        }
        let tls13 = match r.u8()? {
            TLS13 => true,
            TLS12 => false,
            _ => return Err(bad),
        };
        let fingerprint: [u8; 32] = r.take(32)?.try_into().map_err(|_| bad)?;
        let kind = r.u8()?;
        let name = r.u8_len()?;
        let server_name = match kind {
            0 => ServerName::try_from(core::str::from_utf8(name).map_err(|_| bad)?).map_err(|_| bad)?.to_owned(),
            4 => ServerName::IpAddress(IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(name).map_err(|_| bad)?))),
            6 => {
                let octets = <[u8; 16]>::try_from(name).map_err(|_| bad)?;
                let mut segments = [0u16; 8];
                for (segment, pair) in segments.iter_mut().zip(octets.chunks_exact(2)) {
                    *segment =
                        u16::from_be_bytes([pair.first().copied().unwrap_or(0), pair.get(1).copied().unwrap_or(0)]);
                }
                ServerName::IpAddress(IpAddr::V6(Ipv6Addr::from(segments)))
            }
            _ => return Err(bad),
        };
        let suite = r.u16()?;
        let epoch = r.u64()?;
        let lifetime = r.u32()?;
        let age_add = r.u32()?;
        let max_early_data = r.u32()?;
        let extended_ms = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(bad),
        };
        let session_id = r.u8_len()?.to_vec();
        let ticket = r.u16_len()?.to_vec();
        let secret = Zeroizing::new(r.u8_len()?.to_vec());
        let leaf = match r.u8()? {
            0 => None,
            1 => Some(CertificateDer::from(r.u16_len()?.to_vec())),
            _ => return Err(bad),
        };
        let inconsistent = !r.0.is_empty()
            || session_id.len() > 32
            || !matches!(secret.len(), 32 | 48)
            || (tls13 && (!session_id.is_empty() || extended_ms || ticket.is_empty()))
            || (!tls13 && (age_add != 0 || max_early_data != 0 || (ticket.is_empty() && session_id.is_empty())));
        if inconsistent {
            return Err(bad);
        }
        Ok(Self {
            fingerprint,
            server_name,
            tls13,
            suite,
            epoch,
            lifetime,
            age_add,
            max_early_data,
            extended_ms,
            session_id,
            ticket,
            secret,
            leaf,
        })
    }
}

fn put_u8_len(out: &mut Vec<u8>, data: &[u8]) {
    // Every u8-length field is at most 255 bytes (names, session ids, secrets).
    let len = u8::try_from(data.len()).unwrap_or(u8::MAX);
    out.push(len);
    out.extend_from_slice(data.get(..usize::from(len)).unwrap_or_default());
}

fn put_u16_len(out: &mut Vec<u8>, data: &[u8]) {
    // Tickets and certificates above 64 KB do not occur; a longer one is cut and fails the
    // consistency of nothing but itself (rustls would refuse the session at the server).
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data.get(..usize::from(len)).unwrap_or_default());
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], UsslResult> {
        let (head, rest) = self.0.split_at_checked(n).ok_or(UsslResult::InvalidSessionData)?;
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], UsslResult> {
        self.take(N)?.try_into().map_err(|_| UsslResult::InvalidSessionData)
    }

    fn u8(&mut self) -> Result<u8, UsslResult> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    fn u16(&mut self) -> Result<u16, UsslResult> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, UsslResult> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, UsslResult> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    fn u8_len(&mut self) -> Result<&'a [u8], UsslResult> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }

    fn u16_len(&mut self) -> Result<&'a [u8], UsslResult> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }
}
