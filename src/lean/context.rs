//! The lean engine's context: verification policy, trust anchors and ALPN. What it cannot do
//! (our own certificate, the built-in roots, a key log, other suites) is refused with a code
//! that names the lean engine.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::verifier::Anchors;
use crate::keys;
use crate::result::UsslResult;
pub use crate::settings::VerifyMode;

/// The one suite the lean engine offers, by its OpenSSL (and IANA) name.
pub const SUITE_NAME: &str = "TLS_AES_128_GCM_SHA256";

/// The lean engine never uses a private key: `set_certificate` says so, naming what it would
/// have been for (a server, a client certificate), so the key is not even parsed here (which
/// keeps the key parser out of the lean image).
pub fn check_private_key(_key: &[u8]) -> Result<(), UsslResult> {
    Ok(())
}

pub struct Context {
    server_side: bool,
    verify_mode: VerifyMode,
    hostname_required: bool,
    alpn: Vec<Vec<u8>>,
    anchors: Arc<Anchors>,
}

impl Context {
    pub fn new(server_side: bool) -> Self {
        Self {
            server_side,
            verify_mode: if server_side { VerifyMode::None } else { VerifyMode::Required },
            hostname_required: false,
            alpn: Vec::new(),
            anchors: Arc::new(Anchors::default()),
        }
    }

    pub fn verify_mode(&self) -> VerifyMode {
        self.verify_mode
    }

    pub fn set_verify_mode(&mut self, mode: VerifyMode) {
        self.verify_mode = mode;
    }

    pub fn set_key_log(&mut self, on: bool) -> Result<(), UsslResult> {
        if on {
            Err(UsslResult::KeyLogNotBuilt)
        } else {
            Ok(())
        }
    }

    pub fn set_alpn_protocols(&mut self, wire: &[u8]) -> Result<(), UsslResult> {
        self.alpn = crate::unless_heap_ran_dry(|| crate::settings::alpn_from_wire(wire))?;
        Ok(())
    }

    pub fn alpn(&self) -> &[Vec<u8>] {
        &self.alpn
    }

    pub fn set_hostname_required(&mut self, required: bool) {
        self.hostname_required = required;
    }

    pub fn check_client_name(&self, hostname: Option<&str>) -> Result<(), UsslResult> {
        crate::settings::check_client_name(hostname, self.hostname_required, self.verify_mode)
    }

    pub fn is_server(&self) -> bool {
        self.server_side
    }

    /// Adds the certificates in `data` (PEM bundle or DER) as trust anchors; returns how many.
    pub fn add_trust_anchors(&mut self, data: &[u8]) -> Result<usize, UsslResult> {
        let oom_before = crate::oom_events();
        let certs = keys::load_certificates(data)?;
        let mut anchors = Anchors { anchors: self.anchors.anchors.clone(), pinned: self.anchors.pinned.clone() };
        let mut added = 0;
        for der in certs {
            if let Ok(anchor) = webpki::anchor_from_trusted_cert(&der) {
                anchors.anchors.push(anchor.to_owned());
                added += 1;
            }
            anchors.pinned.push(der);
        }
        if crate::oom_events() != oom_before {
            self.anchors = Arc::new(Anchors::default());
            return Err(UsslResult::OutOfMemory);
        }
        self.anchors = Arc::new(anchors);
        match added {
            0 => Err(UsslResult::InvalidCertificateData),
            n => Ok(n),
        }
    }

    pub fn add_default_roots(&mut self) -> Result<usize, UsslResult> {
        Err(UsslResult::RootsNotBuilt)
    }

    /// The anchors a client connection checks the server against; None for CERT_NONE.
    pub fn anchors_for_client(&self) -> Result<Option<Arc<Anchors>>, UsslResult> {
        match self.verify_mode {
            VerifyMode::None => Ok(None),
            VerifyMode::Optional | VerifyMode::Required if self.anchors.anchors.is_empty() => {
                Err(UsslResult::CaCertsRequired)
            }
            VerifyMode::Optional | VerifyMode::Required => Ok(Some(self.anchors.clone())),
        }
    }

    /// The suites: only TLS_AES_128_GCM_SHA256 may be named.
    pub fn set_cipher_suites<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Result<(), UsslResult> {
        let mut kept = false;
        for name in names {
            if name.trim() != SUITE_NAME {
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

    pub fn cipher_count(&self) -> usize {
        1
    }

    pub fn cipher_name(&self, index: usize) -> Option<&'static str> {
        (index == 0).then_some(SUITE_NAME)
    }

    /// Our own certificate: for a server (none here) or a client certificate (not sent).
    pub fn set_certificate(&mut self, _chain_data: &[u8], _key_data: &[u8]) -> Result<(), UsslResult> {
        Err(if self.server_side { UsslResult::ServerNotBuilt } else { UsslResult::ClientCertNotBuilt })
    }

    /// A digest of the settings (sessions are not resumed here, but the shim asks).
    pub fn settings_fingerprint(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update([self.verify_mode as u8]);
        for der in &self.anchors.pinned {
            h.update((der.len() as u32).to_be_bytes());
            h.update(der.as_ref());
        }
        for protocol in &self.alpn {
            h.update([protocol.len() as u8]);
            h.update(protocol);
        }
        h.finalize().into()
    }
}
