//! A context: what every connection made from it shares (role, verification policy, trust
//! anchors, our certificate and key), and the rustls configs built from it, cached so that
//! connections from one context share them (which resumption needs).

use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::client::ClientConfig;
use rustls::crypto::SupportedKxGroup;
#[cfg(feature = "server")]
use rustls::server::ServerConfig;
#[cfg(feature = "tls12")]
use rustls::version::TLS12;
use rustls::version::TLS13;
use rustls::{RootCertStore, SupportedCipherSuite, SupportedProtocolVersion};
use sha2::Sha256;

use super::keylog::KeyLogLines;
use super::store::{ClientSetup, SessionStore};
#[cfg(feature = "server")]
use super::tickets::ServerState;
use super::verify::{PortClock, ServerVerifier};
#[cfg(feature = "server")]
use super::verify_client::ClientVerifier;
use crate::anchors::{Anchors, HoldsAnchors};
use crate::engine::EngineContext;
use crate::keys;
use crate::result::UsslResult;
#[cfg(not(feature = "server"))]
use crate::server_states::ServerStates;
pub use crate::settings::VerifyMode;
use crate::settings::{EngineSettings, OwnCertificate, Settings};

/// Without the server side there is no server state to share.
#[cfg(not(feature = "server"))]
pub struct ServerState;

/// The settings only this engine has.
pub struct RustlsSettings {
    /// The suites offered, in order; all of ours unless `set_cipher_suites` narrowed them.
    suites: Vec<SupportedCipherSuite>,
    /// The key-exchange groups, in order; all of ours unless `set_groups` narrowed them.
    groups: Vec<&'static dyn SupportedKxGroup>,
    /// The key log of this context's connections, when the script asked for one.
    key_log: Option<Arc<KeyLogLines>>,
}

impl EngineSettings for RustlsSettings {
    /// Owned: the configs built from them take a copy.
    type Anchors = Anchors;
    type Own = OwnCertificate;

    fn feed(&self, digest: &mut Sha256) {
        use sha2::Digest;
        // Where secrets are logged does not decide what a session may be resumed under.
        let Self { suites, groups, key_log: _ } = self;
        for suite in suites {
            digest.update(u16::from(suite.suite()).to_be_bytes());
        }
        // Apart from the suites: a list of suites cannot end where the groups begin.
        digest.update(b"groups");
        for group in groups {
            digest.update(u16::from(group.name()).to_be_bytes());
        }
    }
}

/// What the context built from its settings; dropped whenever they change.
#[derive(Default)]
struct Configs {
    /// Index 1 checks the hostname, index 0 does not.
    client: [Option<ClientSetup>; 2],
    #[cfg(feature = "server")]
    server: Option<Arc<ServerConfig>>,
}

pub struct Context {
    settings: Settings<RustlsSettings>,
    configs: Configs,
    /// Sessions the client side collects; shared by every config this context builds.
    session_store: Arc<SessionStore>,
    /// Ticket keys and session cache; outlive config rebuilds, and may be shared.
    #[cfg(feature = "server")]
    server_state: ServerState,
}

impl EngineContext for Context {
    type Extra = RustlsSettings;
    type ServerState = ServerState;

    fn new(server_side: bool) -> Self {
        let extra = RustlsSettings {
            suites: crate::provider::ALL_CIPHER_SUITES.to_vec(),
            groups: crate::provider::kx::ALL_KX_GROUPS.to_vec(),
            key_log: None,
        };
        Self {
            settings: Settings::new(server_side, extra),
            configs: Configs::default(),
            session_store: Arc::new(SessionStore::default()),
            #[cfg(feature = "server")]
            server_state: ServerState::default(),
        }
    }

    fn settings(&self) -> &Settings<RustlsSettings> {
        &self.settings
    }

    fn settings_mut(&mut self) -> &mut Settings<RustlsSettings> {
        self.drop_configs();
        &mut self.settings
    }

