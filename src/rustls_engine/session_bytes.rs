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

use super::store::{ClientSetup, SavedRef, SavedValue};
use crate::result::UsslResult;

const MAGIC: &[u8; 4] = b"uSSN";
const FORMAT: u8 = 1;
const CHECK_LEN: usize = 16;
const TLS13: u8 = 0x13;
const TLS12: u8 = 0x12;

/// The bytes of a session, checked: what `SSLSession(data)` keeps until a connection with
/// matching settings takes the session (the fields are read again then, from here).
pub struct SessionBytes(Zeroizing<Vec<u8>>);

/// The fields of a session's bytes, borrowed from them.
struct Fields<'a> {
    tls13: bool,
    fingerprint: &'a [u8],
    name_kind: u8,
    name: &'a [u8],
    suite: u16,
    epoch: u64,
    lifetime: u32,
    age_add: u32,
    max_early_data: u32,
    extended_ms: bool,
    session_id: &'a [u8],
    ticket: &'a [u8],
    secret: &'a [u8],
    leaf: Option<&'a [u8]>,
}

impl SessionBytes {
    /// Checks `data` (what `encode` wrote) and reads the fingerprint and server name out of it;
    /// anything else is `InvalidSessionData`.
    pub fn decode(data: &[u8]) -> Result<(Self, [u8; 32], ServerName<'static>), UsslResult> {
        let fields = parse(data).ok_or(UsslResult::InvalidSessionData)?;
        let name = server_name(fields.name_kind, fields.name).ok_or(UsslResult::InvalidSessionData)?;
        let fingerprint = fields.fingerprint.try_into().map_err(|_| UsslResult::InvalidSessionData)?;
        Ok((Self(Zeroizing::new(data.to_vec())), fingerprint, name))
    }

    pub fn tls13(&self) -> bool {
        self.0.get(5) == Some(&TLS13)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value for a connection made with `setup` (whose fingerprint matched); None when the
    /// setup does not offer the session's suite.
    pub fn value_for(&self, setup: &ClientSetup) -> Option<SavedValue> {
        let f = parse(&self.0)?;
        let suite = setup.config.crypto_provider().cipher_suites.iter().find(|s| u16::from(s.suite()) == f.suite)?;
        let epoch = UnixTime::since_unix_epoch(Duration::from_secs(f.epoch));
        let chain: Vec<CertificateDer<'static>> =
            f.leaf.map(|l| CertificateDer::from(l.to_vec())).into_iter().collect();
        let (verifier, creds) = (&setup.verifier, &setup.config.client_auth_cert_resolver);
        match suite {
            SupportedCipherSuite::Tls13(s) if f.tls13 => Some(SavedValue::Tls13(Tls13ClientSessionValue::from_parts(
                s,
                f.ticket.to_vec(),
                f.secret,
                chain,
                verifier,
                creds,
                epoch,
                f.lifetime,
                f.age_add,
                f.max_early_data,
            ))),
            #[cfg(feature = "tls12")]
            SupportedCipherSuite::Tls12(s) if !f.tls13 => Tls12ClientSessionValue::from_parts(
                s,
                f.session_id,
                f.ticket.to_vec(),
                f.secret,
                chain,
                verifier,
                creds,
                epoch,
                f.lifetime,
                f.extended_ms,
            )
            .map(SavedValue::Tls12),
            _ => None,
        }
    }
}

/// The bytes of a value rustls made (or one rebuilt earlier), for `name` under the settings
/// `fingerprint`.
pub fn encode(value: SavedRef<'_>, fingerprint: &[u8; 32], name: &ServerName<'_>) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::new());
    let common = match value {
        SavedRef::Tls13(v) => {
            out.extend_from_slice(MAGIC);
            out.extend_from_slice(&[FORMAT, TLS13]);
            Some((&**v, u16::from(v.suite().common.suite), v.age_add(), v.max_early_data_size(), false, &[][..]))
        }
        #[cfg(feature = "tls12")]
        SavedRef::Tls12(v) => {
            out.extend_from_slice(MAGIC);
            out.extend_from_slice(&[FORMAT, TLS12]);
            let suite = u16::from(v.tls12_suite().common.suite);
            Some((&**v, suite, 0, 0, v.extended_ms_used(), v.session_id_bytes()))
        }
        #[cfg(not(feature = "tls12"))]
        SavedRef::Tls12(_) => None,
    };
    let Some((common, suite, age_add, max_early_data, extended_ms, session_id)) = common else {
        return out;
    };
    out.extend_from_slice(fingerprint);
    let (kind, name): (u8, &[u8]) = match name {
        ServerName::DnsName(d) => (0, d.as_ref().as_bytes()),
        ServerName::IpAddress(IpAddr::V4(a)) => (4, a.as_ref()),
        ServerName::IpAddress(IpAddr::V6(a)) => (6, a.as_ref()),
        _ => (0xff, &[]),
    };
    out.push(kind);
    put_u8_len(&mut out, name);
    out.extend_from_slice(&suite.to_be_bytes());
    out.extend_from_slice(&common.epoch_secs().to_be_bytes());
    out.extend_from_slice(&common.lifetime().to_be_bytes());
    out.extend_from_slice(&age_add.to_be_bytes());
    out.extend_from_slice(&max_early_data.to_be_bytes());
    out.push(u8::from(extended_ms));
    put_u8_len(&mut out, session_id);
    put_u16_len(&mut out, common.ticket_bytes());
    put_u8_len(&mut out, common.secret_bytes());
    match common.server_certificates().first() {
        Some(leaf) => {
            out.push(1);
            put_u16_len(&mut out, leaf);
        }
        None => out.push(0),
    }
    let check = Sha256::digest(&out[..]);
    out.extend_from_slice(check.get(..CHECK_LEN).unwrap_or_default());
    out
}

