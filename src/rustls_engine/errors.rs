//! rustls's errors as our result codes, with the detail worth adding to their text.

use alloc::string::String;
use rustls::{AlertDescription, CertificateError, Error, InvalidMessage, PeerIncompatible};

use crate::result::{alert_name, left_out_note, UsslResult, CLOCK_NOT_SET_TAG};

/// Maps a rustls error to our code. Our own verifier reports clock trouble as `General` with
/// [`CLOCK_NOT_SET_TAG`], since rustls has no variant for it.
pub fn from_rustls(err: &Error) -> UsslResult {
    use UsslResult as R;
    match err {
        Error::InvalidCertificate(c) => from_cert_error(c),
        Error::AlertReceived(_) => R::PeerAlert,
        Error::DecryptError => R::DecryptFailed,
        Error::InvalidMessage(InvalidMessage::MessageTooLarge) | Error::PeerSentOversizedRecord => R::RecordOverflow,
        Error::InvalidMessage(_) => R::PeerMisbehaved,
        Error::InappropriateMessage { .. } | Error::InappropriateHandshakeMessage { .. } => R::UnexpectedMessage,
        Error::PeerIncompatible(_) => R::PeerIncompatible,
        Error::PeerMisbehaved(_) => R::PeerMisbehaved,
        Error::NoCertificatesPresented => R::NoPeerCertificate,
        Error::NoApplicationProtocol => R::PeerIncompatible,
        Error::FailedToGetRandomBytes => R::RandomFailed,
        Error::FailedToGetCurrentTime => R::ClockNotSet,
        Error::General(msg) if msg == CLOCK_NOT_SET_TAG => R::ClockNotSet,
        Error::General(msg) if msg == rustls::ussl_psk::NO_KEY_FOR_IDENTITY => R::PskUnknownIdentity,
        Error::General(msg) if msg == rustls::ussl_psk::PSK_NOT_SELECTED => R::PskNotSelected,
        Error::General(msg) if msg == crate::provider::sign_hook::SIGN_HOOK_FAILED => R::SignHookFailed,
        Error::HandshakeNotComplete => R::HandshakeNotComplete,
        _ => R::Internal,
    }
}

fn from_cert_error(err: &CertificateError) -> UsslResult {
    use UsslResult as R;
    match err {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => R::CertExpired,
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => R::CertNotYetValid,
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => R::HostnameMismatch,
        CertificateError::UnknownIssuer => R::UnknownIssuer,
        CertificateError::BadSignature => R::CertBadSignature,
        CertificateError::Revoked => R::CertRevoked,
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => R::CertInvalidPurpose,
        CertificateError::BadEncoding => R::CertBadEncoding,
        _ => R::CertInvalid,
    }
}

/// Detail worth adding to a code's text, such as the alert the peer sent. Static texts put
/// together by concatenation: no `core::fmt` (its machinery costs flash on a board).
pub fn detail(err: &Error) -> Option<String> {
    let parts: [&str; 3] = match err {
        // The peer found nothing it takes in what we offered: perhaps what the build left out.
        Error::AlertReceived(
            alert @ (AlertDescription::HandshakeFailure
            | AlertDescription::InsufficientSecurity
            | AlertDescription::ProtocolVersion),
        ) => ["peer sent alert ", alert_name(u8::from(*alert)), &left_out_note()],
        Error::AlertReceived(alert) => ["peer sent alert ", alert_name(u8::from(*alert)), ""],
        Error::PeerIncompatible(p) => ["peer is incompatible: ", peer_incompatible_text(p), &left_out_note()],
        Error::NoApplicationProtocol => ["peer is incompatible: no ALPN protocol in common", "", ""],
        Error::InvalidCertificate(CertificateError::UnsupportedSignatureAlgorithmContext { .. }) => {
            ["certificate is signed with an algorithm this build does not verify", &left_out_note(), ""]
        }
        Error::General(msg)
            if msg != CLOCK_NOT_SET_TAG
                && msg != rustls::ussl_psk::NO_KEY_FOR_IDENTITY
                && msg != rustls::ussl_psk::PSK_NOT_SELECTED
                && msg != crate::provider::sign_hook::SIGN_HOOK_FAILED =>
        {
            ["TLS error: ", msg, ""]
        }
        _ => return None,
    };
    Some(parts.concat())
}

fn peer_incompatible_text(p: &PeerIncompatible) -> &'static str {
    use PeerIncompatible as P;
    match p {
        P::NoCipherSuitesInCommon => "no cipher suite in common",
        P::NoKxGroupsInCommon => "no key exchange group in common",
        P::NoSignatureSchemesInCommon | P::NoCertificateRequestSignatureSchemesInCommon => {
            "no signature scheme in common"
        }
        P::ServerDoesNotSupportTls12Or13 | P::ServerTlsVersionIsDisabledByOurConfig => "no TLS version in common",
        P::Tls12NotOffered | P::Tls12NotOfferedOrEnabled | P::SupportedVersionsExtensionRequired => {
            "the peer offers no TLS version this side has enabled"
        }
        P::ExtendedMasterSecretExtensionRequired => "the peer does not do extended master secret",
        P::NoEcPointFormatsInCommon | P::UncompressedEcPointsRequired | P::EcPointsExtensionRequired => {
            "no EC point format in common"
        }
        P::NullCompressionRequired => "the peer requires compression",
        _ => "a required extension is missing or not supported",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every detail fits the shim's buffer with the code's text beside it, whatever the alert or
    /// incompatibility, with this build's note on what it leaves out (`make test-rust` runs the
    /// full and client profiles).
    #[test]
    fn every_detail_fits_the_shims_buffer() {
        let cap = crate::limits::UsslLimit::ErrorTextCap.get();
        let mut errors: alloc::vec::Vec<Error> =
            (0..=255u8).map(|a| Error::AlertReceived(AlertDescription::from(a))).collect();
        errors.extend(
            [
                PeerIncompatible::NoCipherSuitesInCommon,
                PeerIncompatible::ServerDoesNotSupportTls12Or13,
                PeerIncompatible::Tls12NotOffered,
                PeerIncompatible::ExtendedMasterSecretExtensionRequired,
                PeerIncompatible::NullCompressionRequired,
            ]
            .map(Error::PeerIncompatible),
        );
        errors.push(Error::InvalidCertificate(CertificateError::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id: alloc::vec::Vec::new(),
            supported_algorithms: alloc::vec::Vec::new(),
        }));
        for err in &errors {
            let text = detail(err).unwrap_or_default();
            assert!(text.len() < cap, "{text:?} does not fit in {cap} bytes");
        }
    }

    #[test]
    fn alert_names_are_snake_case() {
        assert_eq!(alert_name(u8::from(AlertDescription::HandshakeFailure)), "handshake_failure");
        assert_eq!(alert_name(u8::from(AlertDescription::BadCertificate)), "bad_certificate");
        assert_eq!(alert_name(u8::from(AlertDescription::UnknownCA)), "unknown_ca");
        assert_eq!(alert_name(u8::from(AlertDescription::Unknown(200))), "unknown");
    }
}
