//! A context: what every connection made from it shares (role, verification policy, trust
//! anchors, our certificate and key), and the rustls configs built from it, cached so that
//! connections from one context share them (which resumption needs).

use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::client::ClientConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
#[cfg(feature = "server")]
use rustls::server::ServerConfig;
#[cfg(feature = "tls12")]
use rustls::version::TLS12;
use rustls::version::TLS13;
use rustls::{RootCertStore, SupportedCipherSuite, SupportedProtocolVersion};

use super::keylog::KeyLogLines;
use super::store::{ClientSetup, SessionStore};
#[cfg(feature = "server")]
use super::tickets::ServerState;
use super::verify::{PortClock, ServerVerifier};
#[cfg(feature = "server")]
use super::verify_client::ClientVerifier;
use crate::keys;
use crate::result::UsslResult;

/// Whether `key` (PEM or DER) is a private key this build can sign with.
pub fn check_private_key(key: &[u8]) -> Result<(), UsslResult> {
    let key = keys::load_private_key(key)?;
    crate::provider::sign::KeyMaterial::from_der(&key).map(|_| ())
}

pub use crate::settings::VerifyMode;

pub struct Context {
    verify_mode: VerifyMode,
    /// Mainline's rule: a client that verifies must name the server (the tls module sets it;
    /// ussl's API verifies the chain alone when no server_hostname is given).
    hostname_required: bool,
    /// ALPN protocols offered (client) or accepted (server), in order of preference.
    alpn: Vec<Vec<u8>>,
    /// The key log of this context's connections, when the script asked for one.
    key_log: Option<Arc<KeyLogLines>>,
    roots: RootCertStore,
    /// The trust anchors as given, for the settings fingerprint.
    anchor_ders: Vec<CertificateDer<'static>>,
    /// The built-in roots were added (their DER is not always at hand for the fingerprint).
    default_roots: bool,
    chain: Vec<CertificateDer<'static>>,
    key: Option<PrivateKeyDer<'static>>,
    /// Built on first use; index 1 checks the hostname, index 0 does not.
    client_configs: [Option<ClientSetup>; 2],
    /// Sessions the client side collects; shared by every config this context builds.
    session_store: Arc<SessionStore>,
    #[cfg(feature = "server")]
    server_config: Option<Arc<ServerConfig>>,
    /// The suites offered, in order; all of ours unless `set_cipher_suites` narrowed them.
    suites: Vec<SupportedCipherSuite>,
    /// Ticket keys and session cache; outlive config rebuilds, and may be shared.
    #[cfg(feature = "server")]
    server_state: ServerState,
}

impl Context {
    pub fn new(server_side: bool) -> Self {
        Self {
            verify_mode: if server_side { VerifyMode::None } else { VerifyMode::Required },
            hostname_required: false,
            alpn: Vec::new(),
            key_log: None,
            roots: RootCertStore::empty(),
            anchor_ders: Vec::new(),
            default_roots: false,
            chain: Vec::new(),
            key: None,
            client_configs: [None, None],
            session_store: Arc::new(SessionStore::default()),
            #[cfg(feature = "server")]
            server_config: None,
            suites: crate::provider::ALL_CIPHER_SUITES.to_vec(),
            #[cfg(feature = "server")]
            server_state: ServerState::default(),
        }
    }

    pub fn verify_mode(&self) -> VerifyMode {
        self.verify_mode
    }

    /// Drops the configs built so far (they are built again when next needed).
    pub fn drop_configs(&mut self) {
        self.changed();
    }

    fn changed(&mut self) {
        self.client_configs = [None, None];
        #[cfg(feature = "server")]
        {
            self.server_config = None;
        }
    }

    pub fn set_verify_mode(&mut self, mode: VerifyMode) {
        self.verify_mode = mode;
        self.changed();
    }

    /// Turns the key log of this context's connections on or off (lines not yet taken are dropped).
    pub fn set_key_log(&mut self, on: bool) -> Result<(), UsslResult> {
        if on != self.key_log.is_some() {
            self.key_log = crate::unless_heap_ran_dry(|| Ok(on.then(|| Arc::new(KeyLogLines::default()))))?;
            self.changed();
        }
        Ok(())
    }

    pub fn key_log(&self) -> Option<Arc<KeyLogLines>> {
        self.key_log.clone()
    }

    /// Sets the ALPN protocols from their wire form: each name preceded by its length (1 to
    /// 255 bytes), as OpenSSL's SSL_CTX_set_alpn_protos takes them; empty for none.
    pub fn set_alpn_protocols(&mut self, wire: &[u8]) -> Result<(), UsslResult> {
        self.alpn = crate::unless_heap_ran_dry(|| crate::settings::alpn_from_wire(wire))?;
        self.changed();
        Ok(())
    }

    pub fn set_hostname_required(&mut self, required: bool) {
        self.hostname_required = required;
    }

    /// Whether a client connection may go without a server name under this policy.
    pub fn check_client_name(&self, hostname: Option<&str>) -> Result<(), UsslResult> {
        crate::settings::check_client_name(hostname, self.hostname_required, self.verify_mode)
    }