    fn check_private_key(key: &[u8]) -> Result<(), UsslResult> {
        let key = keys::load_private_key(key)?;
        crate::provider::sign::KeyMaterial::from_der(&key).map(|_| ())
    }

    /// Turns the key log of this context's connections on or off (lines not yet taken are dropped).
    fn set_key_log(&mut self, on: bool) -> Result<(), UsslResult> {
        if on != self.settings.engine.key_log.is_some() {
            let log = crate::unless_heap_ran_dry(|| Ok(on.then(|| Arc::new(KeyLogLines::default()))))?;
            self.settings_mut().engine.key_log = log;
        }
        Ok(())
    }

    /// Adds the built-in roots (src/rustls_engine/roots.rs) as trust anchors; returns how many.
    fn add_default_roots(&mut self) -> Result<usize, UsslResult> {
        self.settings_mut().anchors.add_with(|anchors| {
            let added = super::roots::add_to(anchors);
            anchors.default_roots = true;
            added
        })
    }

    /// Unknown names are an error; the protocol versions follow from the suites kept.
    fn set_cipher_suites<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Result<(), UsslResult> {
        let suites = crate::unless_heap_ran_dry(|| {
            let mut suites = Vec::new();
            for name in names {
                let suite = crate::provider::find_by_name(name).ok_or(UsslResult::UnknownCipherSuite)?;
                if !suites.contains(&suite) {
                    suites.push(suite);
                }
            }
            if suites.is_empty() {
                return Err(UsslResult::UnknownCipherSuite);
            }
            Ok(suites)
        })?;
        self.settings_mut().engine.suites = suites;
        Ok(())
    }

    fn cipher_name(&self, index: usize) -> Option<&'static str> {
        crate::provider::openssl_name(self.settings.engine.suites.get(index)?.suite()).map(|(name, _)| name)
    }

    fn set_groups<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Result<(), UsslResult> {
        let groups = crate::unless_heap_ran_dry(|| {
            let mut groups: Vec<&'static dyn SupportedKxGroup> = Vec::new();
            crate::groups::choose(names, crate::provider::kx::built_group, |group| {
                if !groups.iter().any(|g| g.name() == group.name()) {
                    groups.push(group);
                }
                Ok(())
            })?;
            Ok(groups)
        })?;
        self.settings_mut().engine.groups = groups;
        Ok(())
    }

    fn group_name(&self, index: usize) -> Option<&'static str> {
        crate::groups::name_of(u16::from(self.settings.engine.groups.get(index)?.name()))
    }

    fn set_certificate(&mut self, chain_data: &[u8], key_data: &[u8]) -> Result<(), UsslResult> {
        // Whatever came from the reserve while the heap was full is let go at once (the reserve
        // is for finishing a step, not for what a context keeps).
        let own = crate::unless_heap_ran_dry(|| {
            let chain = keys::load_certificates(chain_data)?;
            let key = keys::load_private_key(key_data)?;
            if self.settings.sign_hook == 0 {
                keys::check_key_matches(&chain, &key)?;
            } else {
                // A placeholder for a key held elsewhere may not match: it must still be a key.
                Self::check_private_key(key_data)?;
            }
            Ok(OwnCertificate { chain, key })
        })?;
        self.settings_mut().own = Some(own);
        Ok(())
    }

    #[cfg(feature = "server")]
    fn new_server_state() -> Result<ServerState, UsslResult> {
        Ok(ServerState::default())
    }

    #[cfg(not(feature = "server"))]
    fn new_server_state() -> Result<ServerState, UsslResult> {
        Err(UsslResult::ServerNotBuilt)
    }

    #[cfg(feature = "server")]
    fn set_server_state(&mut self, state: &ServerState) -> Result<(), UsslResult> {
        self.server_state = state.clone();
        self.configs.server = None;
        Ok(())
    }

    #[cfg(not(feature = "server"))]
    fn set_server_state(&mut self, _state: &ServerState) -> Result<(), UsslResult> {
        Err(UsslResult::ServerNotBuilt)
    }

    #[cfg(not(feature = "server"))]
    fn share_server_state(&mut self, _states: &mut ServerStates<ServerState>) -> Result<(), UsslResult> {
        Err(UsslResult::ServerNotBuilt)
    }
}

