//! A lean-engine client connection: embedded-tls's `TlsConnection` over a [`Pipe`], driven
//! by the shim's calls. The handshake advances whenever ciphertext arrives; application data
//! is decrypted a record at a time, in place in embedded-tls's record buffer.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;

use embedded_tls::blocking::{Aes128GcmSha256, CryptoProvider, TlsConfig, TlsConnection, TlsContext, TlsError};
use rustls_pki_types::ServerName;
use zeroize::Zeroizing;

use super::context::Context;
use super::errors::from_tls;
use super::pipe::{Pipe, PipeEnd};
use super::session::Session;
use super::verifier::Verifier;
use crate::callback_hold::CallbackHold;
use crate::engine::{EngineConnection, EngineContext};
use crate::port::PortRng;
use crate::psk::Psk;
use crate::result::UsslResult;
use crate::sticky::StickyError;

/// The largest TLS 1.3 record (2^14 + 256, RFC 8446 section 5.2): embedded-tls needs a whole
/// record in its buffer to decrypt it.
const READ_BUFFER: usize = 16_640;
/// Records we send carry up to this much, header and tag included: a client's requests are
/// small, and every byte here is heap for the connection's whole life. It must hold the
/// ClientHello, which is about 220 bytes plus the server name and the ALPN names.
const WRITE_BUFFER_MIN: usize = 512;

fn write_buffer_len(sni: Option<&str>, alpn: &[Vec<u8>], psk_identity: usize) -> usize {
    // A PSK adds its identity, a SHA-256 binder and the extension's lengths and ticket age.
    let psk = if psk_identity > 0 { psk_identity + 64 } else { 0 };
    let names = sni.map_or(0, str::len) + alpn.iter().map(|p| p.len() + 1).sum::<usize>() + psk;
    (256 + names).max(WRITE_BUFFER_MIN)
}

type Tls = TlsConnection<'static, PipeEnd, Aes128GcmSha256>;

/// What embedded-tls asks of us during the handshake: randomness and the verifier.
struct Provider {
    rng: PortRng,
    verifier: Verifier,
}

impl CryptoProvider for Provider {
    type CipherSuite = Aes128GcmSha256;
    type Signature = p256::ecdsa::DerSignature;

    fn rng(&mut self) -> impl embedded_tls::CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl embedded_tls::blocking::TlsVerifier<Self::CipherSuite>, TlsError> {
        Ok(&mut self.verifier)
    }
}

pub struct Connection {
    /// Borrows `buffers` (hence 'static and dropped by hand first, in `Drop`).
    tls: ManuallyDrop<Tls>,
    /// The read and the write record buffer, one allocation.
    buffers: NonNull<[u8]>,
    pipe: Rc<RefCell<Pipe>>,
    provider: Provider,
    /// The SNI to send: a DNS name only (an IP address is checked but not sent, RFC 6066).
    sni: Option<String>,
    alpn: Vec<Vec<u8>>,
    /// The PSK offered (identity, key), when the context has one.
    psk: Option<(Vec<u8>, Zeroizing<Vec<u8>>)>,
    handshaking: bool,
    /// Plaintext decrypted and not yet read (it sits in the record buffer).
    plaintext: usize,
    peer_closed: bool,
    eof: bool,
    close_sent: bool,
    /// A script's verify_callback (`crate::callback_hold`).
    callback: CallbackHold,
    /// The server's first two bytes looked like TLS.
    first_bytes_checked: bool,
    error: StickyError,
}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: `tls` is dropped exactly once, here, and not used after.
        unsafe { ManuallyDrop::drop(&mut self.tls) };
        // SAFETY: `buffers` came from `Box::into_raw` in `client`, and the only borrow of it
        // (inside `tls`) has just ended.
        drop(unsafe { Box::from_raw(self.buffers.as_ptr()) });
    }
}

impl EngineConnection for Connection {
    type Context = Context;
    type Session = Session;