    /// Adds the certificates in `data` (PEM bundle or DER) as trust anchors; returns how many.
    pub fn add_trust_anchors(&mut self, data: &[u8]) -> Result<usize, UsslResult> {
        let oom_before = crate::oom_events();
        let certs = keys::load_certificates(data);
        let added = certs.map(|certs| {
            self.anchor_ders.extend(certs.iter().cloned());
            self.roots.add_parsable_certificates(certs).0
        });
        self.changed();
        self.drop_anchors_after_oom(oom_before)?;
        match added? {
            0 => Err(UsslResult::InvalidCertificateData),
            n => Ok(n),
        }
    }

    /// When the heap refused an allocation since `oom_before`, the anchors (which may now sit
    /// partly in the reserve, vectors included) are all let go: the caller gets MemoryError and
    /// loads them again.
    fn drop_anchors_after_oom(&mut self, oom_before: usize) -> Result<(), UsslResult> {
        if crate::oom_events() == oom_before {
            return Ok(());
        }
        self.roots = RootCertStore::empty();
        self.anchor_ders = Vec::new();
        self.default_roots = false;
        self.changed();
        Err(UsslResult::OutOfMemory)
    }

    /// Adds the built-in roots (src/roots.rs) as trust anchors; returns how many.
    pub fn add_default_roots(&mut self) -> Result<usize, UsslResult> {
        let oom_before = crate::oom_events();
        let added = super::roots::add_to(&mut self.roots, &mut self.anchor_ders);
        self.default_roots = true;
        self.changed();
        self.drop_anchors_after_oom(oom_before)?;
        added
    }

    /// Limits the suites to `names` (OpenSSL or IANA names), in that order of preference.
    /// Unknown names are an error; the protocol versions follow from the suites kept.
    pub fn set_cipher_suites<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Result<(), UsslResult> {
        self.suites = crate::unless_heap_ran_dry(|| {
            let mut suites = Vec::new();
            for name in names {
                let suite = crate::provider::find_by_name(name.trim()).ok_or(UsslResult::UnknownCipherSuite)?;
                if !suites.contains(&suite) {
                    suites.push(suite);
                }
            }
            if suites.is_empty() {
                return Err(UsslResult::UnknownCipherSuite);
            }
            Ok(suites)
        })?;
        self.changed();
        Ok(())
    }

    pub fn cipher_suites(&self) -> &[SupportedCipherSuite] {
        &self.suites
    }

    pub fn cipher_count(&self) -> usize {
        self.suites.len()
    }

