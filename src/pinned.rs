//! A certificate trusted as itself (given as a trust anchor and presented by the server: a
//! pinned self-signed certificate, common on boards): what is checked when there is no chain.

use alloc::vec::Vec;

use crate::hostname::CertName;

pub enum Validity {
    Valid,
    NotYetValid,
    Expired,
    BadEncoding,
}

/// The validity period of `der` at `now` (seconds since the epoch).
pub fn validity(der: &[u8], now: u64) -> Validity {
    let Some(cert) = crate::certinfo::parse(der) else { return Validity::BadEncoding };
    let (Some(not_before), Some(not_after)) =
        (crate::certinfo::unix_time(cert.not_before), crate::certinfo::unix_time(cert.not_after))
    else {
        return Validity::BadEncoding;
    };
    if now < not_before {
        Validity::NotYetValid
    } else if now > not_after {
        Validity::Expired
    } else {
        Validity::Valid
    }
}

/// The subject's common name against `dns`, for a pinned certificate without any DNS or IP
/// subjectAltName (RFC 6125 section 6.4.4 allows it; mbedTLS does it). Certificates with SANs
/// never match here.
pub fn common_name_matches(der: &[u8], dns: &str) -> bool {
    let Some((common_names, has_san)) = crate::certinfo::common_names(der) else { return false };
    if has_san {
        return false;
    }
    let names: Vec<CertName<'_>> =
        common_names.iter().filter_map(|cn| core::str::from_utf8(cn).ok()).map(CertName::CommonName).collect();
    crate::hostname::matches(&names, dns)
}