    /// A client connection; `hostname` is checked against the certificate when given, and sent
    /// as SNI when it is a DNS name. A saved session cannot exist in this engine.
    fn client(ctx: &mut Context, hostname: Option<&str>, session: Option<&mut Session>) -> Result<Self, UsslResult> {
        if ctx.is_server() {
            return Err(UsslResult::ServerNotBuilt);
        }
        if session.is_some() {
            return Err(UsslResult::SessionsNotBuilt);
        }
        ctx.check_client_name(hostname)?;
        // A PSK client checks no certificate: embedded-tls (patched) fails a handshake whose
        // ServerHello does not select the PSK, and refuses certificates in one that does.
        let psk = match &ctx.settings().psk {
            Psk::Client { identity, key } => Some((identity.clone(), key.clone())),
            _ => None,
        };
        let anchors = if psk.is_some() { None } else { ctx.settings().anchors_to_verify()?.cloned() };
        let name = match hostname {
            Some(h) => Some(ServerName::try_from(h).map_err(|_| UsslResult::InvalidHostname)?.to_owned()),
            None => None,
        };
        let sni = match &name {
            Some(ServerName::DnsName(dns)) => Some(String::from(dns.as_ref())),
            _ => None,
        };
        let watch = crate::HeapWatch::start();
        let alpn = ctx.settings().alpn.to_vec();
        let write_len = write_buffer_len(sni.as_deref(), &alpn, psk.as_ref().map_or(0, |(id, _)| id.len()));
        // 17 KB at once: refused by a full heap as MemoryError, not as an abort.
        let mut record_buffers = Vec::new();
        crate::fallibly(|| record_buffers.try_reserve_exact(READ_BUFFER + write_len))
            .map_err(|_| UsslResult::OutOfMemory)?;
        record_buffers.resize(READ_BUFFER + write_len, 0u8);
        let raw = Box::into_raw(record_buffers.into_boxed_slice());
        // SAFETY: `raw` is a fresh, live allocation owned by this connection until `Drop`,
        // which ends the two borrows below (inside `tls`) before freeing it.
        let (read_buf, write_buf) = unsafe { &mut *raw }.split_at_mut(READ_BUFFER);
        let buffers = NonNull::new(raw).ok_or(UsslResult::OutOfMemory)?;
        let pipe = Rc::new(RefCell::new(Pipe::default()));
        let tls = TlsConnection::new(PipeEnd(pipe.clone()), read_buf, write_buf);
        let mut this = Self {
            tls: ManuallyDrop::new(tls),
            buffers,
            pipe,
            provider: Provider { rng: PortRng::default(), verifier: Verifier::new(anchors, name) },
            sni,
            alpn,
            psk,
            handshaking: true,
            plaintext: 0,
            peer_closed: false,
            eof: false,
            close_sent: false,
            callback: CallbackHold::Off,
            first_bytes_checked: false,
            error: StickyError::default(),
        };
        // The ClientHello, waiting in the output.
        this.advance();
        if watch.ran_dry() {
            return Err(UsslResult::OutOfMemory);
        }
        match this.error() {
            Some(code) => Err(code),
            None => Ok(this),
        }
    }

    fn server(_ctx: &mut Context) -> Result<Self, UsslResult> {
        Err(UsslResult::ServerNotBuilt)
    }

    fn take_key_log(&self, _out: &mut [u8]) -> usize {
        0
    }

    /// Holds the handshake for a verify_callback once the server's certificate is verified.
    fn hold_for_verify_callback(&mut self) {
        self.callback.arm();
    }

    /// True when the server's certificate waits for the verify_callback's verdict.
    fn verify_callback_pending(&self) -> bool {
        self.callback.pending(self.error.is_set(), self.provider.verifier.leaf().is_some())
    }

    /// Accepted, the handshake goes on; refused, what was held for the server (our Finished)
    /// is dropped and the connection fails.
    fn verify_callback_verdict(&mut self, accepted: bool) -> Result<(), UsslResult> {
        self.check()?;
        if self.callback.verdict(self.verify_callback_pending(), accepted)? {
            return Ok(());
        }
        if let Ok(mut pipe) = self.pipe.try_borrow_mut() {
            let held = pipe.output().len();
            pipe.consume_output(held);
        }
        self.plaintext = 0;
        Err(self.fail_with(UsslResult::VerifyCallbackRefused, None))
    }

    fn save_session(&self) -> Result<Session, UsslResult> {
        Err(UsslResult::SessionsNotBuilt)
    }

    /// embedded-tls does not report the protocol the server chose.
    fn alpn_protocol(&self) -> Option<&[u8]> {
        None
    }

    fn session_reused(&self) -> bool {
        false
    }

    fn is_server(&self) -> bool {
        false
    }

    /// Nothing is copied after the handshake: the lean engine keeps no tickets.
    fn ticket_copy_bytes(&self) -> usize {
        0
    }