    /// The OpenSSL name of the `index`th suite offered.
    pub fn cipher_name(&self, index: usize) -> Option<&'static str> {
        crate::provider::openssl_name(self.suites.get(index)?.suite()).map(|(name, _)| name)
    }

    fn provider(&self) -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(crate::provider::provider_with(&self.suites))
    }

    fn versions(&self) -> Vec<&'static SupportedProtocolVersion> {
        let mut versions: Vec<&'static SupportedProtocolVersion> = Vec::new();
        if self.suites.iter().any(|s| matches!(s, SupportedCipherSuite::Tls13(_))) {
            versions.push(&TLS13);
        }
        #[cfg(feature = "tls12")]
        if self.suites.iter().any(|s| matches!(s, SupportedCipherSuite::Tls12(_))) {
            versions.push(&TLS12);
        }
        versions
    }

    /// Our own certificate chain (leaf first) and its private key.
    pub fn set_certificate(&mut self, chain_data: &[u8], key_data: &[u8]) -> Result<(), UsslResult> {
        let oom_before = crate::oom_events();
        let loaded = (|| {
            let chain = keys::load_certificates(chain_data)?;
            let key = keys::load_private_key(key_data)?;
            keys::check_key_matches(&chain, &key)?;
            Ok((chain, key))
        })();
        // Whatever came from the reserve while the heap was full is let go at once (the reserve
        // is for finishing a step, not for what a context keeps).
        if crate::oom_events() != oom_before {
            return Err(UsslResult::OutOfMemory);
        }
        let (chain, key) = loaded?;
        self.chain = chain;
        self.key = Some(key);
        self.changed();
        Ok(())
    }

    pub fn client_setup(&mut self, check_name: bool) -> Result<ClientSetup, UsslResult> {
        let [plain, checking] = &mut self.client_configs;
        if let Some(setup) = if check_name { checking } else { plain } {
            return Ok(setup.clone());
        }
        let (config, verifier) = self.build_client_config(check_name)?;
        let setup = ClientSetup {
            config: Arc::new(config),
            verifier,
            store: self.session_store.clone(),
            fingerprint: self.fingerprint(check_name),
            key_log: self.key_log.clone(),
        };
        let [plain, checking] = &mut self.client_configs;
        *(if check_name { checking } else { plain }) = Some(setup.clone());
        Ok(setup)
    }

    /// A digest of every setting that decides whether a session may be resumed: the
    /// verification policy and anchors, our certificate and key, and the suites.
    fn fingerprint(&self, check_name: bool) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update([self.verify_mode as u8, u8::from(check_name), u8::from(self.default_roots)]);
        for der in self.anchor_ders.iter().chain(self.chain.iter()) {
            h.update((der.len() as u32).to_be_bytes());
            h.update(der.as_ref());
        }
        if let Some(key) = &self.key {
            h.update(Sha256::digest(key.secret_der()));
        }
        for suite in &self.suites {
            h.update(u16::from(suite.suite()).to_be_bytes());
        }
        for protocol in &self.alpn {
            h.update([protocol.len() as u8]);
            h.update(protocol);
        }
        h.finalize().into()
    }

    /// Shares ticket keys and session cache with other contexts of the same settings.
    #[cfg(feature = "server")]
    pub fn set_server_state(&mut self, state: &ServerState) {
        self.server_state = state.clone();
        self.server_config = None;
    }

    /// The settings fingerprint that decides which contexts may share sessions.
    pub fn settings_fingerprint(&self) -> [u8; 32] {
        self.fingerprint(false)
    }

    #[cfg(feature = "server")]
    pub fn server_config(&mut self) -> Result<Arc<ServerConfig>, UsslResult> {
        if let Some(config) = &self.server_config {
            return Ok(config.clone());
        }
        let config = Arc::new(self.build_server_config()?);
        self.server_config = Some(config.clone());
        Ok(config)
    }

    #[cfg(feature = "server")]
    fn build_server_config(&self) -> Result<ServerConfig, UsslResult> {
        let builder = ServerConfig::builder_with_details(self.provider(), Arc::new(PortClock))
            .with_protocol_versions(&self.versions())
            .map_err(|_| UsslResult::Internal)?;
        let builder = match self.verify_mode {
            VerifyMode::None => builder.with_no_client_auth(),
            mode => {
                if self.roots.is_empty() {
                    return Err(UsslResult::CaCertsRequired);
                }
                let verifier = ClientVerifier::new(Arc::new(self.roots.clone()), mode == VerifyMode::Required)
                    .map_err(|_| UsslResult::InvalidCertificateData)?;
                builder.with_client_cert_verifier(Arc::new(verifier))
            }
        };
        let mut config = match &self.key {
            Some(key) => builder
                .with_single_cert(self.chain.clone(), key.clone_key())
                .map_err(|_| UsslResult::KeyDoesNotMatchCertificate)?,
            // mainline MicroPython lets a server socket be made before its certificate is
            // loaded; its handshakes then fail with handshake_failure.
            None => builder.with_cert_resolver(Arc::new(NoCertificate)),
        };
        config.ticketer = self.server_state.ticketer.clone();
        config.session_storage = self.server_state.cache.clone();
        // One ticket per handshake: a board's client keeps only the newest anyway.
        config.send_tls13_tickets = 1;
        if let Some(log) = &self.key_log {
            config.key_log = log.clone();
        }
        // A client offering none of these is refused (no_application_protocol), as RFC 7301 says.
        config.alpn_protocols = self.alpn.clone();
        Ok(config)
    }

    /// The config and the verifier in it (which sessions rebuilt from bytes are tied to).
    fn build_client_config(
        &self,
        check_name: bool,
    ) -> Result<(ClientConfig, Arc<dyn rustls::client::danger::ServerCertVerifier>), UsslResult> {
        let roots = match self.verify_mode {
            VerifyMode::None => None,
            VerifyMode::Optional | VerifyMode::Required => {
                if self.roots.is_empty() {
                    return Err(UsslResult::CaCertsRequired);
                }
                Some(Arc::new(self.roots.clone()))
            }
        };
        let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> =
            Arc::new(ServerVerifier::new(roots, check_name).with_pinned(self.anchor_ders.clone()));
        let builder = ClientConfig::builder_with_details(self.provider(), Arc::new(PortClock))
            .with_protocol_versions(&self.versions())
            .map_err(|_| UsslResult::Internal)?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone());
        let mut config = match &self.key {
            Some(key) => builder
                .with_client_auth_cert(self.chain.clone(), key.clone_key())
                .map_err(|_| UsslResult::KeyDoesNotMatchCertificate)?,
            None => builder.with_no_client_auth(),
        };
        // Sessions are kept by server name. Without a name every server would share one entry
        // (rustls needs some name: we give 0.0.0.0), so a nameless connection keeps and offers none.
        config.alpn_protocols = self.alpn.clone();
        if let Some(log) = &self.key_log {
            config.key_log = log.clone();
        }
        config.resumption = if check_name {
            rustls::client::Resumption::store(self.session_store.clone())
        } else {
            rustls::client::Resumption::disabled()
        };
        Ok((config, verifier))
    }
}

/// A server with no certificate yet: every handshake fails.
#[cfg(feature = "server")]
#[derive(Debug)]
struct NoCertificate;

#[cfg(feature = "server")]
impl rustls::server::ResolvesServerCert for NoCertificate {
    fn resolve(&self, _: rustls::server::ClientHello<'_>) -> Option<Arc<rustls::sign::CertifiedKey>> {
        None
    }
}
