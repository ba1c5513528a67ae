//! The built-in trust store behind `load_default_certs()`: Mozilla's whole root set
//! (`roots-mozilla`, from the webpki-roots crate: the unix build), or else a compact set of the
//! roots that the services boards talk to chain to (`roots`: the files of roots/compact, or of
//! USSL_ROOTS_DIR at build time; roots/README.md lists them and why).

use crate::anchors::Anchors;
use crate::result::UsslResult;

#[cfg(all(feature = "roots", not(feature = "roots-mozilla")))]
include!(concat!(env!("OUT_DIR"), "/roots.rs"));

/// Adds the built-in roots to `anchors` (their DER too, when the build has it); returns how
/// many.
pub fn add_to(anchors: &mut Anchors) -> Result<usize, UsslResult> {
    #[cfg(feature = "roots-mozilla")]
    {
        let before = anchors.anchors.len();
        anchors.anchors.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        Ok(anchors.anchors.len() - before)
    }
    #[cfg(all(feature = "roots", not(feature = "roots-mozilla")))]
    {
        let mut added = 0;
        for data in COMPACT {
            added += anchors.add(crate::keys::load_certificates(data)?);
        }
        Ok(added)
    }
    #[cfg(not(any(feature = "roots", feature = "roots-mozilla")))]
    {
        let _ = anchors;
        Err(UsslResult::RootsNotBuilt)
    }
}

#[cfg(all(test, feature = "roots", not(feature = "roots-mozilla")))]
mod tests {
    use super::*;

    #[test]
    fn every_compact_root_is_a_trust_anchor() {
        let mut anchors = Anchors::default();
        assert_eq!(add_to(&mut anchors), Ok(COMPACT.len()));
        assert_eq!(anchors.pinned.len(), COMPACT.len());
        assert!(COMPACT.len() >= 16, "the set in roots/compact");
    }
}

#[cfg(all(test, not(any(feature = "roots", feature = "roots-mozilla"))))]
mod tests_without {
    use super::*;

    #[test]
    fn a_build_without_roots_says_so() {
        let mut anchors = Anchors::default();
        assert_eq!(add_to(&mut anchors), Err(UsslResult::RootsNotBuilt));
        assert!(anchors.is_empty());
    }
}