    /// Nothing is copied of a record either: embedded-tls decrypts and encrypts in its own
    /// record buffers.
    fn receive_copy_bytes(&self) -> usize {
        0
    }

    fn write_copy_bytes(_len: usize) -> usize {
        0
    }

    fn sticky(&self) -> &StickyError {
        &self.error
    }

    fn sticky_mut(&mut self) -> &mut StickyError {
        &mut self.error
    }

    fn is_handshaking(&self) -> bool {
        self.handshaking || self.verify_callback_pending()
    }

    fn recv_want(&self) -> usize {
        if self.error.is_set() || self.peer_closed || self.eof {
            0
        } else {
            super::pipe::RECEIVE_CHUNK
        }
    }

    fn recv_space(&mut self) -> Result<&mut [u8], UsslResult> {
        self.check()?;
        // SAFETY: the Rc is ours and live; no RefCell borrow is held outside engine calls, and
        // the slice borrows `self`, so no engine call (the only other user) runs while it lives.
        let pipe = unsafe { &mut *self.pipe.as_ptr() };
        pipe.space()
    }

    fn recv_commit(&mut self, n: usize) -> Result<(), UsslResult> {
        self.recv_commit_into(n, &mut []).map(|_| ())
    }

    /// As `recv_commit`, then reads decrypted data into `out` (as much as fits).
    fn recv_commit_into(&mut self, n: usize, out: &mut [u8]) -> Result<usize, UsslResult> {
        self.check()?;
        if let Ok(mut pipe) = self.pipe.try_borrow_mut() {
            pipe.commit(n);
        }
        if n == 0 {
            return Ok(0);
        }
        self.advance();
        self.check()?;
        Ok(self.read(out))
    }

    fn recv_eof(&mut self) -> Result<(), UsslResult> {
        self.check()?;
        self.eof = true;
        if let Ok(mut pipe) = self.pipe.try_borrow_mut() {
            pipe.set_eof();
        }
        if self.handshaking {
            return Err(self.fail_with(UsslResult::ClosedDuringHandshake, None));
        }
        self.advance();
        self.check()
    }

    fn at_eof(&self) -> bool {
        (self.peer_closed || self.eof) && self.plaintext == 0
    }

    fn pending_output(&self) -> &[u8] {
        if self.verify_callback_pending() {
            return &[];
        }
        // SAFETY: as in `recv_space`: no RefCell borrow is held outside engine calls, and the
        // slice borrows `self`, so nothing writes the pipe while it lives.
        let pipe = unsafe { &*self.pipe.as_ptr() };
        pipe.output()
    }

    fn consume_output(&mut self, n: usize) {
        if let Ok(mut pipe) = self.pipe.try_borrow_mut() {
            pipe.consume_output(n);
        }
    }

    fn plaintext_pending(&self) -> usize {
        if self.verify_callback_pending() {
            return 0;
        }
        self.plaintext
    }

    fn read(&mut self, out: &mut [u8]) -> usize {
        if self.plaintext_pending() == 0 || out.is_empty() {
            return 0;
        }
        let n = match self.tls.read_buffered() {
            Ok(mut buffer) => buffer.pop_into(out),
            Err(_) => 0,
        };
        self.plaintext = self.plaintext.saturating_sub(n);
        if self.plaintext == 0 {
            // The next record may be in already.
            self.advance();
        }
        n
    }

    /// Encrypts up to [`MAX_WRITE_CHUNK`] bytes of `data` into the output; returns how many.
    fn write(&mut self, data: &[u8]) -> Result<usize, UsslResult> {
        self.check()?;
        if self.is_handshaking() {
            return Err(UsslResult::HandshakeNotComplete);
        }
        // embedded-tls writes nothing once the server's close_notify came (no half-close).
        if self.close_sent || self.peer_closed {
            return Err(UsslResult::ConnectionClosed);
        }
        let (result, ran_dry) =
            crate::heap_ran_dry_during(|| self.tls.write(data).and_then(|n| self.tls.flush().map(|()| n)));
        if ran_dry {
            return Err(self.fail_with(UsslResult::OutOfMemory, None));
        }
        result.map_err(|e| {
            let (code, detail) = from_tls(&e, None);
            self.fail_with(code, detail)
        })
    }

    fn close(&mut self) -> Result<(), UsslResult> {
        if self.close_sent || self.error.is_set() || self.is_handshaking() {
            return Ok(());
        }
        self.close_sent = true;
        self.tls.close_internal().map_err(|e| {
            let (code, detail) = from_tls(&e, None);
            self.fail_with(code, detail)
        })
    }

