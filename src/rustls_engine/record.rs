//! Framing of incoming TLS records, so the socket is read by need: the 5-byte header first,
//! then exactly the body it announces. The engine never asks for bytes beyond the current
//! record, which keeps an idle connection's buffer empty and lets poll() on the socket tell
//! the truth about pending ciphertext.

use alloc::vec::Vec;

use crate::result::UsslResult;

pub const HEADER_LEN: usize = 5;
/// TLS 1.2 allows a ciphertext of 2^14 + 2048 bytes (RFC 5246 section 6.2.3).
pub const MAX_RECORD_BODY: usize = 16384 + 2048;

#[derive(Default)]
pub struct Incoming {
    /// Ciphertext not yet discarded by rustls: complete records, then the one being received.
    buf: Vec<u8>,
    /// Bytes of the current record received so far (header included).
    current: usize,
    /// Bytes still missing from the current record's body; meaningless until the header is in.
    body_remaining: usize,
    /// Bytes at the end of `buf` handed out by `space` and not yet committed.
    reserved: usize,
    /// A header we would not read the body of (not TLS, or too long): it is handed to rustls
    /// as it is, so that rustls fails the connection with the alert it sends for that, and
    /// nothing more is read.
    refused: Option<UsslResult>,
}

impl Incoming {
    /// How many bytes the engine wants from the socket next.
    pub fn want(&self) -> usize {
        if self.refused.is_some() {
            0
        } else if self.current < HEADER_LEN {
            HEADER_LEN - self.current
        } else {
            self.body_remaining
        }
    }

    /// Room at the end of the buffer for the next `want()` bytes.
    /// Asking again before `commit` returns the same room.
    pub fn space(&mut self) -> Result<&mut [u8], UsslResult> {
        if self.reserved == 0 {
            let want = self.want();
            crate::fallibly(|| self.buf.try_reserve_exact(want)).map_err(|_| UsslResult::OutOfMemory)?;
            self.buf.resize(self.buf.len() + want, 0);
            self.reserved = want;
        }
        let start = self.buf.len() - self.reserved;
        self.buf.get_mut(start..).ok_or(UsslResult::Internal)
    }

    /// Keeps `n` bytes of the space just handed out and drops the rest. Returns true when a
    /// record became complete.
    pub fn commit(&mut self, n: usize) -> Result<bool, UsslResult> {
        let n = n.min(self.reserved);
        let end = self.buf.len() - self.reserved + n;
        self.buf.truncate(end);
        self.reserved = 0;
        if self.current < HEADER_LEN {
            self.current += n;
            if self.current < HEADER_LEN {
                return Ok(false);
            }
            let header_start = self.buf.len() - HEADER_LEN;
            match check_header(self.buf.get(header_start..).unwrap_or_default()) {
                Ok(len) => self.body_remaining = len,
                Err(code) => {
                    self.refused = Some(code);
                    self.current = 0;
                    return Ok(true);
                }
            }
        } else {
            self.current += n;
            self.body_remaining -= n;
        }
        if self.body_remaining == 0 {
            self.current = 0;
            return Ok(true);
        }
        Ok(false)
    }

    /// The complete records, for rustls; the partial record at the end is left out.
    pub fn records_mut(&mut self) -> &mut [u8] {
        let end = self.buf.len() - self.reserved - self.current;
        self.buf.get_mut(..end).unwrap_or_default()
    }

    /// Drops bytes rustls has finished with from the front.
    pub fn discard(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        if n == self.buf.len() {
            self.buf.clear();
        } else if n > 0 {
            self.buf.drain(..n);
        }
    }

    /// Gives memory back once nothing is buffered, so an idle connection holds no record buffer.
    pub fn shrink_when_empty(&mut self) {
        if self.buf.is_empty() && self.buf.capacity() > 0 {
            self.buf = Vec::new();
        }
    }

    /// Why the last header was refused, if it was.
    pub fn refused(&self) -> Option<UsslResult> {
        self.refused
    }

    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
}

/// Validates a record header and returns the body length it announces.
fn check_header(h: &[u8]) -> Result<usize, UsslResult> {
    let &[content_type, major, _minor, len_hi, len_lo] = h else { return Err(UsslResult::Internal) };
    // change_cipher_spec, alert, handshake, application_data, heartbeat
    if !(20..=24).contains(&content_type) || major != 3 {
        return Err(UsslResult::PeerNotTls);
    }
    let len = usize::from(u16::from_be_bytes([len_hi, len_lo]));
    if len > MAX_RECORD_BODY {
        return Err(UsslResult::RecordOverflow);
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(inc: &mut Incoming, bytes: &[u8]) -> Result<bool, UsslResult> {
        let mut done = false;
        let mut rest = bytes;
        while !rest.is_empty() && inc.want() > 0 {
            let space = inc.space()?;
            let n = space.len().min(rest.len());
            space[..n].copy_from_slice(&rest[..n]);
            done = inc.commit(n)?;
            rest = &rest[n..];
        }
        Ok(done)
    }

    #[test]
    fn reads_header_then_exact_body() -> Result<(), UsslResult> {
        let mut inc = Incoming::default();
        assert_eq!(inc.want(), 5);
        assert!(!feed(&mut inc, &[22, 3, 3, 0, 4])?);
        assert_eq!(inc.want(), 4);
        assert!(feed(&mut inc, &[1, 2, 3, 4])?);
        assert_eq!(inc.records_mut().len(), 9);
        assert_eq!(inc.want(), 5);
        Ok(())
    }

    #[test]
    fn partial_reads_keep_the_partial_record_hidden() -> Result<(), UsslResult> {
        let mut inc = Incoming::default();
        feed(&mut inc, &[23, 3, 3, 0, 2, 9, 9])?;
        feed(&mut inc, &[23, 3])?;
        assert_eq!(inc.records_mut().len(), 7);
        assert_eq!(inc.want(), 3);
        Ok(())
    }

    #[test]
    fn refuses_plain_http_and_oversized_records_and_reads_no_further() -> Result<(), UsslResult> {
        // The header is handed over as it is (rustls refuses it with its alert) and nothing
        // more is asked for.
        let mut inc = Incoming::default();
        assert!(feed(&mut inc, b"HTTP/")?);
        assert_eq!((inc.refused(), inc.want(), inc.records_mut().len()), (Some(UsslResult::PeerNotTls), 0, 5));
        let mut inc = Incoming::default();
        assert!(feed(&mut inc, &[23, 3, 3, 0xff, 0xff])?);
        assert_eq!((inc.refused(), inc.want()), (Some(UsslResult::RecordOverflow), 0));
        Ok(())
    }

    #[test]
    fn short_commit_keeps_wanting_the_rest() -> Result<(), UsslResult> {
        let mut inc = Incoming::default();
        let space = inc.space()?;
        space[..2].copy_from_slice(&[22, 3]);
        assert!(!inc.commit(2)?);
        assert_eq!(inc.want(), 3);
        assert_eq!(inc.buffered(), 2);
        Ok(())
    }
}
