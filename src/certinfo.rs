//! What `getpeercert()` shows: the fields of an X.509 certificate as CPython's ssl module
//! names and formats them, flattened into a list the shim turns into a dict. Read with our own
//! DER reader (`crate::der`); texts are built without core::fmt.

use alloc::string::String;
use alloc::vec::Vec;

use crate::der::{Reader, BIT_STRING, INTEGER, OCTET_STRING, OID, SEQUENCE, SET};

/// Which part of the certificate a field belongs to. Numbers cross the FFI.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// An attribute that starts a new relative distinguished name in the subject.
    SubjectNewRdn = 1,
    /// An attribute that belongs to the same RDN as the one before it.
    SubjectSameRdn = 2,
    IssuerNewRdn = 3,
    IssuerSameRdn = 4,
    Version = 5,
    SerialNumber = 6,
    NotBefore = 7,
    NotAfter = 8,
    SubjectAltName = 9,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub kind: FieldKind,
    pub key: String,
    pub value: String,
}

pub struct CertInfo {
    pub fields: Vec<Field>,
}

/// The parts of a certificate we read, as slices of its DER.
pub struct Parsed<'a> {
    pub version: u8,
    pub serial: &'a [u8],
    pub issuer: &'a [u8],
    pub not_before: (u8, &'a [u8]),
    pub not_after: (u8, &'a [u8]),
    pub subject: &'a [u8],
    /// The SubjectPublicKeyInfo's contents: AlgorithmIdentifier, then the key BIT STRING.
    pub spki: &'a [u8],
    /// The same with its tag and length.
    pub spki_element: &'a [u8],
    pub extensions: Option<&'a [u8]>,
}

const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// Reads a Certificate's TBSCertificate (RFC 5280 section 4.1); None when it is not one.
pub fn parse(der: &[u8]) -> Option<Parsed<'_>> {
    let mut outer = Reader::new(der);
    let mut cert = outer.nested(SEQUENCE)?;
    let mut tbs = cert.nested(SEQUENCE)?;
    cert.read(SEQUENCE)?; // signatureAlgorithm
    cert.read(BIT_STRING)?; // signatureValue
    if !cert.is_empty() || !outer.is_empty() {
        return None;
    }
    let version = match tbs.read_optional(0xa0) {
        Some(v) => match Reader::new(v).read(INTEGER)? {
            [n @ 0..=2] => n + 1,
            _ => return None,
        },
        None => 1,
    };
    let serial = tbs.read(INTEGER)?;
    tbs.read(SEQUENCE)?; // signature
    let issuer = tbs.read(SEQUENCE)?;
    let mut validity = tbs.nested(SEQUENCE)?;
    let not_before = time(&mut validity)?;
    let not_after = time(&mut validity)?;
    let subject = tbs.read(SEQUENCE)?;
    let (spki_tag, spki, spki_element) = tbs.read_element()?;
    if spki_tag != SEQUENCE {
        return None;
    }
    tbs.read_optional(0x81); // issuerUniqueID
    tbs.read_optional(0x82); // subjectUniqueID
    let extensions = match tbs.read_optional(0xa3) {
        Some(e) => Some(Reader::new(e).read(SEQUENCE)?),
        None => None,
    };
    if !tbs.is_empty() || !validity.is_empty() {
        return None;
    }
    Some(Parsed { version, serial, issuer, not_before, not_after, subject, spki, spki_element, extensions })
}

fn time<'a>(r: &mut Reader<'a>) -> Option<(u8, &'a [u8])> {
    let (tag, value, _) = r.read_element()?;
    matches!(tag, UTC_TIME | GENERALIZED_TIME).then_some((tag, value))
}

/// The public key a certificate carries: the algorithm OID, its parameters (an OID, or
/// empty), and the key bytes (the BIT STRING without its unused-bits byte).
pub fn public_key(der: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let parsed = parse(der)?;
    let mut spki = Reader::new(parsed.spki);
    let mut alg = spki.nested(SEQUENCE)?;
    let oid = alg.read(OID)?;
    let params = alg.read_optional(OID).unwrap_or(&[]);
    let bits = spki.read(BIT_STRING)?;
    let (&unused, key) = bits.split_first()?;
    (unused == 0).then_some((oid, params, key))
}

