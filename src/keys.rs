//! Certificates and private keys from the bytes a user hands us: PEM (one or many sections)
//! or DER (one certificate, or several concatenated), PKCS#8, SEC1 or PKCS#1 keys.

use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};

use crate::result::UsslResult;

fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

/// All certificates in `data`, in order (a chain: leaf first).
pub fn load_certificates(data: &[u8]) -> Result<Vec<CertificateDer<'static>>, UsslResult> {
    let certs: Vec<CertificateDer<'static>> = if looks_like_pem(data) {
        let sections = crate::pem::sections(data).map_err(|_| UsslResult::InvalidCertificateData)?;
        sections.into_iter().filter(|s| s.label == b"CERTIFICATE").map(|s| CertificateDer::from(s.der)).collect()
    } else {
        split_der_sequence(data)?.into_iter().map(|der| CertificateDer::from(der.to_vec())).collect()
    };
    if certs.is_empty() {
        return Err(UsslResult::NoCertificatesFound);
    }
    for cert in &certs {
        if crate::certinfo::parse(cert).is_none() {
            return Err(UsslResult::InvalidCertificateData);
        }
    }
    Ok(certs)
}

/// Splits concatenated DER SEQUENCEs, checking each length against the data.
fn split_der_sequence(mut data: &[u8]) -> Result<Vec<&[u8]>, UsslResult> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let len = der_element_len(data).ok_or(UsslResult::InvalidCertificateData)?;
        let (element, rest) = data.split_at_checked(len).ok_or(UsslResult::InvalidCertificateData)?;
        out.push(element);
        data = rest;
    }
    Ok(out)
}

/// The total length (tag, length and contents) of the DER SEQUENCE at the start of `data`.
fn der_element_len(data: &[u8]) -> Option<usize> {
    let [0x30, first_len, ..] = *data else { return None };
    let (header, len) = match first_len {
        n @ 0..=0x7f => (2, usize::from(n)),
        0x81 => (3, usize::from(*data.get(2)?)),
        0x82 => (4, usize::from(u16::from_be_bytes([*data.get(2)?, *data.get(3)?]))),
        0x83 => {
            (5, (usize::from(*data.get(2)?) << 16) | (usize::from(*data.get(3)?) << 8) | usize::from(*data.get(4)?))
        }
        _ => return None,
    };
    let total = header + len;
    (total <= data.len()).then_some(total)
}

/// The first private key in `data`.
pub fn load_private_key(data: &[u8]) -> Result<PrivateKeyDer<'static>, UsslResult> {
    if looks_like_pem(data) {
        let sections = crate::pem::sections(data).map_err(|_| UsslResult::NoPrivateKeyFound)?;
        return sections
            .into_iter()
            .find_map(|s| match s.label {
                b"PRIVATE KEY" => Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(s.der))),
                b"EC PRIVATE KEY" => Some(PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(s.der))),
                b"RSA PRIVATE KEY" => Some(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(s.der))),
                _ => None,
            })
            .ok_or(UsslResult::NoPrivateKeyFound);
    }
    PrivateKeyDer::try_from(data).map(|k| k.clone_key()).map_err(|_| UsslResult::NoPrivateKeyFound)
}

#[cfg(feature = "engine-rustls")]
/// Checks that `key` signs for the leaf of `chain`, so a mismatch is reported when the files
/// are loaded rather than as a handshake failure on the peer's side.
pub fn check_key_matches(chain: &[CertificateDer<'_>], key: &PrivateKeyDer<'_>) -> Result<(), UsslResult> {
    let leaf = chain.first().ok_or(UsslResult::NoCertificatesFound)?;
    let key = crate::provider::sign::KeyMaterial::from_der(key)?;
    let cert_spki = crate::certinfo::subject_public_key_info(leaf).ok_or(UsslResult::InvalidCertificateData)?;
    if key.public_key_info().as_ref() == cert_spki {
        Ok(())
    } else {
        Err(UsslResult::KeyDoesNotMatchCertificate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_rejected() {
        assert_eq!(load_certificates(b"not a certificate"), Err(UsslResult::InvalidCertificateData));
        assert_eq!(load_certificates(b""), Err(UsslResult::NoCertificatesFound));
        assert_eq!(
            load_certificates(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"),
            Err(UsslResult::InvalidCertificateData)
        );
        assert_eq!(load_certificates(&[0x30, 0x82, 0xff]), Err(UsslResult::InvalidCertificateData));
        assert!(load_private_key(b"garbage").is_err());
        // Parses as a DER structure but is no key we can use.
        #[cfg(feature = "engine-rustls")]
        let odd = load_private_key(&[0x30, 0x03, 0x02, 0x01, 0x00]);
        #[cfg(feature = "engine-rustls")]
        assert!(odd.map_or(true, |k| crate::provider::sign::KeyMaterial::from_der(&k).is_err()));
    }
}
