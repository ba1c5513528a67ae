//! The PSK identity a client offers, read before the engine hands the message that carries it
//! to rustls: a server's key lookup (`server_psk_keys.get`) is a Python call, which the shim
//! makes from C between engine calls, never from inside a rustls step.
//!
//! Only what the lookup needs is read: in TLS 1.3 the first identity of the ClientHello's
//! `pre_shared_key` extension (RFC 8446 section 4.2.11); in TLS 1.2 the identity of a PSK
//! suite's ClientKeyExchange (RFC 4279 section 2). Whatever else is wrong with the message is
//! rustls's to find.

use alloc::vec::Vec;

use crate::result::UsslResult;

const HANDSHAKE_RECORD: u8 = 22;
const CLIENT_HELLO: u8 = 1;
const CLIENT_KEY_EXCHANGE: u8 = 16;
const PRE_SHARED_KEY: u16 = 41;
/// The largest ClientHello read: RFC 8446 allows 2^24 bytes, but nothing that large is a
/// ClientHello worth a lookup (rustls refuses it too).
const MAX_HELLO: usize = 65_536;

/// How the identity is read from a message's body.
type ReadIdentity = fn(&[u8]) -> Option<&[u8]>;

/// The message that names the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    ClientHello,
    ClientKeyExchange,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Peek {
    /// The message is not complete in the records yet.
    More,
    /// The (first) identity the client offers.
    Identity(Vec<u8>),
    /// No identity offered (or another message): nothing to look up.
    Nothing,
}

/// Reads the complete records that a server connection has not handed to rustls yet, which
/// begin with the `carrier` expected.
pub fn identity(records: &[u8], carrier: Carrier) -> Result<Peek, UsslResult> {
    let mut hello = Vec::new();
    let mut rest = records;
    while let [kind, _, _, hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        let (Some(body), Some(after)) = (tail.get(..len), tail.get(len..)) else { break };
        if *kind != HANDSHAKE_RECORD {
            return Ok(Peek::Nothing);
        }
        if hello.len() + len > MAX_HELLO + 4 {
            return Ok(Peek::Nothing);
        }
        crate::fallibly(|| hello.try_reserve(len)).map_err(|_| UsslResult::OutOfMemory)?;
        hello.extend_from_slice(body);
        rest = after;
    }
    let [kind, a, b, c, body @ ..] = hello.as_slice() else { return Ok(Peek::More) };
    let (wanted, read): (u8, ReadIdentity) = match carrier {
        Carrier::ClientHello => (CLIENT_HELLO, identity_in),
        Carrier::ClientKeyExchange => (CLIENT_KEY_EXCHANGE, identity_of_key_exchange),
    };
    if *kind != wanted {
        return Ok(Peek::Nothing);
    }
    let len = usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c);
    match body.get(..len) {
        None if len > MAX_HELLO => Ok(Peek::Nothing),
        None => Ok(Peek::More),
        Some(body) => Ok(read(body).map_or(Peek::Nothing, |id| Peek::Identity(id.to_vec()))),
    }
}

/// A PSK suite's ClientKeyExchange: the identity, with its 16-bit length, and nothing else.
fn identity_of_key_exchange(body: &[u8]) -> Option<&[u8]> {
    let mut r = Reader(body);
    let identity = r.vector(2)?;
    (r.0.is_empty() && !identity.is_empty()).then_some(identity)
}

