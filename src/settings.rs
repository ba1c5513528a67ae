//! A context's settings, in both engines: one struct, and one fingerprint over it.
//!
//! The fingerprint decides whether a session may be resumed under a context, and which
//! contexts may share server state; a field it missed would let a session resume under other
//! settings. So it is computed from the whole struct by a destructuring `let`: a field added
//! here does not compile until it is fed to the digest, or said not to be (with the reason).
//! What only one engine has lives in its `EngineSettings`, fingerprinted the same way.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::convert::Infallible;

use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use crate::anchors::{Anchors, HoldsAnchors};
use crate::psk::Psk;
use crate::result::UsslResult;

/// The settings only one engine has (the rustls engine's suites and key log). `feed` puts
/// every one that decides what a session may be resumed under into the digest, and must
/// destructure `self` as `Settings::fingerprint` does.
pub trait EngineSettings {
    /// How the engine's contexts hold their trust anchors.
    type Anchors: HoldsAnchors;
    /// Our own certificate and key: `OwnCertificate`, or `Infallible` in an engine that never
    /// takes one (the compiler then leaves out whatever handles it).
    type Own: OwnSetting;

    fn feed(&self, digest: &mut Sha256);
}

/// The lean engine has none of its own; its connections share the context's anchors.
impl EngineSettings for () {
    type Anchors = Arc<Anchors>;
    type Own = Infallible;

    fn feed(&self, _digest: &mut Sha256) {}
}

/// Our own certificate chain (leaf first) and its private key.
pub struct OwnCertificate {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

/// What the fingerprint takes from our own certificate: its chain, after the anchors, and a
/// digest of its key.
pub trait OwnSetting {
    fn chain(&self) -> &[CertificateDer<'static>];
    fn feed_key(&self, digest: &mut Sha256);
}

impl OwnSetting for OwnCertificate {
    fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    fn feed_key(&self, digest: &mut Sha256) {
        let Self { chain: _, key } = self;
        digest.update(Sha256::digest(key.secret_der()));
    }
}

impl OwnSetting for Infallible {
    fn chain(&self) -> &[CertificateDer<'static>] {
        match *self {}
    }

    fn feed_key(&self, _digest: &mut Sha256) {
        match *self {}
    }
}

pub struct Settings<E: EngineSettings> {
    pub verify_mode: VerifyMode,
    /// Mainline's rule: a client that verifies must name the server (the tls module sets it;
    /// ussl's API verifies the chain alone when no server_hostname is given).
    pub hostname_required: bool,
    /// ALPN protocols offered (client) or accepted (server), in order of preference.
    pub alpn: Vec<Vec<u8>>,
    pub anchors: E::Anchors,
    pub own: Option<E::Own>,
    /// TLS-PSK (`crate::psk`): with it on, PSK handshakes only.
    pub psk: Psk,
    /// The shim's name for the script's signing hook (`crate::sign_hook`), 0 for none.
    pub sign_hook: usize,
    pub engine: E,
}

impl<E: EngineSettings> Settings<E> {
    pub fn new(server_side: bool, engine: E) -> Self {
        Self {
            verify_mode: if server_side { VerifyMode::None } else { VerifyMode::Required },
            hostname_required: false,
            alpn: Vec::new(),
            anchors: E::Anchors::default(),
            own: None,
            psk: Psk::Off,
            sign_hook: 0,
            engine,
        }
    }

    /// A digest of every setting that decides whether a session may be resumed, for a
    /// connection that checks the server's name (`check_name`) or not.
    pub fn fingerprint(&self, check_name: bool) -> [u8; 32] {
        // Every field, by name: a new one is a compile error here until it is decided.
        let Self {
            verify_mode,
            // Decides only whether a connection may be made without a name; whether the name
            // is checked is `check_name`.
            hostname_required: _,
            alpn,
            anchors,
            own,
            psk,
            // Who signs with our key does not decide what a session may be resumed under (the
            // key does: `own`).
            sign_hook: _,
            engine,
        } = self;
        // `anchors` are made from `pinned`, which is fed whole.
        let Anchors { anchors: _, pinned, default_roots } = anchors.anchors();
        let mut h = Sha256::new();
        h.update([*verify_mode as u8, u8::from(check_name), u8::from(*default_roots)]);
        let chain = own.as_ref().map_or(&[][..], |own| own.chain());
        for der in pinned.iter().chain(chain) {
            h.update((der.len() as u32).to_be_bytes());
            h.update(der.as_ref());
        }
        if let Some(own) = own {
            own.feed_key(&mut h);
        }
        engine.feed(&mut h);
        psk.feed(&mut h);
        for protocol in alpn {
            h.update([protocol.len() as u8]);
            h.update(protocol);
        }
        h.finalize().into()
    }