impl Context {
    /// Drops the configs built so far (they are built again when next needed).
    pub fn drop_configs(&mut self) {
        self.configs = Configs::default();
    }

    pub fn key_log(&self) -> Option<Arc<KeyLogLines>> {
        self.settings.engine.key_log.clone()
    }

    pub fn cipher_suites(&self) -> &[SupportedCipherSuite] {
        &self.settings.engine.suites
    }

    /// The suites offered: with PSK on, those an external PSK can use.
    fn offered_suites(&self) -> Result<Vec<SupportedCipherSuite>, UsslResult> {
        let suites = &self.settings.engine.suites;
        if self.settings.psk.is_on() {
            return super::psk::psk_suites(suites);
        }
        Ok(suites.clone())
    }

    fn provider(&self) -> Result<Arc<rustls::crypto::CryptoProvider>, UsslResult> {
        let groups = &self.settings.engine.groups;
        Ok(Arc::new(crate::provider::provider_with(&self.offered_suites()?, groups)))
    }

    fn versions(&self) -> Result<Vec<&'static SupportedProtocolVersion>, UsslResult> {
        let suites = &self.offered_suites()?;
        let mut versions: Vec<&'static SupportedProtocolVersion> = Vec::new();
        if suites.iter().any(|s| matches!(s, SupportedCipherSuite::Tls13(_))) {
            versions.push(&TLS13);
        }
        #[cfg(feature = "tls12")]
        if suites.iter().any(|s| matches!(s, SupportedCipherSuite::Tls12(_))) {
            versions.push(&TLS12);
        }
        Ok(versions)
    }

    /// Our certificate with a key that signs through the script's hook (no match check).
    fn hooked_certificate(&self, own: &OwnCertificate) -> Result<rustls::sign::CertifiedKey, UsslResult> {
        let key = crate::provider::sign_hook::hooked_key(&own.key, self.settings.sign_hook)
            .map_err(|_| UsslResult::UnsupportedPrivateKey)?;
        Ok(rustls::sign::CertifiedKey::new(own.chain.clone(), key))
    }

    /// The trust anchors as rustls takes them; None for CERT_NONE.
    fn root_store(&self) -> Result<Option<Arc<RootCertStore>>, UsslResult> {
        let anchors = self.settings.anchors_to_verify()?;
        Ok(anchors.map(|a| Arc::new(RootCertStore { roots: a.anchors.clone() })))
    }

    pub fn client_setup(&mut self, check_name: bool) -> Result<ClientSetup, UsslResult> {
        let [plain, checking] = &mut self.configs.client;
        if let Some(setup) = if check_name { checking } else { plain } {
            return Ok(setup.clone());
        }
        let (config, verifier) = self.build_client_config(check_name)?;
        let setup = ClientSetup {
            config: Arc::new(config),
            verifier,
            store: self.session_store.clone(),
            fingerprint: self.settings.fingerprint(check_name),
            key_log: self.key_log(),
        };
        let [plain, checking] = &mut self.configs.client;
        *(if check_name { checking } else { plain }) = Some(setup.clone());
        Ok(setup)
    }

    #[cfg(feature = "server")]
    pub fn server_config(&mut self) -> Result<Arc<ServerConfig>, UsslResult> {
        if let Some(config) = &self.configs.server {
            return Ok(config.clone());
        }
        let config = Arc::new(self.build_server_config()?);
        self.configs.server = Some(config.clone());
        Ok(config)
    }

    #[cfg(feature = "server")]
    fn build_server_config(&self) -> Result<ServerConfig, UsslResult> {
        let builder = ServerConfig::builder_with_details(self.provider()?, Arc::new(PortClock))
            .with_protocol_versions(&self.versions()?)
            .map_err(|_| UsslResult::Internal)?;
        let builder = match self.root_store()? {
            None => builder.with_no_client_auth(),
            Some(roots) => {
                let required = self.settings.verify_mode == VerifyMode::Required;
                let verifier = ClientVerifier::new(roots, required).map_err(|_| UsslResult::InvalidCertificateData)?;
                builder.with_client_cert_verifier(Arc::new(verifier))
            }
        };
        let mut config = match &self.settings.own {
            // A PSK server shows no certificate (rustls wants one all the same).
            _ if self.settings.psk.is_on() => builder.with_cert_resolver(Arc::new(
                rustls::sign::SingleCertAndKey::from(super::psk_server::placeholder_certificate()),
            )),
            Some(own) if self.settings.sign_hook != 0 => builder
                .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(self.hooked_certificate(own)?))),
            Some(own) => builder
                .with_single_cert(own.chain.clone(), own.key.clone_key())
                .map_err(|_| UsslResult::KeyDoesNotMatchCertificate)?,
            // mainline MicroPython lets a server socket be made before its certificate is
            // loaded; its handshakes then fail with handshake_failure.
            None => builder.with_cert_resolver(Arc::new(NoCertificate)),
        };
        if self.settings.psk.is_on() {
            // Each connection gets a copy with its own key slot (`Connection::server`); PSK
            // handshakes leave no tickets and no sessions.
            config.send_tls13_tickets = 0;
        } else {
            config.ticketer = self.server_state.ticketer.clone();
            config.session_storage = self.server_state.cache.clone();
            // One ticket per handshake: a board's client keeps only the newest anyway.
            config.send_tls13_tickets = 1;
        }
        if let Some(log) = &self.settings.engine.key_log {
            config.key_log = log.clone();
        }
        // A client offering none of these is refused (no_application_protocol), as RFC 7301 says.
        config.alpn_protocols = self.settings.alpn.clone();
        Ok(config)
    }

    /// The config and the verifier in it (which sessions rebuilt from bytes are tied to).
    fn build_client_config(
        &self,
        check_name: bool,
    ) -> Result<(ClientConfig, Arc<dyn rustls::client::danger::ServerCertVerifier>), UsslResult> {
        // A PSK client checks no certificate: rustls (patched) fails a handshake that does not
        // take the PSK at the ServerHello, before any certificate could arrive.
        let roots = if self.settings.psk.is_on() { None } else { self.root_store()? };
        let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> =
            Arc::new(ServerVerifier::new(roots, check_name).with_pinned(self.settings.anchors.pinned.clone()));
        let builder = ClientConfig::builder_with_details(self.provider()?, Arc::new(PortClock))
            .with_protocol_versions(&self.versions()?)
            .map_err(|_| UsslResult::Internal)?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone());
        let mut config = match &self.settings.own {
            Some(own) if self.settings.sign_hook != 0 => builder.with_client_cert_resolver(Arc::new(
                rustls::sign::SingleCertAndKey::from(self.hooked_certificate(own)?),
            )),
            Some(own) => builder
                .with_client_auth_cert(own.chain.clone(), own.key.clone_key())
                .map_err(|_| UsslResult::KeyDoesNotMatchCertificate)?,
            None => builder.with_no_client_auth(),
        };
        // Sessions are kept by server name. Without a name every server would share one entry
        // (rustls needs some name: we give 0.0.0.0), so a nameless connection keeps and offers none.
        config.alpn_protocols = self.settings.alpn.clone();
        if let Some(log) = &self.settings.engine.key_log {
            config.key_log = log.clone();
        }
        if let crate::psk::Psk::Client { identity, key } = &self.settings.psk {
            config.external_psk = Some(Arc::new(rustls::ussl_psk::ExternalPsk::new(identity.clone(), key.to_vec())));
        }
        config.resumption = if check_name && !self.settings.psk.is_on() {
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
