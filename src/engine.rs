//! The engine contract: what an engine provides to the C API (`ffi`), stated once.
//!
//! Two engines implement it: the rustls engine (`rustls_engine`, the `full` and `client`
//! profiles) and the lean engine (`lean`, embedded-tls). A build has exactly one (Cargo
//! features; `lib.rs` refuses both or neither), named in `active.rs`; `ffi` is written against
//! these traits through the aliases there and never names an engine's types. A method one
//! engine lacks is a compile error in that engine's build, whichever build is being made.
//!
//! - [`EngineContext`]: role, verification policy, trust anchors, our certificate, suites,
//!   ALPN. Its settings live in one [`Settings`] struct (`settings.rs`), whose fingerprint
//!   covers every field by construction; every change goes through `settings_mut`, which drops
//!   whatever the engine built from the old settings. What both engines do alike is written
//!   here once, as provided methods.
//! - [`EngineConnection`]: one connection, sans-I/O: ciphertext in through `recv_space` and
//!   `recv_commit`, out through `pending_output` and `consume_output`; plaintext through `read`
//!   and `write`. Errors are sticky: once failed, every call reports the same failure.
//! - [`EngineSession`]: a saved client session and its bytes.
//!
//! What the engines share beside the contract: the verification policy (`server_cert`,
//! `pinned`), the verify_callback hold (`callback_hold`), trust anchors (`anchors`), keys and
//! certificates (`keys`, `pem`, `der`), the sticky error (`sticky`), result codes (`result`) and
//! the out-of-memory guard (`calls::HeapWatch`). A call an engine leaves out returns a
//! code naming what is missing (SERVER_NOT_BUILT, SESSIONS_NOT_BUILT, ...), never a panic.

use alloc::vec::Vec;

use zeroize::Zeroizing;

use crate::anchors::HoldsAnchors;
use crate::psk::Psk;
use crate::result::UsslResult;
use crate::server_states::ServerStates;
pub use crate::settings::VerifyMode;
use crate::settings::{EngineSettings, Settings};
use crate::sticky::StickyError;

/// An engine: its three handle types, tied together.
pub trait Engine {
    type Context: EngineContext;
    type Connection: EngineConnection<Context = Self::Context, Session = Self::Session>;
    type Session: EngineSession;
}

pub trait EngineContext: Sized {
    /// The settings only this engine has.
    type Extra: EngineSettings;
    /// Ticket keys and session cache that server contexts of the same settings may share
    /// (`server_states` keeps them).
    type ServerState;

    fn new(server_side: bool) -> Self;

    fn settings(&self) -> &Settings<Self::Extra>;

    /// The settings, to change them: whatever the engine built from the old ones (configs) is
    /// dropped here, to be built again when next needed. Every setter goes through this.
    fn settings_mut(&mut self) -> &mut Settings<Self::Extra>;

    /// Whether `key` (PEM or DER) is a private key this engine can sign with.
    fn check_private_key(key: &[u8]) -> Result<(), UsslResult>;

    /// Turns the key log of this context's connections on or off.
    fn set_key_log(&mut self, on: bool) -> Result<(), UsslResult>;

    /// Adds the built-in roots as trust anchors; returns how many.
    fn add_default_roots(&mut self) -> Result<usize, UsslResult>;

    /// Our own certificate chain (leaf first) and its private key, PEM or DER.
    fn set_certificate(&mut self, chain_data: &[u8], key_data: &[u8]) -> Result<(), UsslResult>;

    /// Limits the suites to `names` (OpenSSL or IANA names), in that order of preference.
    fn set_cipher_suites<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Result<(), UsslResult>;

    /// The OpenSSL name of the `index`th suite offered.
    fn cipher_name(&self, index: usize) -> Option<&'static str>;

    /// Limits the key-exchange groups to `names` (OpenSSL's, src/groups.rs), in that order of
    /// preference: a client's key shares and list, a server's choice among the client's shares.
    fn set_groups<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Result<(), UsslResult>;