#[cfg(feature = "certinfo")]
pub fn describe(der: &[u8]) -> Option<CertInfo> {
    let cert = parse(der)?;
    let mut fields = Vec::new();
    push_name(&mut fields, cert.subject, FieldKind::SubjectNewRdn, FieldKind::SubjectSameRdn)?;
    push_name(&mut fields, cert.issuer, FieldKind::IssuerNewRdn, FieldKind::IssuerSameRdn)?;
    let mut field = |kind, value: String| fields.push(Field { kind, key: String::new(), value });
    field(FieldKind::Version, decimal(u32::from(cert.version)));
    field(FieldKind::SerialNumber, hex_upper(cert.serial));
    field(FieldKind::NotBefore, openssl_time(cert.not_before)?);
    field(FieldKind::NotAfter, openssl_time(cert.not_after)?);
    if let Some(extensions) = cert.extensions {
        for (key, value) in subject_alt_names(extensions)? {
            fields.push(Field { kind: FieldKind::SubjectAltName, key: String::from(key), value });
        }
    }
    Some(CertInfo { fields })
}

#[cfg(feature = "certinfo")]
fn push_name(fields: &mut Vec<Field>, name: &[u8], new_rdn: FieldKind, same_rdn: FieldKind) -> Option<()> {
    let mut rdns = Reader::new(name);
    while !rdns.is_empty() {
        let mut rdn = rdns.nested(SET)?;
        let mut first = true;
        while !rdn.is_empty() {
            let mut atv = rdn.nested(SEQUENCE)?;
            let oid = atv.read(OID)?;
            let (tag, value, _) = atv.read_element()?;
            fields.push(Field {
                kind: if first { new_rdn } else { same_rdn },
                key: attribute_name(oid),
                value: directory_string(tag, value),
            });
            first = false;
        }
    }
    Some(())
}

#[cfg(feature = "certinfo")]
/// OpenSSL's long names, which CPython's getpeercert() uses as keys, by OID contents.
fn attribute_name(oid: &[u8]) -> String {
    const NAMES: &[(&[u8], &str)] = &[
        (&[0x55, 0x04, 0x03], "commonName"),
        (&[0x55, 0x04, 0x04], "surname"),
        (&[0x55, 0x04, 0x05], "serialNumber"),
        (&[0x55, 0x04, 0x06], "countryName"),
        (&[0x55, 0x04, 0x07], "localityName"),
        (&[0x55, 0x04, 0x08], "stateOrProvinceName"),
        (&[0x55, 0x04, 0x09], "streetAddress"),
        (&[0x55, 0x04, 0x0a], "organizationName"),
        (&[0x55, 0x04, 0x0b], "organizationalUnitName"),
        (&[0x55, 0x04, 0x0c], "title"),
        (&[0x55, 0x04, 0x2a], "givenName"),
        (&[0x55, 0x04, 0x2e], "dnQualifier"),
        (&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01], "emailAddress"),
        (&[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19], "domainComponent"),
        (&[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01], "userId"),
    ];
    match NAMES.iter().find(|(o, _)| *o == oid) {
        Some((_, name)) => String::from(*name),
        None => dotted(oid),
    }
}

#[cfg(feature = "certinfo")]
/// An OID in dotted decimal, as OpenSSL shows one it has no name for.
fn dotted(oid: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for &b in oid {
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    let mut out = String::new();
    for (i, arc) in arcs.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_decimal(&mut out, *arc);
    }
    out
}

#[cfg(feature = "certinfo")]
const BMP_STRING: u8 = 0x1e;

#[cfg(feature = "certinfo")]
fn directory_string(tag: u8, bytes: &[u8]) -> String {
    if tag == BMP_STRING {
        let units = bytes.chunks_exact(2).map(|c| <[u8; 2]>::try_from(c).map_or(0, u16::from_be_bytes));
        return char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    }
    // UTF8String, PrintableString, IA5String, TeletexString (and anything odd): as text.
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(feature = "certinfo")]
fn push_decimal(out: &mut String, mut n: u64) {
    // Digits come least significant first: insert each at the same place.
    let at = out.len();
    loop {
        out.insert(at, char::from(b'0' + (n % 10) as u8));
        n /= 10;
        if n == 0 {
            break;
        }
    }
}

#[cfg(feature = "certinfo")]
fn decimal(n: u32) -> String {
    let mut out = String::new();
    push_decimal(&mut out, u64::from(n));
    out
}

#[cfg(feature = "certinfo")]
/// `n` as two decimal digits, or with a space in front for the day (OpenSSL's "%2d").
fn push_two(out: &mut String, n: u32, pad: char) {
    if n < 10 {
        out.push(pad);
    }
    push_decimal(out, u64::from(n));
}

#[cfg(feature = "certinfo")]
fn hex_digit(nibble: u8) -> char {
    char::from(if nibble < 10 { b'0' + nibble } else { b'A' + nibble - 10 })
}

#[cfg(feature = "certinfo")]
fn hex_upper(bytes: &[u8]) -> String {
    // Like OpenSSL's serial: no leading zero byte that DER added for the sign.
    let trimmed = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    };
    let mut out = String::with_capacity(trimmed.len() * 2);
    for b in trimmed {
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(b & 15));
    }
    out
}

