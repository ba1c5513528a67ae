//! PEM (RFC 7468): the sections of a bundle, their labels and their DER. Ours rather than
//! rustls-pki-types' (4.7 KB on thumbv6m, the lean engine's largest avoidable piece), with the
//! same care for private keys: the base64 of a section is decoded without branching or indexing
//! on its characters' values (only on where the line breaks are, which say nothing of a key).

use alloc::vec::Vec;

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// One section: its label ("CERTIFICATE", "PRIVATE KEY", ...) and its decoded contents.
pub struct Section<'a> {
    pub label: &'a [u8],
    pub der: Vec<u8>,
}

/// Every section of `data`, in order; text around and between them is ignored. Err when a
/// section is malformed: no END line, an END of another label, or a body that is not base64.
pub fn sections(data: &[u8]) -> Result<Vec<Section<'_>>, ()> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(start) = find(rest, BEGIN) {
        let after_begin = rest.get(start + BEGIN.len()..).ok_or(())?;
        let label_len = find(after_begin, DASHES).ok_or(())?;
        let label = after_begin.get(..label_len).ok_or(())?;
        if label.contains(&b'\n') {
            return Err(());
        }
        let body_and_more = after_begin.get(label_len + DASHES.len()..).ok_or(())?;
        let end = find(body_and_more, END).ok_or(())?;
        let body = body_and_more.get(..end).ok_or(())?;
        let after_end = body_and_more.get(end + END.len()..).ok_or(())?;
        let closing = after_end.get(..label.len() + DASHES.len()).ok_or(())?;
        if closing.get(..label.len()) != Some(label) || closing.get(label.len()..) != Some(DASHES) {
            return Err(());
        }
        out.push(Section { label, der: decode_base64(body)? });
        rest = after_end.get(label.len() + DASHES.len()..).ok_or(())?;
    }
    Ok(out)
}

/// Whether `data` has a PEM section's start: text to parse, not a name (a path) for it.
pub fn looks_like_pem(data: &[u8]) -> bool {
    find(data, BEGIN).is_some()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// All ones when `lo <= c <= hi`, else zero, without a branch on `c`.
fn in_range(c: i16, lo: i16, hi: i16) -> i16 {
    ((lo - 1 - c) & (c - (hi + 1))) >> 15
}

/// The 6-bit value of a base64 character, and whether it is one (0 or -1), branch-free.
fn sextet(c: u8) -> (u8, i16) {
    let c = i16::from(c);
    let upper = in_range(c, 65, 90);
    let lower = in_range(c, 97, 122);
    let digit = in_range(c, 48, 57);
    let plus = in_range(c, 43, 43);
    let slash = in_range(c, 47, 47);
    let value = (upper & (c - 65)) | (lower & (c - 71)) | (digit & (c + 4)) | (plus & 62) | (slash & 63);
    (value as u8, upper | lower | digit | plus | slash)
}

/// Base64 (RFC 4648, with padding) of a PEM body; line breaks and spaces are skipped.
fn decode_base64(body: &[u8]) -> Result<Vec<u8>, ()> {
    let mut out = Vec::with_capacity(body.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut invalid: i16 = 0;
    let mut chars = 0usize;
    let mut padding = 0usize;
    for &c in body {
        if matches!(c, b'\n' | b'\r' | b' ' | b'\t') {
            continue;
        }
        if c == b'=' {
            padding += 1;
            continue;
        }
        // Data after padding is not base64.
        if padding > 0 {
            return Err(());
        }
        let (value, valid) = sextet(c);
        invalid |= !valid;
        chars += 1;
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    // Whole quantum: the characters and the padding make a multiple of four, with no more than
    // two pad characters and no leftover bits set (RFC 4648 section 3.5, canonical encoding).
    let leftover = acc & ((1 << bits) - 1);
    if invalid != 0 || padding > 2 || (chars + padding) % 4 != 0 || leftover != 0 {
        return Err(());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_known_answers() {
        // RFC 4648 section 10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(decode_base64(encoded.as_bytes()).as_deref(), Ok(plain.as_bytes()), "{encoded}");
        }
        assert_eq!(decode_base64(b"+/+/").as_deref(), Ok(&[0xfb, 0xff, 0xbf][..]));
        for bad in ["Zg", "Zg=", "Zm9", "Z===", "Zh==", "Zm9v!", "Zg==Zg==", "Zm-v", "Zm_v"] {
            assert!(decode_base64(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_character_maps_as_the_alphabet_says() {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for c in 0..=255u8 {
            let (value, valid) = sextet(c);
            match alphabet.iter().position(|&a| a == c) {
                Some(i) => assert_eq!((value as usize, valid), (i, -1), "{c}"),
                None => assert_eq!(valid, 0, "{c}"),
            }
        }
    }

    /// The same sections and bytes as rustls-pki-types' decoder, on our test files.
    #[test]
    fn agrees_with_pki_types_on_real_files() {
        use rustls_pki_types::pem::{PemObject, SectionKind};
        for file in [
            &include_bytes!("../tests/data/ca.pem")[..],
            include_bytes!("../tests/data/ec.pem"),
            include_bytes!("../tests/data/ec.key"),
            include_bytes!("../tests/data/rsa.pem"),
            include_bytes!("../tests/data/rsa.key"),
        ] {
            let ours = sections(file).expect("parses");
            let theirs: Vec<(SectionKind, Vec<u8>)> =
                <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(file).map(|r| r.expect("parses")).collect();
            assert_eq!(ours.len(), theirs.len());
            for (a, (_, der)) in ours.iter().zip(&theirs) {
                assert_eq!(&a.der, der);
            }
        }
    }

    #[test]
    fn malformed_sections_are_refused() {
        assert!(sections(b"no pem here").unwrap().is_empty());
        for bad in [
            &b"-----BEGIN CERTIFICATE-----\nZm9v\n"[..],
            b"-----BEGIN CERTIFICATE-----\nZm9v\n-----END KEY-----\n",
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            b"-----BEGIN CERTIFICATE",
            b"-----BEGIN CERTIFICATE-----\nZm9v\n-----END CERTIFICATE",
        ] {
            assert!(sections(bad).is_err(), "{}", alloc::string::String::from_utf8_lossy(bad));
        }
        let two = sections(
            b"text\n-----BEGIN A-----\nZm9v\n-----END A-----\nmore\n-----BEGIN B-----\r\nZg==\r\n-----END B-----\r\n",
        )
        .unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!((two[0].label, &two[0].der[..]), (&b"A"[..], &b"foo"[..]));
        assert_eq!((two[1].label, &two[1].der[..]), (&b"B"[..], &b"f"[..]));
    }
}
