//! A context: what every connection made from it shares (role, verification policy, trust
//! anchors, our certificate and key), and the rustls configs built from it, cached so that
//! connections from one context share them (which resumption needs).

use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::client::ClientConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::version::{TLS12, TLS13};
use rustls::RootCertStore;

use crate::keys;
use crate::result::UsslResult;
use crate::verify::{PortClock, ServerVerifier};

/// The numbers match CPython's and MicroPython's CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyMode {
    None = 0,
    Optional = 1,
    Required = 2,
}

impl VerifyMode {
    pub fn from_u32(v: u32) -> Option<Self> {
        match v {
            0 => Some(Self::None),
            1 => Some(Self::Optional),
            2 => Some(Self::Required),
            _ => None,
        }
    }
}

pub struct Context {
    server_side: bool,
    verify_mode: VerifyMode,
    roots: RootCertStore,
    chain: Vec<CertificateDer<'static>>,
    key: Option<PrivateKeyDer<'static>>,
    /// Built on first use; index 1 checks the hostname, index 0 does not.
    client_configs: [Option<Arc<ClientConfig>>; 2],
}

impl Context {
    pub fn new(server_side: bool) -> Self {
        Self {
            server_side,
            verify_mode: if server_side { VerifyMode::None } else { VerifyMode::Required },
            roots: RootCertStore::empty(),
            chain: Vec::new(),
            key: None,
            client_configs: [None, None],
        }
    }

    pub fn server_side(&self) -> bool {
        self.server_side
    }

    pub fn verify_mode(&self) -> VerifyMode {
        self.verify_mode
    }

    fn changed(&mut self) {
        self.client_configs = [None, None];
    }

    pub fn set_verify_mode(&mut self, mode: VerifyMode) {
        self.verify_mode = mode;
        self.changed();
    }

    /// Adds the certificates in `data` (PEM bundle or DER) as trust anchors; returns how many.
    pub fn add_trust_anchors(&mut self, data: &[u8]) -> Result<usize, UsslResult> {
        let certs = keys::load_certificates(data)?;
        let (added, _ignored) = self.roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(UsslResult::InvalidCertificateData);
        }
        self.changed();
        Ok(added)
    }

    pub fn trust_anchor_count(&self) -> usize {
        self.roots.len()
    }

    /// Our own certificate chain (leaf first) and its private key.
    pub fn set_certificate(&mut self, chain_data: &[u8], key_data: &[u8]) -> Result<(), UsslResult> {
        let chain = keys::load_certificates(chain_data)?;
        let key = keys::load_private_key(key_data)?;
        keys::check_key_matches(&chain, &key)?;
        self.chain = chain;
        self.key = Some(key);
        self.changed();
        Ok(())
    }

    pub fn client_config(&mut self, check_name: bool) -> Result<Arc<ClientConfig>, UsslResult> {
        let slot = usize::from(check_name);
        if let Some(config) = &self.client_configs[slot] {
            return Ok(config.clone());
        }
        let config = Arc::new(self.build_client_config(check_name)?);
        self.client_configs[slot] = Some(config.clone());
        Ok(config)
    }

    fn build_client_config(&self, check_name: bool) -> Result<ClientConfig, UsslResult> {
        let roots = match self.verify_mode {
            VerifyMode::None => None,
            VerifyMode::Optional | VerifyMode::Required => {
                if self.roots.is_empty() {
                    return Err(UsslResult::CaCertsRequired);
                }
                Some(Arc::new(self.roots.clone()))
            }
        };
        let verifier = Arc::new(ServerVerifier::new(roots, check_name));
        let builder = ClientConfig::builder_with_details(Arc::new(crate::provider::provider()), Arc::new(PortClock))
            .with_protocol_versions(&[&TLS13, &TLS12])
            .map_err(|_| UsslResult::Internal)?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let mut config = match &self.key {
            Some(key) => builder
                .with_client_auth_cert(self.chain.clone(), key.clone_key())
                .map_err(|_| UsslResult::KeyDoesNotMatchCertificate)?,
            None => builder.with_no_client_auth(),
        };
        config.resumption = rustls::client::Resumption::disabled();
        Ok(config)
    }
}