/// A certificate time (UTCTime or GeneralizedTime, in UTC as RFC 5280 requires) as (year,
/// month, day, hour, minute, second).
fn civil_time((tag, text): (u8, &[u8])) -> Option<[u32; 6]> {
    let digits = |s: &[u8]| -> Option<u32> {
        s.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let (year, rest) = match tag {
        UTC_TIME => {
            let yy = digits(text.get(..2)?)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, text.get(2..)?)
        }
        _ => (digits(text.get(..4)?)?, text.get(4..)?),
    };
    if rest.len() != 11 || rest.get(10) != Some(&b'Z') {
        return None;
    }
    let field = |i: usize| digits(rest.get(i..i + 2)?);
    let t = [year, field(0)?, field(2)?, field(4)?, field(6)?, field(8)?];
    let valid = (1..=12).contains(&t[1]) && (1..=31).contains(&t[2]) && t[3] < 24 && t[4] < 60 && t[5] < 61;
    valid.then_some(t)
}

/// Seconds since 1970 of a certificate time (None before 1970).
pub fn unix_time(time: (u8, &[u8])) -> Option<u64> {
    let [year, month, day, hour, minute, second] = civil_time(time)?;
    // Days from 1970-01-01 to the date: Howard Hinnant's days_from_civil, whose eras fold into
    // y/4 - y/100 + y/400 for years from 0 on; in u32, which the Cortex-M0+ does without
    // calls to 64-bit division (civil_time keeps the year below 10,000).
    let (y, m) = if month <= 2 { (year.checked_sub(1)?, month + 9) } else { (year, month - 3) };
    let days = (y * 365 + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day).checked_sub(719_469)?;
    Some(u64::from(days) * 86_400 + u64::from(hour * 3600 + minute * 60 + second))
}

#[cfg(feature = "certinfo")]
/// "Jan  5 09:34:43 2018 GMT", as OpenSSL prints ASN1 times and CPython reports them.
fn openssl_time(time: (u8, &[u8])) -> Option<String> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let [year, month, day, hour, minute, second] = civil_time(time)?;
    let mut out = String::with_capacity(24);
    out.push_str(MONTHS.get(usize::try_from(month).ok()?.checked_sub(1)?)?);
    out.push(' ');
    push_two(&mut out, day, ' ');
    out.push(' ');
    push_two(&mut out, hour, '0');
    out.push(':');
    push_two(&mut out, minute, '0');
    out.push(':');
    push_two(&mut out, second, '0');
    out.push(' ');
    push_decimal(&mut out, u64::from(year));
    out.push_str(" GMT");
    Some(out)
}

#[cfg(feature = "certinfo")]
/// The subjectAltName extension's names CPython shows: DNS, email, URI, IP Address.
fn subject_alt_names(extensions: &[u8]) -> Option<Vec<(&'static str, String)>> {
    const SAN_OID: &[u8] = &[0x55, 0x1d, 0x11];
    let mut out = Vec::new();
    let mut exts = Reader::new(extensions);
    while !exts.is_empty() {
        let mut ext = exts.nested(SEQUENCE)?;
        let oid = ext.read(OID)?;
        ext.read_optional(0x01); // critical
        let value = ext.read(OCTET_STRING)?;
        if oid != SAN_OID {
            continue;
        }
        let mut names = Reader::new(value).nested(SEQUENCE)?;
        while !names.is_empty() {
            let (tag, name, _) = names.read_element()?;
            let text = || String::from_utf8_lossy(name).into_owned();
            match tag {
                0x81 => out.push(("email", text())),
                0x82 => out.push(("DNS", text())),
                0x86 => out.push(("URI", text())),
                0x87 => out.push(("IP Address", format_ip(name))),
                _ => {}
            }
        }
    }
    Some(out)
}

#[cfg(feature = "certinfo")]
/// IPv4 dotted, IPv6 as OpenSSL prints it in getpeercert() (uppercase, uncompressed).
fn format_ip(bytes: &[u8]) -> String {
    let mut out = String::new();
    match bytes.len() {
        4 => {
            for (i, b) in bytes.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                push_decimal(&mut out, u64::from(*b));
            }
        }
        16 => {
            for (i, pair) in bytes.chunks_exact(2).enumerate() {
                if i > 0 {
                    out.push(':');
                }
                let v = <[u8; 2]>::try_from(pair).map_or(0, u16::from_be_bytes);
                let hex = hex_upper(&v.to_be_bytes());
                out.push_str(hex.trim_start_matches('0'));
                if v == 0 {
                    out.push('0');
                }
            }
        }
        _ => out.push_str("<invalid>"),
    }
    out
}

