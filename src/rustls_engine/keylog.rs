//! The NSS key log (the SSLKEYLOGFILE format Wireshark and ssldump read) of a context's
//! connections: one line per secret, `LABEL <client random hex> <secret hex>`, kept until the shim
//! appends it to the script's file. Off unless the script names a file: the lines decrypt the
//! traffic they belong to.

use alloc::vec::Vec;

use crate::sync::SpinLock;

/// Lines not yet taken by the shim.
#[derive(Default)]
pub struct KeyLogLines {
    pending: SpinLock<Vec<u8>>,
}

impl core::fmt::Debug for KeyLogLines {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KeyLogLines")
    }
}

fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
        out.push(DIGITS.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'));
    }
}

impl rustls::KeyLog for KeyLogLines {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let mut pending = self.pending.lock();
        pending.extend_from_slice(label.as_bytes());
        pending.push(b' ');
        push_hex(&mut pending, client_random);
        pending.push(b' ');
        push_hex(&mut pending, secret);
        pending.push(b'\n');
    }
}

impl KeyLogLines {
    /// Moves up to `out.len()` bytes of whole lines into `out`; returns how many (0: none waiting,
    /// or `out` too short for the next line).
    pub fn take(&self, out: &mut [u8]) -> usize {
        let mut pending = self.pending.lock();
        let fits = pending.get(..out.len().min(pending.len())).unwrap_or_default();
        let n = fits.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if let (Some(dst), Some(src)) = (out.get_mut(..n), pending.get(..n)) {
            dst.copy_from_slice(src);
        }
        pending.drain(..n);
        if pending.is_empty() {
            *pending = Vec::new();
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::KeyLog;

    #[test]
    fn lines_are_nss_format_and_taken_whole() {
        let log = KeyLogLines::default();
        log.log("CLIENT_RANDOM", &[0xab; 32], &[0x01; 48]);
        log.log("EXPORTER_SECRET", &[0xcd; 32], &[0x02; 32]);
        let first = alloc::format!("CLIENT_RANDOM {} {}\n", "ab".repeat(32), "01".repeat(48));
        let mut small = [0u8; 10];
        assert_eq!(log.take(&mut small), 0, "a line that does not fit stays");
        let mut buf = [0u8; 200];
        let n = log.take(&mut buf);
        assert_eq!(&buf[..n], first.as_bytes());
        let n = log.take(&mut buf);
        assert!(buf[..n].starts_with(b"EXPORTER_SECRET cdcd"));
        assert_eq!(log.take(&mut buf), 0);
    }
}
