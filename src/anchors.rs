//! A context's trust anchors, as both engines keep them: what webpki checks chains against,
//! and the certificates as given (a server presenting one of these itself is trusted directly,
//! and they feed the settings fingerprint).

use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, TrustAnchor};

use crate::result::UsslResult;

/// How a context holds its anchors: owned (the rustls engine, whose configs take a copy) or
/// shared with the connections made under them (`Arc`, the lean engine).
pub trait HoldsAnchors: Default {
    fn anchors(&self) -> &Anchors;

    /// Changes them through `edit` (shared ones are copied, changed and put in their place).
    fn edit<R>(&mut self, edit: impl FnOnce(&mut Anchors) -> R) -> R;

    /// Runs `add` (which adds anchors and says how many). When the heap ran dry meanwhile, every
    /// anchor is let go (they may now sit partly in the reserve, vectors included): the caller
    /// gets MemoryError and loads them again.
    fn add_with(&mut self, add: impl FnOnce(&mut Anchors) -> Result<usize, UsslResult>) -> Result<usize, UsslResult> {
        let (added, ran_dry) = crate::heap_ran_dry_during(|| self.edit(add));
        if ran_dry {
            *self = Self::default();
            return Err(UsslResult::OutOfMemory);
        }
        added
    }

    /// Adds the certificates in `data` (PEM bundle or DER); returns how many became anchors
    /// (none is an error).
    fn load(&mut self, data: &[u8]) -> Result<usize, UsslResult> {
        match self.add_with(|anchors| crate::keys::load_certificates(data).map(|certs| anchors.add(certs)))? {
            0 => Err(UsslResult::InvalidCertificateData),
            n => Ok(n),
        }
    }
}

impl HoldsAnchors for Anchors {
    fn anchors(&self) -> &Anchors {
        self
    }

    fn edit<R>(&mut self, edit: impl FnOnce(&mut Anchors) -> R) -> R {
        edit(self)
    }
}

impl HoldsAnchors for Arc<Anchors> {
    fn anchors(&self) -> &Anchors {
        self
    }

    fn edit<R>(&mut self, edit: impl FnOnce(&mut Anchors) -> R) -> R {
        let mut copy = Anchors::clone(self);
        let out = edit(&mut copy);
        *self = Arc::new(copy);
        out
    }
}

#[derive(Clone, Default)]
pub struct Anchors {
    pub anchors: Vec<TrustAnchor<'static>>,
    /// The certificates given as anchors, as given.
    pub pinned: Vec<CertificateDer<'static>>,
    /// The built-in roots were added (their DER is not always at hand for the fingerprint).
    pub default_roots: bool,
}

impl Anchors {
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Whether `leaf` is one of the certificates given as anchors, byte for byte.
    pub fn is_pinned(&self, leaf: &[u8]) -> bool {
        self.pinned.iter().any(|p| p.as_ref() == leaf)
    }

    /// Adds `certs` (each kept as given, and as an anchor when webpki takes it as one); returns
    /// how many became anchors.
    pub fn add(&mut self, certs: Vec<CertificateDer<'static>>) -> usize {
        let mut added = 0;
        for der in certs {
            if let Ok(anchor) = webpki::anchor_from_trusted_cert(&der) {
                self.anchors.push(anchor.to_owned());
                added += 1;
            }
            self.pinned.push(der);
        }
        added
    }
}
