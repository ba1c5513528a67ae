//! The built-in trust store behind `load_default_certs()`: Mozilla's whole root set
//! (`roots-mozilla`, from the webpki-roots crate: the unix build), or else a compact set of the
//! roots that the services boards talk to chain to (`roots`: the files of roots/compact, or of
//! USSL_ROOTS_DIR at build time; roots/README.md lists them and why).

use alloc::vec::Vec;

use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use crate::result::UsslResult;

#[cfg(all(feature = "roots", not(feature = "roots-mozilla")))]
include!(concat!(env!("OUT_DIR"), "/roots.rs"));

/// Adds the built-in roots to `store` (and their DER to `ders`, when the build has it); returns
/// how many.
pub fn add_to(store: &mut RootCertStore, ders: &mut Vec<CertificateDer<'static>>) -> Result<usize, UsslResult> {
    #[cfg(feature = "roots-mozilla")]
    {
        let _ = ders;
        let before = store.len();
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        Ok(store.len() - before)
    }
    #[cfg(all(feature = "roots", not(feature = "roots-mozilla")))]
    {
        let mut added = 0;
        for data in COMPACT {
            let certs = crate::keys::load_certificates(data)?;
            ders.extend(certs.iter().cloned());
            added += store.add_parsable_certificates(certs).0;
        }
        Ok(added)
    }
    #[cfg(not(any(feature = "roots", feature = "roots-mozilla")))]
    {
        let _ = (store, ders);
        Err(UsslResult::RootsNotBuilt)
    }
}

#[cfg(all(test, feature = "roots", not(feature = "roots-mozilla")))]
mod tests {
    use super::*;

    #[test]
    fn every_compact_root_is_a_trust_anchor() {
        let (mut store, mut ders) = (RootCertStore::empty(), Vec::new());
        assert_eq!(add_to(&mut store, &mut ders), Ok(COMPACT.len()));
        assert_eq!(ders.len(), COMPACT.len());
        assert!(COMPACT.len() >= 16, "the set in roots/compact");
    }
}

#[cfg(all(test, not(any(feature = "roots", feature = "roots-mozilla"))))]
mod tests_without {
    use super::*;

    #[test]
    fn a_build_without_roots_says_so() {
        let (mut store, mut ders) = (RootCertStore::empty(), Vec::new());
        assert_eq!(add_to(&mut store, &mut ders), Err(UsslResult::RootsNotBuilt));
        assert!(store.is_empty());
    }
}
