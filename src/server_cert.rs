//! How a client judges the server's certificate, in both engines: the clock must be plausible
//! (checked first), the chain must lead to a trust anchor or else the leaf must be one of the
//! anchors as given, within its validity period; then the name, when the caller gave one, must
//! be in the certificate's subjectAltNames or, for a leaf trusted as itself, its common name.
//! The engines run the chain and name checks (webpki, through rustls or directly) in that order
//! and map refusals to their own errors; the exceptions are decided here. (Plain functions, not
//! one generic over the engines' errors: that cost 100-200 B of flash per engine on thumbv6m.)

use rustls_pki_types::CertificateDer;

use crate::pinned::Validity;

/// Fails closed when the clock was never set: a board that boots in 2000 would otherwise
/// reject every certificate as "not yet valid", or worse, accept expired ones after a reset.
pub fn clock_is_set(now_secs: u64) -> bool {
    now_secs >= crate::port::EARLIEST_PLAUSIBLE_TIME
}

/// After the engine's chain check failed: whether `leaf` is trusted as itself instead, being one
/// of the certificates given as anchors (`pinned`, byte for byte) and valid at `now_secs`.
/// Ok(false): it is not pinned, and the chain's error stands; Err: pinned, but out of its
/// validity period (or unreadable).
// Out of line in the lean image: inlined, they bring webpki's name check inline with them there
// (100 B more thumbv6m flash); in the rustls image inlining is the smaller (by 96 B).
#[cfg_attr(feature = "lean", inline(never))]
pub fn trusted_as_itself(leaf: &[u8], pinned: &[CertificateDer<'_>], now_secs: u64) -> Result<bool, Validity> {
    if !pinned.iter().any(|p| p.as_ref() == leaf) {
        return Ok(false);
    }
    match crate::pinned::validity(leaf, now_secs) {
        Validity::Valid => Ok(true),
        other => Err(other),
    }
}

/// After the engine's name check (subjectAltNames) failed: whether the leaf names the host in
/// its common name instead. CA-issued certificates must name the host in a SAN (the Web PKI's
/// rule); a pinned self-signed one may do it in its common name, as mbedTLS allows. `dns` is
/// None for an IP address, which a common name never matches.
#[cfg_attr(feature = "lean", inline(never))]
pub fn named_by_common_name(leaf: &[u8], trusted_as_itself: bool, dns: Option<&str>) -> bool {
    trusted_as_itself && dns.is_some_and(|dns| crate::pinned::common_name_matches(leaf, dns))
}
