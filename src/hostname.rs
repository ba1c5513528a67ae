//! Hostname matching by RFC 6125, for `ussl.match_hostname`: one wildcard, only as the whole
//! left-most label, never matching an IP address; IP addresses match IP SANs only.

/// A name taken from a certificate, as the shim hands it over from a getpeercert() dict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertName<'a> {
    Dns(&'a str),
    Ip(&'a str),
    CommonName(&'a str),
}

/// True when `hostname` is one of `names`. The subject's common name is considered only when
/// the certificate has no DNS names at all (RFC 6125 section 6.4.4).
pub fn matches(names: &[CertName<'_>], hostname: &str) -> bool {
    matches_any(names.iter().copied(), hostname)
}

/// `matches` over names as they come (walked up to three times), so nothing is collected.
pub fn matches_any<'a>(names: impl Iterator<Item = CertName<'a>> + Clone, hostname: &str) -> bool {
    if let Some(ip) = parse_ip(hostname) {
        return names.clone().any(|n| matches!(n, CertName::Ip(s) if parse_ip(s) == Some(ip)));
    }
    let has_dns = names.clone().any(|n| matches!(n, CertName::Dns(_)));
    names.into_iter().any(|n| match n {
        CertName::Dns(pattern) => dns_matches(pattern, hostname),
        CertName::CommonName(cn) if !has_dns => dns_matches(cn, hostname),
        _ => false,
    })
}

/// One DNS pattern against one hostname, case-insensitively, ignoring a trailing dot.
pub fn dns_matches(pattern: &str, hostname: &str) -> bool {
    let pattern = pattern.strip_suffix('.').unwrap_or(pattern);
    let hostname = hostname.strip_suffix('.').unwrap_or(hostname);
    if pattern.is_empty() || hostname.is_empty() || !hostname.is_ascii() || !pattern.is_ascii() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(base) => {
            // The wildcard stands for exactly one non-empty label, and the rest of the pattern
            // must hold at least two labels ("*.com" is refused).
            if base.contains('*') || base.split('.').count() < 2 || base.split('.').any(str::is_empty) {
                return false;
            }
            match hostname.split_once('.') {
                Some((first, rest)) => !first.is_empty() && rest.eq_ignore_ascii_case(base),
                None => false,
            }
        }
        None => !pattern.contains('*') && pattern.eq_ignore_ascii_case(hostname),
    }
}

/// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped), or None for anything else. The parser is
/// rustls-pki-types's, which both engines link for their server names (core::net's, the same
/// rules, was 950 B more on thumbv6m).
fn parse_ip(s: &str) -> Option<[u8; 16]> {
    use rustls_pki_types::IpAddr;
    Some(match IpAddr::try_from(s.trim_ascii()).ok()? {
        IpAddr::V4(v4) => {
            let mut mapped = [0u8; 16];
            mapped[10..12].copy_from_slice(&[0xff, 0xff]);
            mapped[12..].copy_from_slice(v4.as_ref());
            mapped
        }
        IpAddr::V6(v6) => *v6.as_ref(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use CertName::*;

    #[test]
    fn exact_and_case_insensitive() {
        assert!(matches(&[Dns("example.com")], "EXAMPLE.com"));
        assert!(matches(&[Dns("example.com.")], "example.com"));
        assert!(!matches(&[Dns("example.com")], "www.example.com"));
    }

    #[test]
    fn wildcard_rules() {
        assert!(matches(&[Dns("*.example.com")], "www.example.com"));
        assert!(!matches(&[Dns("*.example.com")], "example.com"));
        assert!(!matches(&[Dns("*.example.com")], "a.b.example.com"));
        assert!(!matches(&[Dns("*.com")], "example.com"));
        assert!(!matches(&[Dns("w*.example.com")], "www.example.com"));
        assert!(!matches(&[Dns("www.*.com")], "www.example.com"));
        assert!(!matches(&[Dns("*.*.example.com")], "a.b.example.com"));
    }

    #[test]
    fn ip_addresses_match_ip_sans_only() {
        assert!(matches(&[Ip("127.0.0.1")], "127.0.0.1"));
        assert!(!matches(&[Dns("127.0.0.1")], "127.0.0.1"));
        assert!(!matches(&[Dns("*.0.0.1")], "127.0.0.1"));
        assert!(matches(&[Ip("0:0:0:0:0:0:0:1")], "::1"));
        // IPv4 compares as its IPv4-mapped IPv6 form, byte for byte.
        assert!(matches(&[Ip("::ffff:127.0.0.1")], "127.0.0.1"));
        assert!(!matches(&[Ip("::ffff:127.0.0.2")], "127.0.0.1"));
        assert!(!matches(&[Ip("::1")], "0.0.0.1"));
        assert!(!matches(&[Ip("127.0.0.1")], "localhost"));
    }

    #[test]
    fn common_name_only_without_dns_names() {
        assert!(matches(&[CommonName("example.com")], "example.com"));
        assert!(!matches(&[CommonName("example.com"), Dns("other.com")], "example.com"));
    }
}