    /// The name of the `index`th group offered.
    fn group_name(&self, index: usize) -> Option<&'static str>;

    fn new_server_state() -> Result<Self::ServerState, UsslResult>;

    /// Shares ticket keys and session cache with other contexts of the same settings.
    fn set_server_state(&mut self, state: &Self::ServerState) -> Result<(), UsslResult>;

    // Provided: the same in both engines.

    fn verify_mode(&self) -> VerifyMode {
        self.settings().verify_mode
    }

    fn set_verify_mode(&mut self, mode: VerifyMode) {
        self.settings_mut().verify_mode = mode;
    }

    /// TLS-PSK (`crate::psk`): a client's identity and key, or a server's lookup; Off for none.
    fn set_psk(&mut self, psk: Psk) -> Result<(), UsslResult> {
        self.settings_mut().psk = psk;
        Ok(())
    }

    /// The script's signing hook (`crate::sign_hook`), named by the shim's `token` (0: none).
    /// Set before our certificate is loaded, a key that does not match it is taken (a
    /// placeholder for a key held elsewhere).
    fn set_sign_hook(&mut self, token: usize) {
        self.settings_mut().sign_hook = token;
    }

    fn set_hostname_required(&mut self, required: bool) {
        self.settings_mut().hostname_required = required;
    }

    /// Sets the ALPN protocols: names of 1 to 255 bytes, in order of preference; none for none.
    fn set_alpn_protocols<'a>(&mut self, protocols: impl IntoIterator<Item = &'a [u8]>) -> Result<(), UsslResult> {
        let alpn = crate::unless_heap_ran_dry(|| crate::settings::alpn_from_names(protocols))?;
        self.settings_mut().alpn = alpn;
        Ok(())
    }

    /// Adds the certificates in `data` (PEM bundle or DER) as trust anchors; returns how many.
    fn add_trust_anchors(&mut self, data: &[u8]) -> Result<usize, UsslResult> {
        self.settings_mut().anchors.load(data)
    }

    /// Whether a client connection may go without a server name under this policy.
    fn check_client_name(&self, hostname: Option<&str>) -> Result<(), UsslResult> {
        self.settings().check_client_name(hostname)
    }

    /// The settings fingerprint that decides which contexts may share sessions.
    fn settings_fingerprint(&self) -> [u8; 32] {
        self.settings().fingerprint(false)
    }

    /// Issues and accepts the tickets and cached sessions of the state kept in `states` for this
    /// context's settings (made, and kept, when there is none).
    fn share_server_state(&mut self, states: &mut ServerStates<Self::ServerState>) -> Result<(), UsslResult> {
        let state = states.share(self.settings_fingerprint(), Self::new_server_state)?;
        self.set_server_state(state)
    }
}

pub trait EngineConnection: Sized {
    type Context;
    type Session;

    /// A client connection; `hostname` is checked against the certificate when given, and sent
    /// as SNI when it is a DNS name. A saved `session` is offered when it was made for the same
    /// server name under the same settings. The ClientHello waits in the output.
    fn client(
        ctx: &mut Self::Context,
        hostname: Option<&str>,
        session: Option<&mut Self::Session>,
    ) -> Result<Self, UsslResult>;

    /// A server connection for an accepted socket: it waits for the ClientHello.
    fn server(ctx: &mut Self::Context) -> Result<Self, UsslResult>;

    fn is_handshaking(&self) -> bool;
    fn is_server(&self) -> bool;

    /// How many ciphertext bytes the engine wants from the socket next (0 once it wants none).
    fn recv_want(&self) -> usize;
    /// Room for the next ciphertext bytes.
    fn recv_space(&mut self) -> Result<&mut [u8], UsslResult>;
    /// Takes `n` bytes written into the room from `recv_space`, and processes what is complete.
    fn recv_commit(&mut self, n: usize) -> Result<(), UsslResult>;
    /// As `recv_commit`, with application data decrypted now going into `out` (as much as
    /// fits); returns how many bytes went there.
    fn recv_commit_into(&mut self, n: usize, out: &mut [u8]) -> Result<usize, UsslResult>;
    /// The peer closed the TCP connection.
    fn recv_eof(&mut self) -> Result<(), UsslResult>;
    /// True once no more plaintext will come.
    fn at_eof(&self) -> bool;

