//! The transport embedded-tls reads and writes: ciphertext the shim received, waiting to be
//! read, and ciphertext waiting for the shim to send. Reading an empty pipe reports [`EMPTY`]
//! (the patched embedded-tls resumes from there); writing never blocks.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::RefCell;

use embedded_io::ErrorKind;

/// The most ciphertext taken from the socket at a time. embedded-tls copies it into its record
/// buffer at once, so this is all the extra memory receiving costs.
pub const RECEIVE_CHUNK: usize = 256;

/// What reading an empty pipe reports. embedded-io has no WouldBlock; nothing else here
/// reports Interrupted, so it means exactly that.
pub const EMPTY: ErrorKind = ErrorKind::Interrupted;

#[derive(Default)]
pub struct Pipe {
    incoming: Vec<u8>,
    read: usize,
    outgoing: Vec<u8>,
    sent: usize,
    /// The shim's `recv_space` extended `incoming` by this much, not yet committed.
    reserved: usize,
    /// The peer closed the TCP stream: an empty pipe then reads as the end.
    eof: bool,
}

impl Pipe {
    /// Room for up to [`RECEIVE_CHUNK`] more bytes; `commit` says how many arrived.
    pub fn space(&mut self) -> Result<&mut [u8], crate::result::UsslResult> {
        if self.read == self.incoming.len() {
            self.incoming.clear();
            self.read = 0;
        }
        let start = self.incoming.len() - self.reserved;
        self.incoming.truncate(start);
        crate::fallibly(|| self.incoming.try_reserve(RECEIVE_CHUNK))
            .map_err(|_| crate::result::UsslResult::OutOfMemory)?;
        self.incoming.resize(start + RECEIVE_CHUNK, 0);
        self.reserved = RECEIVE_CHUNK;
        Ok(self.incoming.get_mut(start..).unwrap_or_default())
    }

    pub fn commit(&mut self, n: usize) {
        let start = self.incoming.len() - self.reserved;
        self.incoming.truncate(start + n.min(self.reserved));
        self.reserved = 0;
    }

    /// Whether the first bytes received can begin a TLS record (a handshake or an alert
    /// record, of version 3.x), which an HTTP server or garbage cannot; None until two bytes
    /// are in. Asked before embedded-tls reads a length out of them.
    pub fn first_bytes_are_tls(&self) -> Option<bool> {
        let end = self.incoming.len() - self.reserved;
        match self.incoming.get(self.read..end)? {
            [kind, major, ..] => Some([0x15, 0x16].contains(kind) && *major == 3),
            _ => None,
        }
    }

    pub fn set_eof(&mut self) {
        self.eof = true;
    }

    pub fn buffered(&self) -> usize {
        self.incoming.len() - self.reserved - self.read
    }

    pub fn output(&self) -> &[u8] {
        self.outgoing.get(self.sent..).unwrap_or_default()
    }

    pub fn consume_output(&mut self, n: usize) {
        self.sent = (self.sent + n).min(self.outgoing.len());
        if self.sent == self.outgoing.len() {
            self.outgoing.clear();
            self.sent = 0;
            // Sent: an idle connection keeps no output buffer.
            self.outgoing = Vec::new();
        }
    }

    /// Frees the receive buffer when everything in it has been read.
    pub fn shrink_when_empty(&mut self) {
        if self.buffered() == 0 && self.reserved == 0 {
            self.incoming = Vec::new();
            self.read = 0;
        }
    }
}

/// embedded-tls's end of the pipe. Shared with the connection, which feeds and drains it
/// between engine calls; no borrow is ever held across one, so the `RefCell` never refuses.
pub struct PipeEnd(pub Rc<RefCell<Pipe>>);

impl embedded_io::ErrorType for PipeEnd {
    type Error = ErrorKind;
}

impl embedded_io::Read for PipeEnd {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let mut pipe = self.0.try_borrow_mut().map_err(|_| ErrorKind::Other)?;
        let end = pipe.incoming.len() - pipe.reserved;
        let available = pipe.incoming.get(pipe.read..end).unwrap_or_default();
        if available.is_empty() {
            return if pipe.eof { Ok(0) } else { Err(EMPTY) };
        }
        let n = available.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), available.get(..n)) {
            dst.copy_from_slice(src);
        }
        pipe.read += n;
        Ok(n)
    }
}

impl embedded_io::Write for PipeEnd {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        let mut pipe = self.0.try_borrow_mut().map_err(|_| ErrorKind::Other)?;
        crate::fallibly(|| pipe.outgoing.try_reserve(buf.len())).map_err(|_| ErrorKind::OutOfMemory)?;
        pipe.outgoing.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}
