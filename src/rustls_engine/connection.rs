//! One TLS connection, sans-I/O: the shim moves ciphertext between the socket and
//! [`Connection::recv_space`]/[`Connection::recv_commit`] and [`Connection::pending_output`]/
//! [`Connection::consume_output`]; plaintext goes through [`Connection::read`] and
//! [`Connection::write`]. Errors are sticky: once failed, every call reports the same failure.

use alloc::string::String;
use alloc::sync::Arc;

use rustls::client::UnbufferedClientConnection;
use rustls::pki_types::{CertificateDer, ServerName};
#[cfg(feature = "server")]
use rustls::server::UnbufferedServerConnection;
use rustls::{CommonState, ProtocolVersion};

use super::context::Context;
use super::errors as rustls_errors;
use super::keylog::KeyLogLines;
#[cfg(feature = "server")]
use super::psk_server::{KeySlot, ServerLookup};
use super::record::Incoming;
use super::session::Session;
use super::step::{alert_step, copy_prefix, release_if_large, step, Action, Buffers, Next, Sink};
use super::store::ClientSetup;
use crate::callback_hold::CallbackHold;
use crate::engine::{EngineConnection, EngineContext};
use crate::result::UsslResult;
use crate::sticky::StickyError;

/// The largest plaintext we encrypt per call: one full record, so the outgoing buffer stays
/// near 16 KB however much a script writes at once.
/// A ChangeCipherSpec record, as TLS 1.3 sends it (RFC 8446, D.4).
const LONE_CHANGE_CIPHER_SPEC: &[u8] = &[0x14, 0x03, 0x03, 0x00, 0x01, 0x01];

pub const MAX_WRITE_CHUNK: usize = 16384;

enum Tls {
    Client(UnbufferedClientConnection),
    #[cfg(feature = "server")]
    Server(UnbufferedServerConnection),
}

pub struct Connection {
    tls: Tls,
    incoming: Incoming,
    bufs: Buffers,
    error: StickyError,
    close_sent: bool,
    eof: bool,
    /// The client's config, session store and server name, for `save_session`.
    client: Option<(ClientSetup, ServerName<'static>)>,
    callback_hold: CallbackHold,
    /// The context's key log, when it keeps one.
    key_log: Option<Arc<KeyLogLines>>,
    /// A PSK server's key lookup.
    #[cfg(feature = "server")]
    psk: Option<ServerLookup>,
}

impl EngineConnection for Connection {
    type Context = Context;
    type Session = Session;

    /// A client connection; `hostname` is checked against the certificate when given, and sent
    /// as SNI when it is a DNS name.
    ///
    /// A saved `session` is offered when it was made for the same server name under the same
    /// settings; otherwise it is ignored and a full handshake runs.
    fn client(ctx: &mut Context, hostname: Option<&str>, session: Option<&mut Session>) -> Result<Self, UsslResult> {
        ctx.check_client_name(hostname)?;
        // Building the config may run the heap dry outside any step: the connection is then
        // not handed out (dropping it returns what the reserve lent), and the configs, which
        // may hold reserve memory too, are built again next time.
        let watch = crate::HeapWatch::start();
        let mut setup = ctx.client_setup(hostname.is_some())?;
        let name = match hostname {
            Some(h) => ServerName::try_from(h).map_err(|_| UsslResult::InvalidHostname)?.to_owned(),
            // No name to check or send: rustls needs one, and an IP address sends no SNI.
            None => {
                ServerName::IpAddress(rustls::pki_types::IpAddr::V4(rustls::pki_types::Ipv4Addr::from([0, 0, 0, 0])))
            }
        };
        if let Some(own) = session.and_then(|s| s.offer(&setup, &name)) {
            setup = own;
        }
        let conn = UnbufferedClientConnection::new(setup.config.clone(), name.clone())
            .map_err(|e| rustls_errors::from_rustls(&e))?;
        let mut this = Self::new(Tls::Client(conn));
        // The config in use logs where its own context's key log is (a resumed session's may
        // be another context's).
        this.key_log = setup.key_log.clone();
        this.client = Some((setup, name));
        // Encode the ClientHello now, so it is waiting in the output buffer.
        this.drive(Action::Nothing)?;
        if watch.ran_dry() {
            ctx.drop_configs();
            return Err(UsslResult::OutOfMemory);
        }
        Ok(this)
    }

