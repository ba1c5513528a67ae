//! A small DER reader and the two DER writers the engine needs. The `der` crate family (with
//! x509-cert, pkcs8, sec1, pkcs1) cost about 57 KB of flash on Cortex-M; what we read is a few
//! shapes: certificates for getpeercert(), private keys, RSA public keys, ECDSA signatures.
//! Lengths must be minimal (DER), and everything is bounds-checked: bad input is None.

use alloc::vec::Vec;

pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;

/// Reads DER elements one after another from a slice.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// The next element: its tag, its contents, and the whole element (tag and length included).
    pub fn read_element(&mut self) -> Option<(u8, &'a [u8], &'a [u8])> {
        let (tag, header, len) = header(self.data)?;
        let end = header.checked_add(len)?;
        let whole = self.data.get(..end)?;
        let contents = whole.get(header..)?;
        self.data = self.data.get(end..)?;
        Some((tag, contents, whole))
    }

    /// The contents of the next element, which must have `tag`.
    pub fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (t, contents, _) = self.read_element()?;
        (t == tag).then_some(contents)
    }

    /// The contents of the next element if it has `tag`; nothing is read otherwise.
    pub fn read_optional(&mut self, tag: u8) -> Option<&'a [u8]> {
        if self.peek_tag() == Some(tag) {
            self.read(tag)
        } else {
            None
        }
    }

    /// A reader over the contents of the next element, which must have `tag`.
    pub fn nested(&mut self, tag: u8) -> Option<Reader<'a>> {
        self.read(tag).map(Reader::new)
    }

    /// A non-negative INTEGER's magnitude, big-endian, without the sign byte.
    pub fn unsigned_integer(&mut self) -> Option<&'a [u8]> {
        unsigned(self.read(INTEGER)?)
    }
}

/// (tag, header length, contents length) of the element at the start of `data`.
fn header(data: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *data.first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags: nothing we read uses them
    }
    let first = *data.get(1)?;
    if first < 0x80 {
        return Some((tag, 2, usize::from(first)));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 3 {
        return None; // indefinite lengths are BER; 16 MB is far beyond any input here
    }
    let mut len = 0usize;
    for i in 0..count {
        len = (len << 8) | usize::from(*data.get(2 + i)?);
    }
    // Minimal: a long form only when the short one cannot say it, with no leading zero byte.
    let minimum = if count == 1 { 0x80 } else { 1 << (8 * (count - 1)) };
    (len >= minimum).then_some((tag, 2 + count, len))
}

/// The total length of the element at the start of `data`.
pub fn element_len(data: &[u8]) -> Option<usize> {
    let (_, header, len) = header(data)?;
    let total = header.checked_add(len)?;
    (total <= data.len()).then_some(total)
}

/// The magnitude of a non-negative INTEGER's contents, strictly: minimal, not negative.
pub fn unsigned(contents: &[u8]) -> Option<&[u8]> {
    match contents {
        [] => None,
        [b, ..] if b & 0x80 != 0 => None,
        [0] => Some(contents),
        [0, rest @ ..] if rest.first().is_some_and(|b| b & 0x80 != 0) => Some(rest),
        [0, ..] => None,
        _ => Some(contents),
    }
}

/// An ECDSA-Sig-Value: SEQUENCE { INTEGER r, INTEGER s }, nothing after it; (r, s) magnitudes.
pub fn ecdsa_signature(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut outer = Reader::new(der);
    let mut seq = outer.nested(SEQUENCE)?;
    let r = seq.unsigned_integer()?;
    let s = seq.unsigned_integer()?;
    (seq.is_empty() && outer.is_empty()).then_some((r, s))
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len < 0x10000 {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
}

fn push_unsigned(out: &mut Vec<u8>, magnitude: &[u8]) {
    let trimmed = match magnitude.iter().position(|&b| b != 0) {
        Some(i) => magnitude.get(i..).unwrap_or(&[]),
        None => &[0],
    };
    let pad = trimmed.first().is_some_and(|b| b & 0x80 != 0);
    out.push(INTEGER);
    push_len(out, trimmed.len() + usize::from(pad));
    if pad {
        out.push(0);
    }
    out.extend_from_slice(trimmed);
}

/// SEQUENCE { INTEGER, ... } of non-negative big-endian magnitudes: an ECDSA signature (r, s)
/// as TLS carries it, or an RSAPublicKey (n, e).
pub fn encode_unsigned_sequence(values: &[&[u8]]) -> Vec<u8> {
    let mut body = Vec::with_capacity(values.iter().map(|v| v.len() + 5).sum());
    for v in values {
        push_unsigned(&mut body, v);
    }
    let mut out = Vec::with_capacity(body.len() + 4);
    out.push(SEQUENCE);
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_must_be_minimal() {
        assert_eq!(element_len(&[0x30, 0x00]), Some(2));
        assert_eq!(element_len(&[0x30, 0x81, 0x7f]), None);
        assert!(element_len(&[0x30, 0x82, 0x00, 0x80]).is_none());
        assert!(element_len(&[0x30, 0x80]).is_none());
        assert!(element_len(&[0x30, 0x05, 1]).is_none());
    }

    #[test]
    fn integers_are_strict() {
        assert_eq!(unsigned(&[0x00]), Some(&[0u8][..]));
        assert_eq!(unsigned(&[0x00, 0x80]), Some(&[0x80u8][..]));
        assert_eq!(unsigned(&[0x00, 0x05]), None);
        assert_eq!(unsigned(&[0x85]), None);
        assert_eq!(unsigned(&[]), None);
    }

    #[test]
    fn signatures_round_trip() {
        let der = encode_unsigned_sequence(&[&[0, 0x85, 1], &[7]]);
        assert_eq!(der, [0x30, 0x08, 0x02, 0x03, 0x00, 0x85, 0x01, 0x02, 0x01, 0x07]);
        assert_eq!(ecdsa_signature(&der), Some((&[0x85u8, 1][..], &[7u8][..])));
        assert!(ecdsa_signature(&[0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0x00]).is_none());
    }
}
