//! How a client judges the server's certificate, in both engines: the clock must be plausible,
//! the chain must lead to a trust anchor (or the leaf must be one of the anchors as given, within
//! its validity period), and the name, when the caller gave one, must be the certificate's. The
//! engines run the chain and name checks (webpki, through rustls or directly) and map the
//! refusals to their own errors; the order and the exceptions are decided here.

use rustls_pki_types::CertificateDer;

use crate::pinned::Validity;

/// Fails closed when the clock was never set: a board that boots in 2000 would otherwise
/// reject every certificate as "not yet valid", or worse, accept expired ones after a reset.
pub fn clock_is_set(now_secs: u64) -> bool {
    now_secs >= crate::port::EARLIEST_PLAUSIBLE_TIME
}

/// Why a certificate was refused: the engine's own check's error, or the validity period of a
/// leaf trusted as itself.
pub enum Refusal<E> {
    Check(E),
    Pinned(Validity),
}

/// The name check the caller asked for: the DNS name (None for an IP address, which a common
/// name never matches) and the engine's check of the certificate's subjectAltNames.
pub struct NameCheck<'a, F> {
    pub dns: Option<&'a str>,
    pub check: F,
}

/// The verdict on `leaf`, given the engine's chain check `chained`: a leaf that is one of
/// `pinned` needs no chain, only to be valid `now_secs`; then the name, when asked for.
pub fn judge<E, F: FnOnce() -> Result<(), E>>(
    leaf: &[u8],
    pinned: &[CertificateDer<'_>],
    now_secs: u64,
    chained: Result<(), E>,
    name: Option<NameCheck<'_, F>>,
) -> Result<(), Refusal<E>> {
    let mut trusted_as_itself = false;
    if let Err(err) = chained {
        if !pinned.iter().any(|p| p.as_ref() == leaf) {
            return Err(Refusal::Check(err));
        }
        match crate::pinned::validity(leaf, now_secs) {
            Validity::Valid => {}
            other => return Err(Refusal::Pinned(other)),
        }
        trusted_as_itself = true;
    }
    if let Some(NameCheck { dns, check }) = name {
        if let Err(err) = check() {
            // CA-issued certificates must name the host in a SAN (the Web PKI's rule); a pinned
            // self-signed one may do it in its common name, as mbedTLS allows.
            let by_common_name =
                trusted_as_itself && dns.is_some_and(|dns| crate::pinned::common_name_matches(leaf, dns));
            if !by_common_name {
                return Err(Refusal::Check(err));
            }
        }
    }
    Ok(())
}