    /// Mainline's rule: a client that verifies must name the server.
    pub fn check_client_name(&self, hostname: Option<&str>) -> Result<(), UsslResult> {
        if hostname.is_none() && self.hostname_required && self.verify_mode == VerifyMode::Required {
            return Err(UsslResult::HostnameRequired);
        }
        Ok(())
    }

    /// The anchors a client checks the server against; None for CERT_NONE.
    pub fn anchors_to_verify(&self) -> Result<Option<&E::Anchors>, UsslResult> {
        match self.verify_mode {
            VerifyMode::None => Ok(None),
            VerifyMode::Optional | VerifyMode::Required if self.anchors.anchors().is_empty() => {
                Err(UsslResult::CaCertsRequired)
            }
            VerifyMode::Optional | VerifyMode::Required => Ok(Some(&self.anchors)),
        }
    }
}

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

/// ALPN protocols from their names, each 1 to 255 bytes long (RFC 7301); none for none.
pub fn alpn_from_names<'a>(names: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Vec<u8>>, UsslResult> {
    let mut protocols = Vec::new();
    for name in names {
        if !(1..=255).contains(&name.len()) {
            return Err(UsslResult::InvalidAlpn);
        }
        protocols.push(name.to_vec());
    }
    Ok(protocols)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use rustls_pki_types::PrivatePkcs8KeyDer;

    /// An engine with suites of its own and our own certificate, as the rustls engine has.
    struct WithSuites(Vec<u16>);

    impl EngineSettings for WithSuites {
        type Anchors = Anchors;
        type Own = OwnCertificate;

        fn feed(&self, digest: &mut Sha256) {
            let Self(suites) = self;
            for suite in suites {
                digest.update(suite.to_be_bytes());
            }
        }
    }

    fn key(byte: u8) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(vec![byte; 8]))
    }

    /// Every setting that decides resumption changes the fingerprint; hostname_required does not.
    #[test]
    fn every_setting_feeds_the_fingerprint() {
        let base = || Settings::new(false, WithSuites(vec![0x1301]));
        let reference = base().fingerprint(true);
        let changes: [(&str, fn(&mut Settings<WithSuites>)); 8] = [
            ("verify_mode", |s| s.verify_mode = VerifyMode::Optional),
            ("alpn", |s| s.alpn.push(b"h2".to_vec())),
            ("pinned", |s| s.anchors.pinned.push(CertificateDer::from(vec![1, 2, 3]))),
            ("default_roots", |s| s.anchors.default_roots = true),
            ("own chain", |s| s.own = Some(OwnCertificate { chain: vec![CertificateDer::from(vec![4])], key: key(1) })),
            ("own key", |s| s.own = Some(OwnCertificate { chain: Vec::new(), key: key(2) })),
            ("engine", |s| s.engine.0.push(0x1302)),
            ("psk", |s| s.psk = Psk::Server),
        ];
        for (name, change) in changes {
            let mut changed = base();
            change(&mut changed);
            assert_ne!(changed.fingerprint(true), reference, "{name} does not feed the fingerprint");
        }
        assert_ne!(base().fingerprint(false), reference, "check_name does not feed the fingerprint");
        let mut named = base();
        named.hostname_required = true;
        assert_eq!(named.fingerprint(true), reference);
    }

    #[test]
    fn alpn_names_are_1_to_255_bytes() {
        let long = [b'x'; 256];
        assert_eq!(alpn_from_names([&b"h2"[..], b"http/1.1"]), Ok(vec![b"h2".to_vec(), b"http/1.1".to_vec()]));
        assert_eq!(alpn_from_names([&long[..255]]).map(|p| p.len()), Ok(1));
        assert_eq!(alpn_from_names([&long[..]]), Err(UsslResult::InvalidAlpn));
        assert_eq!(alpn_from_names([&b"h2"[..], b""]), Err(UsslResult::InvalidAlpn));
        assert_eq!(alpn_from_names([]), Ok(Vec::new()));
    }

    #[test]
    fn a_client_that_verifies_must_name_the_server_when_required() {
        let mut s = Settings::new(false, ());
        assert_eq!(s.check_client_name(None), Ok(()));
        s.hostname_required = true;
        assert_eq!(s.check_client_name(None), Err(UsslResult::HostnameRequired));
        assert_eq!(s.check_client_name(Some("example.com")), Ok(()));
        s.verify_mode = VerifyMode::None;
        assert_eq!(s.check_client_name(None), Ok(()));
    }
}