    /// A server connection for an accepted socket: it waits for the ClientHello.
    #[cfg(feature = "server")]
    fn server(ctx: &mut Context) -> Result<Self, UsslResult> {
        let watch = crate::HeapWatch::start();
        let mut config = ctx.server_config()?;
        let mut psk = None;
        if ctx.settings().psk.is_on() {
            let slot = Arc::new(KeySlot::default());
            let mut own = (*config).clone();
            own.external_psk_keys = Some(slot.clone());
            config = Arc::new(own);
            psk = Some(ServerLookup::new(slot));
        }
        let conn = UnbufferedServerConnection::new(config).map_err(|e| rustls_errors::from_rustls(&e))?;
        let mut this = Self::new(Tls::Server(conn));
        this.psk = psk;
        this.key_log = ctx.key_log();
        if watch.ran_dry() {
            // The config may hold reserve memory too: the context builds it again next time.
            ctx.drop_configs();
            return Err(UsslResult::OutOfMemory);
        }
        Ok(this)
    }

    #[cfg(not(feature = "server"))]
    fn server(_ctx: &mut Context) -> Result<Self, UsslResult> {
        Err(UsslResult::ServerNotBuilt)
    }

    /// Moves whole key log lines of this connection's context into `out` (0 when none wait, or
    /// the context keeps no key log).
    fn take_key_log(&self, out: &mut [u8]) -> usize {
        self.key_log.as_ref().map_or(0, |log| log.take(out))
    }

    fn psk_identity(&self) -> Option<&[u8]> {
        self.held_psk_identity()
    }

    fn psk_answer(&mut self, key: Option<&[u8]>, raised: bool) -> Result<(), UsslResult> {
        self.answer_psk(key, raised)
    }

    /// Holds the handshake for a verify_callback once the peer's certificates are verified.
    fn hold_for_verify_callback(&mut self) {
        self.callback_hold.arm();
    }

    /// True when the peer's certificates wait for the verify_callback's verdict.
    fn verify_callback_pending(&self) -> bool {
        self.callback_hold.pending(self.error.is_set(), !self.peer_certificates().is_empty())
    }

    /// The verify_callback's verdict: accepted, the handshake goes on; refused, whatever was
    /// held for the peer (our Finished, a ticket) is dropped and the connection fails.
    fn verify_callback_verdict(&mut self, accepted: bool) -> Result<(), UsslResult> {
        self.check()?;
        if self.callback_hold.verdict(self.verify_callback_pending(), accepted)? {
            return Ok(());
        }
        self.bufs.outgoing.clear();
        self.bufs.sent = 0;
        self.bufs.plaintext.clear();
        self.bufs.read = 0;
        Err(self.fail(UsslResult::VerifyCallbackRefused, None))
    }

    /// The freshest session this client may resume later. TLS 1.3 tickets arrive after the
    /// handshake, so read (or let `save_session` take in waiting records) first.
    fn save_session(&self) -> Result<Session, UsslResult> {
        self.check()?;
        let Some((setup, name)) = &self.client else {
            return Err(UsslResult::InvalidArgument);
        };
        if self.is_handshaking() {
            return Err(UsslResult::HandshakeNotComplete);
        }
        let value = setup.store.take_latest(name).ok_or(UsslResult::NoSession)?;
        Ok(Session::saved(setup.clone(), name.clone(), value))
    }

    /// The ALPN protocol the handshake agreed on, if any.
    fn alpn_protocol(&self) -> Option<&[u8]> {
        self.common().alpn_protocol()
    }

    /// True when this handshake resumed an earlier session.
    fn session_reused(&self) -> bool {
        self.common().handshake_kind() == Some(rustls::HandshakeKind::Resumed)
    }

    fn is_server(&self) -> bool {
        #[cfg(feature = "server")]
        return matches!(self.tls, Tls::Server(_));
        #[cfg(not(feature = "server"))]
        false
    }

    fn sticky(&self) -> &StickyError {
        &self.error
    }

    fn sticky_mut(&mut self) -> &mut StickyError {
        &mut self.error
    }

    fn is_handshaking(&self) -> bool {
        self.common().is_handshaking() || self.verify_callback_pending()
    }

    /// How many ciphertext bytes the engine wants from the socket next (0 once the peer closed).
    fn recv_want(&self) -> usize {
        if self.error.is_set() || self.bufs.peer_closed || self.eof || self.held_psk_identity().is_some() {
            0
        } else {
            self.incoming.want()
        }
    }