/// The subject's commonName values, and whether the certificate has a DNS or IP subjectAltName
/// (for matching a pinned certificate by its CN: RFC 6125 section 6.4.4).
pub fn common_names(der: &[u8]) -> Option<(Vec<&[u8]>, bool)> {
    const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
    const SAN_OID: &[u8] = &[0x55, 0x1d, 0x11];
    let cert = parse(der)?;
    let mut names = Vec::new();
    let mut rdns = Reader::new(cert.subject);
    while !rdns.is_empty() {
        let mut rdn = rdns.nested(SET)?;
        while !rdn.is_empty() {
            let mut atv = rdn.nested(SEQUENCE)?;
            let oid = atv.read(OID)?;
            let (_, value, _) = atv.read_element()?;
            if oid == COMMON_NAME {
                names.push(value);
            }
        }
    }
    let mut has_san = false;
    if let Some(extensions) = cert.extensions {
        let mut exts = Reader::new(extensions);
        while !exts.is_empty() {
            let mut ext = exts.nested(SEQUENCE)?;
            if ext.read(OID)? != SAN_OID {
                continue;
            }
            ext.read_optional(0x01);
            let mut general = Reader::new(ext.read(OCTET_STRING)?).nested(SEQUENCE)?;
            while !general.is_empty() {
                let (tag, _, _) = general.read_element()?;
                has_san |= matches!(tag, 0x82 | 0x87);
            }
        }
    }
    Some((names, has_san))
}

/// The whole DER SubjectPublicKeyInfo of a certificate.
pub fn subject_public_key_info(der: &[u8]) -> Option<&[u8]> {
    parse(der).map(|p| p.spki_element)
}

#[cfg(all(test, feature = "certinfo"))]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(hex_upper(&[0x00, 0x8a, 0x01]), "8A01");
        assert_eq!(hex_upper(&[0x05]), "05");
        assert_eq!(format_ip(&[127, 0, 0, 1]), "127.0.0.1");
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        v6[0] = 0xfe;
        assert_eq!(format_ip(&v6), "FE00:0:0:0:0:0:0:1");
        assert_eq!(dotted(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01]), "1.2.840.113549.1.9.1");
        assert_eq!(openssl_time((UTC_TIME, b"180105093443Z")).as_deref(), Some("Jan  5 09:34:43 2018 GMT"));
        assert_eq!(openssl_time((GENERALIZED_TIME, b"30000101000000Z")).as_deref(), Some("Jan  1 00:00:00 3000 GMT"));
        assert_eq!(openssl_time((UTC_TIME, b"181305093443Z")), None);
        assert_eq!(unix_time((UTC_TIME, b"700101000000Z")), Some(0));
        assert_eq!(unix_time((UTC_TIME, b"180105093443Z")), Some(1_515_144_883));
        assert_eq!(unix_time((GENERALIZED_TIME, b"20240229235959Z")), Some(1_709_251_199));
        // Century rules (2000 leap, 2100 not), the far end, and before the epoch.
        assert_eq!(unix_time((GENERALIZED_TIME, b"20000301000000Z")), Some(951_868_800));
        assert_eq!(unix_time((GENERALIZED_TIME, b"21000301000000Z")), Some(4_107_542_400));
        assert_eq!(unix_time((GENERALIZED_TIME, b"99991231235959Z")), Some(253_402_300_799));
        assert_eq!(unix_time((UTC_TIME, b"691231235959Z")), None);
        assert_eq!(unix_time((GENERALIZED_TIME, b"00000101000000Z")), None);
    }

    #[cfg(feature = "certinfo")]
    #[test]
    fn garbage_is_none() {
        assert!(describe(b"garbage").is_none());
        assert!(describe(&[]).is_none());
        assert!(describe(&[0x30, 0x80]).is_none());
    }

    #[cfg(feature = "certinfo")]
    #[test]
    fn reads_the_test_certificates() {
        use rustls_pki_types::pem::PemObject;
        for pem in [&include_bytes!("../tests/data/ec.pem")[..], &include_bytes!("../tests/data/rsa.pem")[..]] {
            let cert = rustls_pki_types::CertificateDer::from_pem_slice(pem).expect("pem"); // ok-panic: test
            let info = describe(&cert).expect("certificate"); // ok-panic: test
            assert!(info.fields.iter().any(|f| f.kind == FieldKind::Version && f.value == "3"));
            assert!(info.fields.iter().any(|f| f.kind == FieldKind::NotAfter && f.value.ends_with(" GMT")));
            assert!(public_key(&cert).is_some());
        }
    }
}
