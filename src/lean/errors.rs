//! embedded-tls's errors as our result codes, with text that names the lean engine where what
//! it leaves out is the likely cause.

use alloc::string::String;

use embedded_tls::alert::AlertDescription;
use embedded_tls::blocking::TlsError;

use crate::result::{alert_name, UsslResult};

const LEAN_NOTE: &str = " (the lean engine speaks TLS 1.3 only, with TLS_AES_128_GCM_SHA256 and a P-256 key share)";

/// The code and detail for `err`; `verifier_failure` is what our verifier recorded, which
/// embedded-tls reports only as InvalidCertificate.
pub fn from_tls(err: &TlsError, verifier_failure: Option<UsslResult>) -> (UsslResult, Option<String>) {
    use UsslResult as R;
    let (code, parts): (UsslResult, [&str; 3]) = match err {
        TlsError::InvalidCertificate => (verifier_failure.unwrap_or(R::CertInvalid), ["", "", ""]),
        TlsError::HandshakeAborted(_, description) => {
            let note = match description {
                AlertDescription::HandshakeFailure
                | AlertDescription::ProtocolVersion
                | AlertDescription::InsufficientSecurity
                | AlertDescription::IllegalParameter => LEAN_NOTE,
                _ => "",
            };
            (R::PeerAlert, ["peer sent alert ", alert_name(*description as u8), note])
        }
        TlsError::InvalidHandshake => {
            (R::UnexpectedMessage, ["peer sent an unexpected message (or skipped Certificate/CertificateVerify)", "", ""])
        }
        TlsError::InvalidSignature => (R::PeerMisbehaved, ["the server's Finished does not verify", "", ""]),
        TlsError::PskNotSelected => (R::PskNotSelected, ["", "", ""]),
        TlsError::CryptoError => (R::DecryptFailed, ["", "", ""]),
        TlsError::InsufficientSpace => (R::RecordOverflow, ["", "", ""]),
        TlsError::InvalidCipherSuite | TlsError::InvalidSupportedVersions | TlsError::InvalidKeyShare => {
            (R::PeerIncompatible, ["peer is incompatible", LEAN_NOTE, ""])
        }
        TlsError::Unimplemented => (
            R::PeerIncompatible,
            ["the server sent a message the lean engine does not handle (KeyUpdate, post-handshake CertificateRequest)", "", ""],
        ),
        TlsError::OutOfMemory | TlsError::Io(embedded_io::ErrorKind::OutOfMemory) => (R::OutOfMemory, ["", "", ""]),
        TlsError::Io(_) | TlsError::IoError => (R::ClosedDuringHandshake, ["", "", ""]),
        TlsError::InternalError
        | TlsError::EncodeError
        | TlsError::UnableToInitializeCryptoEngine
        | TlsError::MissingHandshake
        | TlsError::InvalidPrivateKey => (R::Internal, ["", "", ""]),
        _ => (R::PeerMisbehaved, ["", "", ""]),
    };
    let detail = parts.concat();
    (code, (!detail.is_empty()).then_some(detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every detail fits the shim's buffer (`UsslLimit::ErrorTextCap`), its NUL included.
    #[test]
    fn every_detail_fits_the_shims_buffer() {
        let cap = crate::limits::UsslLimit::ErrorTextCap.get();
        let longest_alert = (0..=255u8).map(|a| alert_name(a).len()).max().unwrap_or(0);
        assert!("peer sent alert ".len() + longest_alert + LEAN_NOTE.len() < cap);
        for err in
            [TlsError::InvalidHandshake, TlsError::InvalidSignature, TlsError::InvalidKeyShare, TlsError::Unimplemented]
        {
            let (_, detail) = from_tls(&err, None);
            let text = detail.unwrap_or_default();
            assert!(text.len() < cap, "{text:?} does not fit in {cap} bytes");
        }
    }
}