/// The first PSK identity in a ClientHello's body, if it offers one.
fn identity_in(body: &[u8]) -> Option<&[u8]> {
    let mut r = Reader(body);
    r.skip(2 + 32)?; // legacy_version, random
    r.vector(1)?; // legacy_session_id
    r.vector(2)?; // cipher_suites
    r.vector(1)?; // legacy_compression_methods
    let mut extensions = Reader(r.vector(2)?);
    while !extensions.0.is_empty() {
        let kind = extensions.u16()?;
        let data = extensions.vector(2)?;
        if kind == PRE_SHARED_KEY {
            let mut identities = Reader(Reader(data).vector(2)?);
            let identity = identities.vector(2)?;
            return (!identity.is_empty()).then_some(identity);
        }
    }
    None
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = tail;
        Some(head)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    fn u16(&mut self) -> Option<u16> {
        match self.take(2)? {
            [hi, lo] => Some(u16::from_be_bytes([*hi, *lo])),
            _ => None,
        }
    }

    /// A vector with a length prefix of `width` bytes (1 or 2).
    fn vector(&mut self, width: usize) -> Option<&'a [u8]> {
        let len = match width {
            1 => usize::from(*self.take(1)?.first()?),
            _ => usize::from(self.u16()?),
        };
        self.take(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn hello_id(records: &[u8]) -> Result<Peek, UsslResult> {
        identity(records, Carrier::ClientHello)
    }

    /// A ClientHello body with the given extensions (type, data), as a record or `split` records.
    fn hello(extensions: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend([0x11; 32]);
        body.extend([0]); // session id
        body.extend([0, 2, 0x13, 0x01]);
        body.extend([1, 0]);
        let mut exts = Vec::new();
        for (kind, data) in extensions {
            exts.extend(kind.to_be_bytes());
            exts.extend((data.len() as u16).to_be_bytes());
            exts.extend(data);
        }
        body.extend((exts.len() as u16).to_be_bytes());
        body.extend(exts);
        let mut msg = vec![CLIENT_HELLO, 0, (body.len() >> 8) as u8, body.len() as u8];
        msg.extend(body);
        msg
    }

    fn records(msg: &[u8], pieces: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in msg.chunks(msg.len().div_ceil(pieces)) {
            out.extend([HANDSHAKE_RECORD, 3, 1]);
            out.extend((chunk.len() as u16).to_be_bytes());
            out.extend(chunk);
        }
        out
    }

    fn psk_extension(identities: &[&[u8]]) -> (u16, Vec<u8>) {
        let mut list = Vec::new();
        for id in identities {
            list.extend((id.len() as u16).to_be_bytes());
            list.extend(*id);
            list.extend([0, 0, 0, 0]); // obfuscated_ticket_age
        }
        let mut data = (list.len() as u16).to_be_bytes().to_vec();
        data.extend(list);
        data.extend([0, 33, 32]);
        data.extend([0; 32]); // one binder
        (PRE_SHARED_KEY, data)
    }

    #[test]
    fn the_first_identity_is_found_whole_or_in_pieces() {
        let msg = hello(&[(43, vec![2, 3, 4]), psk_extension(&[b"\xff\xfe\xfd", b"second"])]);
        for pieces in [1, 2, 7] {
            let all = records(&msg, pieces);
            assert_eq!(hello_id(&all), Ok(Peek::Identity(b"\xff\xfe\xfd".to_vec())), "{pieces}");
        }
    }

    #[test]
    fn an_incomplete_hello_asks_for_more() {
        let msg = hello(&[psk_extension(&[b"id"])]);
        let all = records(&msg, 3);
        let first_two = all.len() - (msg.len() - 2 * msg.len().div_ceil(3)) - 5;
        assert_eq!(hello_id(&all[..first_two]), Ok(Peek::More));
        assert_eq!(hello_id(&[]), Ok(Peek::More));
    }

    #[test]
    fn no_psk_or_no_hello_is_nothing_to_look_up() {
        assert_eq!(hello_id(&records(&hello(&[(43, vec![2, 3, 4])]), 1)), Ok(Peek::Nothing));
        assert_eq!(hello_id(&records(&hello(&[psk_extension(&[b""])]), 1)), Ok(Peek::Nothing));
        assert_eq!(hello_id(&[21, 3, 3, 0, 2, 2, 40]), Ok(Peek::Nothing), "an alert");
        let mut not_hello = hello(&[psk_extension(&[b"id"])]);
        not_hello[0] = 2;
        assert_eq!(hello_id(&records(&not_hello, 1)), Ok(Peek::Nothing));
    }

    /// Every cut of a valid ClientHello, and every byte changed, is read without a panic.
    #[test]
    fn damaged_hellos_never_panic() {
        let all = records(&hello(&[psk_extension(&[b"id"])]), 2);
        for cut in 0..all.len() {
            let _ = hello_id(&all[..cut]);
        }
        for i in 0..all.len() {
            for value in [0, 1, 0x7f, 0xff] {
                let mut changed = all.clone();
                changed[i] = value;
                let _ = hello_id(&changed);
            }
        }
    }

    #[test]
    fn a_client_key_exchange_names_its_identity() {
        let kx = |body: &[u8]| {
            let mut msg = vec![CLIENT_KEY_EXCHANGE, 0, 0, body.len() as u8];
            msg.extend(body);
            records(&msg, 1)
        };
        let peek = |r: &[u8]| identity(r, Carrier::ClientKeyExchange);
        assert_eq!(peek(&kx(b"\x00\x03abc")), Ok(Peek::Identity(b"abc".to_vec())));
        assert_eq!(peek(&kx(b"\x00\x04abc")), Ok(Peek::Nothing), "cut short");
        assert_eq!(peek(&kx(b"\x00\x02abc")), Ok(Peek::Nothing), "bytes after it");
        assert_eq!(peek(&kx(b"\x00\x00")), Ok(Peek::Nothing), "empty");
        assert_eq!(peek(&kx(b"\x00\x03abc")[..7]), Ok(Peek::More));
        assert_eq!(peek(&records(&hello(&[psk_extension(&[b"id"])]), 1)), Ok(Peek::Nothing), "a ClientHello");
    }
}
