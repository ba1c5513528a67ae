//! `ussl_match_hostname` over names taken from a getpeercert() dict.

use super::*;
use crate::hostname::{self, CertName};

/// The kinds of name in a `ussl_cert_name`.
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum UsslNameKind {
    /// A subjectAltName DNS name.
    Dns = 1,
    /// A subjectAltName IP address, as text.
    Ip = 2,
    /// The subject's commonName.
    CommonName = 3,
}

/// A name from a certificate, for `ussl_match_hostname`; `kind` is a `ussl_name_kind`.
#[repr(C)]
pub struct ussl_cert_name {
    pub kind: u32,
    pub name: *const u8,
    pub len: usize,
}

/// RFC 6125 hostname matching over names taken from a certificate.
///
/// # Safety
/// `names` must point to `count` entries whose `name` fields point to `len` readable bytes;
/// `hostname` to `hostname_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_match_hostname(
    names: *const ussl_cert_name,
    count: usize,
    hostname: *const u8,
    hostname_len: usize,
) -> bool {
    // SAFETY: forwarded caller guarantee.
    let Some(host) = (unsafe { bytes(hostname, hostname_len) }).and_then(|h| core::str::from_utf8(h).ok()) else {
        return false;
    };
    let entries: &[ussl_cert_name] = if names.is_null() || count == 0 {
        &[]
    } else {
        // SAFETY: `names` points to `count` entries per the contract.
        unsafe { core::slice::from_raw_parts(names, count) }
    };
    // Nothing is allocated here, so this needs no workspace (and cannot run out of memory).
    let names = entries.iter().filter_map(|e| {
        // SAFETY: each entry's `name` points to `len` readable bytes per the contract.
        let text = (unsafe { bytes(e.name, e.len) }).and_then(|b| core::str::from_utf8(b).ok())?;
        const DNS: u32 = UsslNameKind::Dns as u32;
        const IP: u32 = UsslNameKind::Ip as u32;
        const COMMON_NAME: u32 = UsslNameKind::CommonName as u32;
        match e.kind {
            DNS => Some(CertName::Dns(text)),
            IP => Some(CertName::Ip(text)),
            COMMON_NAME => Some(CertName::CommonName(text)),
            _ => None,
        }
    });
    hostname::matches_any(names, host)
}