    /// Room for the next `recv_want()` bytes of ciphertext.
    fn recv_space(&mut self) -> Result<&mut [u8], UsslResult> {
        self.check()?;
        let (made, ran_dry) = crate::heap_ran_dry_during(|| self.incoming.space().map(|_| ()));
        if let Err(code) = made {
            return Err(self.fail(code, None));
        }
        if ran_dry {
            return Err(self.fail(UsslResult::OutOfMemory, None));
        }
        self.incoming.space()
    }

    /// Takes `n` bytes written into the space from `recv_space`, and processes the record if it
    /// is now complete.
    fn recv_commit(&mut self, n: usize) -> Result<(), UsslResult> {
        self.check()?;
        self.recv_commit_into(n, &mut []).map(|_| ())
    }

    /// As `recv_commit`, but application data decrypted now goes straight into `out` (as much
    /// as fits, and only when no older plaintext waits); returns how many bytes went there.
    fn recv_commit_into(&mut self, n: usize, out: &mut [u8]) -> Result<usize, UsslResult> {
        self.check()?;
        match self.incoming.commit(n) {
            Ok(true) => {
                let mut sink = Sink { out, filled: 0 };
                if let Some(code) = self.incoming.refused() {
                    // A header we would not read on: rustls refuses it too and queues its alert,
                    // which goes out; the error reported is ours, which says more ("not TLS").
                    let _ = self.drive_with(Action::Nothing, &mut sink);
                    self.error.replace(code);
                    return Err(code);
                }
                if !self.psk_let_through()? {
                    return Ok(0);
                }
                self.drive_with(Action::Nothing, &mut sink)?;
                // The record is consumed: an idle connection keeps no record buffer.
                self.incoming.shrink_when_empty();
                Ok(sink.filled)
            }
            Ok(false) => Ok(0),
            Err(code) => Err(self.fail(code, None)),
        }
    }

    /// The peer closed the TCP connection. An error during the handshake; afterwards the end of
    /// the stream, with or without close_notify (like CPython's default suppress_ragged_eofs).
    fn recv_eof(&mut self) -> Result<(), UsslResult> {
        self.check()?;
        self.eof = true;
        if self.is_handshaking() {
            return Err(self.fail(UsslResult::ClosedDuringHandshake, None));
        }
        Ok(())
    }

    /// True once no more plaintext will come: close_notify or the end of the TCP stream.
    fn at_eof(&self) -> bool {
        (self.bufs.peer_closed || self.eof) && self.plaintext_pending() == 0
    }

    /// The ciphertext to send now. A TLS 1.3 client's ChangeCipherSpec (sent for middleboxes
    /// when the ServerHello arrives) waits for the rest of its flight (Certificate..Finished,
    /// after the server's flight is in), so that the flight leaves in one write: nobody waits
    /// for a lone ChangeCipherSpec.
    fn pending_output(&self) -> &[u8] {
        if self.verify_callback_pending() {
            return &[];
        }
        let pending = self.bufs.outgoing.get(self.bufs.sent..).unwrap_or_default();
        if pending == LONE_CHANGE_CIPHER_SPEC && self.is_handshaking() && !self.error.is_set() {
            return &[];
        }
        pending
    }

    fn consume_output(&mut self, n: usize) {
        self.bufs.sent = (self.bufs.sent + n).min(self.bufs.outgoing.len());
        if self.bufs.sent == self.bufs.outgoing.len() {
            self.bufs.outgoing.clear();
            self.bufs.sent = 0;
            if !self.bufs.bulk_write {
                release_if_large(&mut self.bufs.outgoing);
            }
        }
    }

    fn plaintext_pending(&self) -> usize {
        if self.verify_callback_pending() {
            return 0;
        }
        self.bufs.plaintext.len() - self.bufs.read
    }

    /// Copies buffered plaintext out; 0 when there is none (ask the socket for more).
    fn read(&mut self, out: &mut [u8]) -> usize {
        if self.verify_callback_pending() {
            return 0;
        }
        let avail = self.bufs.plaintext.get(self.bufs.read..).unwrap_or_default();
        let n = copy_prefix(out, avail);
        self.bufs.read += n;
        if self.bufs.read == self.bufs.plaintext.len() {
            self.bufs.plaintext.clear();
            self.bufs.read = 0;
            release_if_large(&mut self.bufs.plaintext);
            // Reading: whatever transfer kept the outgoing buffer is over.
            if self.bufs.outgoing.is_empty() {
                self.bufs.bulk_write = false;
                release_if_large(&mut self.bufs.outgoing);
            }
            self.incoming.shrink_when_empty();
        }
        n
    }