/// Reads what `encode` wrote: the check, then every field, then their consistency.
fn parse(data: &[u8]) -> Option<Fields<'_>> {
    let (body, check) = data.split_at_checked(data.len().checked_sub(CHECK_LEN)?)?;
    if Sha256::digest(body).get(..CHECK_LEN) != Some(check) {
        return None;
    }
    let mut r = Reader(body);
    if r.take(4)? != MAGIC || r.u8()? != FORMAT {
        return None;
    }
    let tls13 = match r.u8()? {
        TLS13 => true,
        TLS12 => false,
        _ => return None,
    };
    let f = Fields {
        tls13,
        fingerprint: r.take(32)?,
        name_kind: r.u8()?,
        name: r.u8_len()?,
        suite: u16::from_be_bytes(r.array()?),
        epoch: u64::from_be_bytes(r.array()?),
        lifetime: u32::from_be_bytes(r.array()?),
        age_add: u32::from_be_bytes(r.array()?),
        max_early_data: u32::from_be_bytes(r.array()?),
        extended_ms: match r.u8()? {
            0 => false,
            1 => true,
            _ => return None,
        },
        session_id: r.u8_len()?,
        ticket: r.u16_len()?,
        secret: r.u8_len()?,
        leaf: match r.u8()? {
            0 => None,
            1 => Some(r.u16_len()?),
            _ => return None,
        },
    };
    let consistent = r.0.is_empty()
        && f.session_id.len() <= 32
        && matches!(f.secret.len(), 32 | 48)
        && if f.tls13 {
            f.session_id.is_empty() && !f.extended_ms && !f.ticket.is_empty()
        } else {
            f.age_add == 0 && f.max_early_data == 0 && !(f.ticket.is_empty() && f.session_id.is_empty())
        };
    consistent.then_some(f)
}

fn server_name(kind: u8, name: &[u8]) -> Option<ServerName<'static>> {
    Some(match kind {
        0 => ServerName::try_from(core::str::from_utf8(name).ok()?).ok()?.to_owned(),
        4 => ServerName::IpAddress(IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(name).ok()?))),
        6 => {
            let mut segments = [0u16; 8];
            if name.len() != 16 {
                return None;
            }
            for (segment, pair) in segments.iter_mut().zip(name.chunks_exact(2)) {
                *segment = u16::from_be_bytes([pair.first().copied()?, pair.get(1).copied()?]);
            }
            ServerName::IpAddress(IpAddr::V6(Ipv6Addr::from(segments)))
        }
        _ => return None,
    })
}

fn put_u8_len(out: &mut Vec<u8>, data: &[u8]) {
    // Every u8-length field is at most 255 bytes (names, session ids, secrets).
    let len = u8::try_from(data.len()).unwrap_or(u8::MAX);
    out.push(len);
    out.extend_from_slice(data.get(..usize::from(len)).unwrap_or_default());
}

fn put_u16_len(out: &mut Vec<u8>, data: &[u8]) {
    // Tickets and certificates are far below 64 KB; a longer one would be cut, and the server
    // would refuse the session.
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data.get(..usize::from(len)).unwrap_or_default());
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn u8_len(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }

    fn u16_len(&mut self) -> Option<&'a [u8]> {
        let n = u16::from_be_bytes(self.array()?);
        self.take(usize::from(n))
    }
}
