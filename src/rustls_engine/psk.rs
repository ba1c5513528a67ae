//! TLS-PSK on the rustls engine (TLS 1.3 external PSK through patches/rustls-0.23.48.patch,
//! `rustls::ussl_psk`): the suites a PSK context offers. A server's lookup is `psk_server`.

use alloc::vec::Vec;

use rustls::SupportedCipherSuite;

use crate::result::UsslResult;

/// The suites a PSK context offers: its TLS 1.3 suites that hash with SHA-256, the hash an
/// external PSK has when none is named (RFC 8446 section 4.2.11), then TLS 1.2's PSK suite
/// when the context has TLS 1.2 suites (mainline's mbedTLS module speaks that one).
pub fn psk_suites(suites: &[SupportedCipherSuite]) -> Result<Vec<SupportedCipherSuite>, UsslResult> {
    let mut kept: Vec<_> = suites
        .iter()
        .copied()
        .filter(|s| matches!(s, SupportedCipherSuite::Tls13(t) if t.common.hash_provider.algorithm() == rustls::crypto::hash::HashAlgorithm::SHA256))
        .collect();
    #[cfg(feature = "tls12")]
    if suites.iter().any(|s| matches!(s, SupportedCipherSuite::Tls12(_))) {
        kept.extend_from_slice(crate::provider::PSK_CIPHER_SUITES);
    }
    if kept.is_empty() {
        return Err(UsslResult::UnknownCipherSuite);
    }
    Ok(kept)
}