    /// Encrypts up to [`MAX_WRITE_CHUNK`] bytes of `data` into the output; returns how many.
    fn write(&mut self, data: &[u8]) -> Result<usize, UsslResult> {
        self.check()?;
        if self.is_handshaking() {
            return Err(UsslResult::HandshakeNotComplete);
        }
        if self.close_sent {
            return Err(UsslResult::ConnectionClosed);
        }
        let chunk = data.get(..MAX_WRITE_CHUNK).unwrap_or(data);
        self.bufs.bulk_write = chunk.len() == MAX_WRITE_CHUNK;
        self.bufs.encrypted = 0;
        self.drive(Action::Encrypt(chunk))?;
        Ok(self.bufs.encrypted)
    }

    /// Queues close_notify (once). Before the handshake finished there is nothing to close.
    fn close(&mut self) -> Result<(), UsslResult> {
        if self.close_sent || self.error.is_set() || self.is_handshaking() {
            return Ok(());
        }
        self.close_sent = true;
        self.drive(Action::CloseNotify)
    }

    /// What a call may copy of the records it processes: rustls copies each record's plaintext
    /// as it decrypts it (`take_received_plaintext`), at most the ciphertext buffered, which
    /// includes the room handed out for the socket's next bytes.
    fn receive_copy_bytes(&self) -> usize {
        self.incoming.buffered()
    }

    /// What a write of `len` bytes may copy: rustls copies the plaintext it encrypts
    /// (`write_plaintext`), one call's chunk at most.
    fn write_copy_bytes(len: usize) -> usize {
        len.min(MAX_WRITE_CHUNK)
    }

    /// What a record after the handshake may copy into new allocations, beyond a few hundred
    /// bytes: a TLS 1.3 client keeps the server's chain with each ticket it receives.
    fn ticket_copy_bytes(&self) -> usize {
        if self.is_server() {
            return 0;
        }
        self.peer_certificates().iter().map(|c| c.as_ref().len() + 32).sum()
    }

    fn peer_cert_count(&self) -> usize {
        self.peer_certificates().len()
    }

    fn peer_cert(&self, index: usize) -> Option<&[u8]> {
        self.peer_certificates().get(index).map(|c| c.as_ref())
    }

    fn protocol_version(&self) -> Option<&'static str> {
        match self.common().protocol_version()? {
            ProtocolVersion::TLSv1_3 => Some("TLSv1.3"),
            ProtocolVersion::TLSv1_2 => Some("TLSv1.2"),
            _ => None,
        }
    }

    /// The negotiated suite as OpenSSL names it (what CPython's `cipher()` reports), and its
    /// key size in bits.
    fn cipher(&self) -> Option<(&'static str, u32)> {
        crate::provider::openssl_name(self.common().negotiated_cipher_suite()?.suite())
    }

    fn group(&self) -> Option<&'static str> {
        crate::groups::name_of(u16::from(self.common().negotiated_key_exchange_group()?.name()))
    }
}

impl Connection {
    fn new(tls: Tls) -> Self {
        Self {
            tls,
            incoming: Incoming::default(),
            bufs: Buffers::default(),
            error: StickyError::default(),
            close_sent: false,
            eof: false,
            client: None,
            callback_hold: CallbackHold::Off,
            key_log: None,
            #[cfg(feature = "server")]
            psk: None,
        }
    }

    /// Whether the records received may go to rustls: a PSK server's ClientHello waits for
    /// its key lookup.
    fn psk_let_through(&mut self) -> Result<bool, UsslResult> {
        #[cfg(feature = "server")]
        if let Some(psk) = &mut self.psk {
            let records = self.incoming.records_mut();
            return psk.let_through(records).map_err(|code| self.error.fail(code, None));
        }
        Ok(true)
    }

    /// The identity whose key a PSK server waits for.
    fn held_psk_identity(&self) -> Option<&[u8]> {
        #[cfg(feature = "server")]
        if let Some(psk) = &self.psk {
            return psk.pending_identity();
        }
        None
    }