    /// The ciphertext to send now, and how much of it was sent.
    fn pending_output(&self) -> &[u8];
    fn consume_output(&mut self, n: usize);

    fn plaintext_pending(&self) -> usize;
    /// Copies buffered plaintext out; 0 when there is none.
    fn read(&mut self, out: &mut [u8]) -> usize;
    /// Encrypts up to one record of `data` into the output; returns how many bytes.
    fn write(&mut self, data: &[u8]) -> Result<usize, UsslResult>;
    /// Queues close_notify (once).
    fn close(&mut self) -> Result<(), UsslResult>;

    /// The sticky error: the connection's one record of its failure, the engine's or one the
    /// shim saw outside it (`StickyError::fail_outside`: the socket's, a timeout).
    fn sticky(&self) -> &StickyError;
    fn sticky_mut(&mut self) -> &mut StickyError;

    fn error(&self) -> Option<UsslResult> {
        self.sticky().code()
    }

    /// The sticky error's text, with detail (such as the alert received) when there is some.
    fn error_text(&self) -> Option<&str> {
        self.sticky().text()
    }

    /// The verify_callback hold (`callback_hold`).
    /// A PSK server's connection: the identity the client offered, whose key the shim is to
    /// look up (the ClientHello waits meanwhile); None when nothing waits.
    fn psk_identity(&self) -> Option<&[u8]> {
        None
    }
    /// The lookup's answer: the key, or None (no key, or `raised`: the lookup failed); the
    /// handshake then goes on (to fail, without a key).
    fn psk_answer(&mut self, _key: Option<&[u8]>, _raised: bool) -> Result<(), UsslResult> {
        Err(UsslResult::InvalidArgument)
    }

    fn hold_for_verify_callback(&mut self);
    fn verify_callback_pending(&self) -> bool;
    fn verify_callback_verdict(&mut self, accepted: bool) -> Result<(), UsslResult>;

    /// Moves whole key log lines into `out`; returns how many bytes.
    fn take_key_log(&self, out: &mut [u8]) -> usize;
    /// What a record after the handshake may copy into new allocations (see `Need::Light`).
    fn ticket_copy_bytes(&self) -> usize;
    /// What a call may copy of the records it decrypts (their plaintext), beyond a few hundred bytes.
    fn receive_copy_bytes(&self) -> usize;
    /// What a write of `len` bytes may copy (the plaintext it encrypts).
    fn write_copy_bytes(len: usize) -> usize;

    fn peer_cert_count(&self) -> usize;
    fn peer_cert(&self, index: usize) -> Option<&[u8]>;
    fn protocol_version(&self) -> Option<&'static str>;
    /// The negotiated suite's OpenSSL name and key size in bits.
    fn cipher(&self) -> Option<(&'static str, u32)>;
    /// The negotiated key-exchange group's name (src/groups.rs); None before the handshake
    /// chose one, and after a TLS 1.3 resumption without a key exchange.
    fn group(&self) -> Option<&'static str>;
    fn alpn_protocol(&self) -> Option<&[u8]>;
    fn session_reused(&self) -> bool;
    /// The freshest session this client may resume later.
    fn save_session(&self) -> Result<Self::Session, UsslResult>;
}

pub trait EngineSession: Sized {
    /// Rebuilds a session from the bytes of `serialize`.
    fn from_bytes(data: &[u8]) -> Result<Self, UsslResult>;
    fn serialize(&self) -> Result<Zeroizing<Vec<u8>>, UsslResult>;
    fn is_tls13(&self) -> bool;
}