    /// The server's certificates: the leaf only (the intermediates are not kept).
    fn peer_cert_count(&self) -> usize {
        usize::from(self.provider.verifier.leaf().is_some())
    }

    fn peer_cert(&self, index: usize) -> Option<&[u8]> {
        if index == 0 {
            self.provider.verifier.leaf()
        } else {
            None
        }
    }

    fn protocol_version(&self) -> Option<&'static str> {
        (!self.handshaking).then_some("TLSv1.3")
    }

    fn cipher(&self) -> Option<(&'static str, u32)> {
        (!self.handshaking).then_some((super::context::SUITE_NAME, 128))
    }

    /// embedded-tls offers P-256 alone.
    fn group(&self) -> Option<&'static str> {
        (!self.handshaking).then(|| crate::groups::name_of(crate::groups::SECP256R1)).flatten()
    }
}

impl Connection {
    fn fail_with(&mut self, code: UsslResult, detail: Option<String>) -> UsslResult {
        self.error.fail(code, detail)
    }

    fn check(&self) -> Result<(), UsslResult> {
        self.error.check()
    }

    /// Runs the handshake on what has arrived, or decrypts the next record of application data
    /// when none is waiting to be read; stops when the pipe runs dry.
    fn advance(&mut self) {
        if self.error.is_set() {
            return;
        }
        let (result, ran_dry) =
            crate::heap_ran_dry_during(|| if self.handshaking { self.handshake_step() } else { self.decrypt_step() });
        if self.provider.rng.failed() {
            self.fail_with(UsslResult::RandomFailed, None);
            // What the step wrote was made with bytes that are not random: none of it goes out.
            if let Ok(mut pipe) = self.pipe.try_borrow_mut() {
                let n = pipe.output().len();
                pipe.consume_output(n);
            }
        } else if ran_dry {
            self.fail_with(UsslResult::OutOfMemory, None);
        } else if let Err(err) = result {
            let (code, detail) = from_tls(&err, self.provider.verifier.failure());
            self.fail_with(code, detail);
        }
        if let Ok(mut pipe) = self.pipe.try_borrow_mut() {
            pipe.shrink_when_empty();
        }
    }

    fn handshake_step(&mut self) -> Result<(), TlsError> {
        // Before embedded-tls reads anything of the server's (and after it wrote the
        // ClientHello, which comes first).
        let buffered = self.pipe.try_borrow().map_or(0, |pipe| pipe.buffered());
        if !self.first_bytes_checked && buffered > 0 {
            match self.pipe.try_borrow().map(|pipe| pipe.first_bytes_are_tls()) {
                Ok(Some(true)) => self.first_bytes_checked = true,
                Ok(Some(false)) => {
                    self.fail_with(UsslResult::PeerNotTls, None);
                    return Ok(());
                }
                // One byte so far: wait for the second.
                _ => return Ok(()),
            }
        }
        let alpn: Vec<&[u8]> = self.alpn.iter().map(Vec::as_slice).collect();
        let mut config = TlsConfig::new().enable_rsa_signatures();
        if let Some(sni) = &self.sni {
            config = config.with_server_name(sni);
        }
        if !alpn.is_empty() {
            config = config.with_alpn(&alpn);
        }
        let identities: [&[u8]; 1];
        if let Some((identity, key)) = &self.psk {
            identities = [identity.as_slice()];
            config = config.with_psk(key, &identities);
        }
        let opened = self.tls.open(TlsContext::new(&config, &mut self.provider));
        drop(config);
        match opened {
            Ok(()) => {
                self.handshaking = false;
                // Application data may have come with the server's last flight.
                self.decrypt_step()
            }
            Err(TlsError::Io(super::pipe::EMPTY)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn decrypt_step(&mut self) -> Result<(), TlsError> {
        while self.plaintext == 0 && !self.peer_closed {
            let eof = self.eof;
            match self.tls.read_buffered() {
                Ok(buffer) => {
                    self.plaintext = buffer.len();
                    // Not consumed: `read` takes it.
                    buffer.revert();
                }
                Err(TlsError::Io(super::pipe::EMPTY)) => return Ok(()),
                Err(TlsError::ConnectionClosed) => self.peer_closed = true,
                // The end of the stream between records: the peer closed without close_notify.
                Err(TlsError::IoError) if eof => self.peer_closed = true,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
