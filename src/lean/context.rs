//! The lean engine's context: the shared settings (verification policy, trust anchors, ALPN).
//! What it cannot do (our own certificate, the built-in roots, a key log, other suites, a
//! server) is refused with a code that names what the lean engine leaves out.

use crate::engine::EngineContext;
use crate::result::UsslResult;
use crate::server_states::ServerStates;
use crate::settings::Settings;
pub use crate::settings::VerifyMode;

/// The one suite the lean engine offers, by its OpenSSL (and IANA) name.
pub const SUITE_NAME: &str = "TLS_AES_128_GCM_SHA256";

/// No server side, so no server state to share.
pub struct NoServerState;

pub struct Context {
    server_side: bool,
    /// Nothing is built from them: connections take what they need when they are made.
    settings: Settings<()>,
}

impl EngineContext for Context {
    type Extra = ();
    type ServerState = NoServerState;

    fn new(server_side: bool) -> Self {
        Self { server_side, settings: Settings::new(server_side, ()) }
    }

    fn settings(&self) -> &Settings<()> {
        &self.settings
    }

    fn settings_mut(&mut self) -> &mut Settings<()> {
        &mut self.settings
    }

    /// The lean engine never uses a private key: `set_certificate` says so, naming what it
    /// would have been for (a server, a client certificate), so the key is not even parsed here
    /// (which keeps the key parser out of the lean image).
    fn check_private_key(_key: &[u8]) -> Result<(), UsslResult> {
        Ok(())
    }

    fn set_key_log(&mut self, on: bool) -> Result<(), UsslResult> {
        if on {
            Err(UsslResult::KeyLogNotBuilt)
        } else {
            Ok(())
        }
    }

    fn add_default_roots(&mut self) -> Result<usize, UsslResult> {
        Err(UsslResult::RootsNotBuilt)
    }

    /// The suites: only TLS_AES_128_GCM_SHA256 may be named.
    fn set_cipher_suites<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Result<(), UsslResult> {
        let mut kept = false;
        for name in names {
            if name != SUITE_NAME {
                return Err(UsslResult::UnknownCipherSuite);
            }
            kept = true;
        }
        if kept {
            Ok(())
        } else {
            Err(UsslResult::UnknownCipherSuite)
        }
    }

    fn cipher_name(&self, index: usize) -> Option<&'static str> {
        (index == 0).then_some(SUITE_NAME)
    }

    /// The groups: embedded-tls offers P-256 alone, so only it may be named (others with '?').
    fn set_groups<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Result<(), UsslResult> {
        let p256 = crate::groups::SECP256R1;
        crate::groups::choose(names, |id| (id == p256).then_some(id), |_| Ok(())).map(|_| ())
    }

    fn group_name(&self, index: usize) -> Option<&'static str> {
        (index == 0).then(|| crate::groups::name_of(crate::groups::SECP256R1)).flatten()
    }

    /// Our own certificate: for a server (none here) or a client certificate (not sent).
    fn set_certificate(&mut self, _chain_data: &[u8], _key_data: &[u8]) -> Result<(), UsslResult> {
        Err(if self.server_side { UsslResult::ServerNotBuilt } else { UsslResult::ClientCertNotBuilt })
    }

    fn new_server_state() -> Result<NoServerState, UsslResult> {
        Err(UsslResult::ServerNotBuilt)
    }

    fn set_server_state(&mut self, _state: &NoServerState) -> Result<(), UsslResult> {
        Err(UsslResult::ServerNotBuilt)
    }

    /// Without a server there is nothing to share (and no settings fingerprint to take).
    fn share_server_state(&mut self, _states: &mut ServerStates<NoServerState>) -> Result<(), UsslResult> {
        Err(UsslResult::ServerNotBuilt)
    }
}

impl Context {
    pub fn is_server(&self) -> bool {
        self.server_side
    }
}