    /// The lookup's answer (`ServerLookup::answer`); the held ClientHello then goes to rustls.
    fn answer_psk(&mut self, key: Option<&[u8]>, raised: bool) -> Result<(), UsslResult> {
        self.check()?;
        #[cfg(feature = "server")]
        if let Some(psk) = &mut self.psk {
            psk.answer(key, raised).map_err(|code| self.error.fail(code, None))?;
            let refusal = psk.refusal();
            let driven = self.drive(Action::Nothing);
            self.incoming.shrink_when_empty();
            return match driven {
                Err(UsslResult::PskUnknownIdentity) => {
                    self.error.replace(refusal);
                    Err(refusal)
                }
                other => other,
            };
        }
        let _ = (key, raised);
        Err(UsslResult::InvalidArgument)
    }

    fn common(&self) -> &CommonState {
        match &self.tls {
            Tls::Client(c) => c,
            #[cfg(feature = "server")]
            Tls::Server(s) => s,
        }
    }

    fn check(&self) -> Result<(), UsslResult> {
        self.error.check()
    }

    fn fail(&mut self, code: UsslResult, detail: Option<String>) -> UsslResult {
        self.error.fail(code, detail)
    }

    pub fn peer_certificates(&self) -> &[CertificateDer<'static>] {
        self.common().peer_certificates().unwrap_or(&[])
    }

    /// Runs rustls over the complete records received until it waits for the peer, has
    /// nothing left to do, or fails; then performs `action` if application data may be sent.
    fn drive(&mut self, action: Action<'_>) -> Result<(), UsslResult> {
        self.drive_with(action, &mut Sink::none())
    }

    fn drive_with(&mut self, action: Action<'_>, sink: &mut Sink<'_>) -> Result<(), UsslResult> {
        self.check()?;
        let (result, ran_dry) = crate::heap_ran_dry_during(|| self.drive_inner(action, sink));
        if ran_dry {
            return Err(self.fail(UsslResult::OutOfMemory, None));
        }
        result
    }

    fn drive_inner(&mut self, mut action: Action<'_>, sink: &mut Sink<'_>) -> Result<(), UsslResult> {
        // Bounded: each turn either consumes input, emits output or changes state; a stuck
        // state machine must not hang the interpreter.
        for _ in 0..10_000 {
            let records = self.incoming.records_mut();
            let (discard, next) = match &mut self.tls {
                Tls::Client(c) => step(c.process_tls_records(records), &mut self.bufs, &mut action, sink),
                #[cfg(feature = "server")]
                Tls::Server(c) => step(c.process_tls_records(records), &mut self.bufs, &mut action, sink),
            };
            self.incoming.discard(discard);
            if self.bufs.oom {
                return Err(self.fail(UsslResult::OutOfMemory, None));
            }
            match next {
                Next::Continue => continue,
                Next::Blocked | Next::Idle | Next::Closed => return Ok(()),
                Next::Failed(err) => {
                    let code = rustls_errors::from_rustls(&err);
                    let detail = rustls_errors::detail(&err);
                    self.fail(code, detail);
                    self.flush_alert(&err);
                    return Err(code);
                }
            }
        }
        Err(self.fail(UsslResult::Internal, None))
    }

    /// After a failure rustls may have queued an alert for the peer: put it in the output.
    ///
    /// A record the deframer refused stays in the input, and rustls reads it again on the next
    /// call and queues a second alert (a debug assertion inside rustls, as in rustls issue #959;
    /// our fuzzers found it). Nothing else is queued with such an alert, so after one of those
    /// errors only the one chunk is taken; after others (a handshake message refused, which may
    /// follow messages queued before it) every queued chunk is.
    fn flush_alert(&mut self, err: &rustls::Error) {
        use rustls::{Error, PeerMisbehaved};
        let deframer_error = matches!(
            err,
            Error::InvalidMessage(_)
                | Error::PeerSentOversizedRecord
                | Error::DecryptError
                | Error::PeerMisbehaved(PeerMisbehaved::IllegalMiddleboxChangeCipherSpec)
        );
        for _ in 0..4 {
            let records = self.incoming.records_mut();
            let mut nothing = Action::Nothing;
            let (discard, next) = match &mut self.tls {
                Tls::Client(c) => alert_step(c.process_tls_records(records), &mut self.bufs, &mut nothing),
                #[cfg(feature = "server")]
                Tls::Server(c) => alert_step(c.process_tls_records(records), &mut self.bufs, &mut nothing),
            };
            self.incoming.discard(discard);
            if !matches!(next, Next::Continue) || deframer_error {
                return;
            }
        }
    }
}
