//! What `getpeercert()` shows: the fields of an X.509 certificate as CPython's ssl module
//! names and formats them, flattened into a list the shim turns into a dict.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
use der::{Decode, Encode, Tag, Tagged};
use x509_cert::name::Name;
use x509_cert::Certificate;

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

pub fn parse(der: &[u8]) -> Option<Certificate> {
    Certificate::from_der(der).ok()
}

/// The DER SubjectPublicKeyInfo of a certificate.
pub fn subject_public_key_info(der: &[u8]) -> Option<Vec<u8>> {
    parse(der)?.tbs_certificate.subject_public_key_info.to_der().ok()
}

pub fn describe(der: &[u8]) -> Option<CertInfo> {
    let cert = parse(der)?;
    let tbs = &cert.tbs_certificate;
    let mut fields = Vec::new();
    push_name(&mut fields, &tbs.subject, FieldKind::SubjectNewRdn, FieldKind::SubjectSameRdn);
    push_name(&mut fields, &tbs.issuer, FieldKind::IssuerNewRdn, FieldKind::IssuerSameRdn);
    let version = match tbs.version {
        x509_cert::Version::V1 => 1,
        x509_cert::Version::V2 => 2,
        x509_cert::Version::V3 => 3,
    };
    fields.push(Field { kind: FieldKind::Version, key: String::new(), value: version.to_string() });
    fields.push(Field { kind: FieldKind::SerialNumber, key: String::new(), value: hex_upper(tbs.serial_number.as_bytes()) });
    fields.push(Field { kind: FieldKind::NotBefore, key: String::new(), value: openssl_time(&tbs.validity.not_before) });
    fields.push(Field { kind: FieldKind::NotAfter, key: String::new(), value: openssl_time(&tbs.validity.not_after) });
    for (key, value) in subject_alt_names(&cert) {
        fields.push(Field { kind: FieldKind::SubjectAltName, key: key.to_string(), value });
    }
    Some(CertInfo { fields })
}

fn push_name(fields: &mut Vec<Field>, name: &Name, new_rdn: FieldKind, same_rdn: FieldKind) {
    for rdn in name.0.iter() {
        for (i, atv) in rdn.0.iter().enumerate() {
            fields.push(Field {
                kind: if i == 0 { new_rdn } else { same_rdn },
                key: attribute_name(&atv.oid),
                value: directory_string(&atv.value),
            });
        }
    }
}

/// OpenSSL's long names, which CPython's getpeercert() uses as keys.
fn attribute_name(oid: &der::asn1::ObjectIdentifier) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("2.5.4.3", "commonName"),
        ("2.5.4.4", "surname"),
        ("2.5.4.5", "serialNumber"),
        ("2.5.4.6", "countryName"),
        ("2.5.4.7", "localityName"),
        ("2.5.4.8", "stateOrProvinceName"),
        ("2.5.4.9", "streetAddress"),
        ("2.5.4.10", "organizationName"),
        ("2.5.4.11", "organizationalUnitName"),
        ("2.5.4.12", "title"),
        ("2.5.4.42", "givenName"),
        ("2.5.4.46", "dnQualifier"),
        ("1.2.840.113549.1.9.1", "emailAddress"),
        ("0.9.2342.19200300.100.1.25", "domainComponent"),
        ("0.9.2342.19200300.100.1.1", "userId"),
    ];
    let dotted = oid.to_string();
    NAMES
        .iter()
        .find(|(o, _)| *o == dotted)
        .map(|(_, n)| n.to_string())
        .unwrap_or(dotted)
}

fn directory_string(value: &der::Any) -> String {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String => Utf8StringRef::new(bytes).map(|s| s.as_str().to_string()).ok(),
        Tag::PrintableString => PrintableStringRef::new(bytes).map(|s| s.as_str().to_string()).ok(),
        Tag::Ia5String => Ia5StringRef::new(bytes).map(|s| s.as_str().to_string()).ok(),
        Tag::BmpString => {
            let units = bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            Some(char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
        }
        _ => None,
    }
    .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned())
}

fn hex_upper(bytes: &[u8]) -> String {
    // Like OpenSSL's serial: no leading zero byte that DER added for the sign.
    let trimmed = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    };
    trimmed.iter().map(|b| format!("{:02X}", b)).collect()
}

/// "Jan  5 09:34:43 2018 GMT", as OpenSSL prints ASN1 times and CPython reports them.
fn openssl_time(t: &x509_cert::time::Time) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let dt = t.to_date_time();
    let month = MONTHS.get(usize::from(dt.month()).saturating_sub(1)).copied().unwrap_or("???");
    format!("{} {:>2} {:02}:{:02}:{:02} {} GMT", month, dt.day(), dt.hour(), dt.minutes(), dt.seconds(), dt.year())
}

fn subject_alt_names(cert: &Certificate) -> Vec<(&'static str, String)> {
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::SubjectAltName;
    const SAN_OID: &str = "2.5.29.17";
    let mut out = Vec::new();
    let Some(exts) = &cert.tbs_certificate.extensions else {
        return out;
    };
    for ext in exts.iter().filter(|e| e.extn_id.to_string() == SAN_OID) {
        let Ok(san) = SubjectAltName::from_der(ext.extn_value.as_bytes()) else {
            continue;
        };
        for name in san.0 {
            match name {
                GeneralName::DnsName(n) => out.push(("DNS", n.as_str().to_string())),
                GeneralName::Rfc822Name(n) => out.push(("email", n.as_str().to_string())),
                GeneralName::UniformResourceIdentifier(n) => out.push(("URI", n.as_str().to_string())),
                GeneralName::IpAddress(ip) => out.push(("IP Address", format_ip(ip.as_bytes()))),
                _ => {}
            }
        }
    }
    out
}

/// IPv4 dotted, IPv6 as OpenSSL prints it in getpeercert() (uppercase, uncompressed).
fn format_ip(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => format!("{}.{}.{}.{}", bytes[0], bytes[1], bytes[2], bytes[3]),
        16 => bytes
            .chunks_exact(2)
            .map(|c| format!("{:X}", u16::from_be_bytes([c[0], c[1]])))
            .collect::<Vec<_>>()
            .join(":"),
        _ => String::from("<invalid>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(hex_upper(&[0x00, 0x8a, 0x01]), "8A01");
        assert_eq!(hex_upper(&[0x05]), "05");
        assert_eq!(format_ip(&[127, 0, 0, 1]), "127.0.0.1");
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(format_ip(&v6), "0:0:0:0:0:0:0:1");
    }

    #[test]
    fn garbage_is_none() {
        assert!(describe(b"garbage").is_none());
        assert!(describe(&[]).is_none());
        assert!(describe(&[0x30, 0x80]).is_none());
    }
}
