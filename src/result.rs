//! Numbered result codes with text, in blocks like rustls-ffi's. The shim raises from these:
//! 1xx are the caller's mistakes (TypeError/ValueError), everything from 2xx up is an SSLError
//! carrying the code and its text; 500 is MemoryError.

use alloc::string::String;

#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsslResult {
    Ok = 0,

    // 1xx: bad arguments
    NullArgument = 100,
    InvalidArgument = 101,
    InvalidHostname = 102,
    InvalidVerifyMode = 103,
    UnknownCipherSuite = 104,
    InvalidAlpn = 105,
    InvalidSessionData = 106,
    SessionUsedUp = 107,
    UnknownGroup = 108,
    NoCertificatesFound = 110,
    InvalidCertificateData = 111,
    NoPrivateKeyFound = 112,
    UnsupportedPrivateKey = 113,
    KeyDoesNotMatchCertificate = 114,
    CaCertsRequired = 115,
    MissingCertificateOrKey = 116,
    HostnameRequired = 117,
    // 12x: a part left out of this build (NotImplementedError)
    ServerNotBuilt = 120,
    CertInfoNotBuilt = 121,
    RsaNotBuilt = 122,
    RootsNotBuilt = 123,
    SessionsNotBuilt = 124,
    KeyLogNotBuilt = 125,
    ClientCertNotBuilt = 126,
    // hashlib and cryptolib (src/pycrypto): MicroPython's own modules' ValueErrors, same texts.
    HashFinal = 130,
    CipherMode = 131,
    CipherKey = 132,
    CipherIv = 133,
    CipherBlockSize = 134,
    CipherDirection = 135,
    OutputTooSmall = 136,

    // 2xx: connection state
    HandshakeNotComplete = 200,
    ConnectionClosed = 201,
    SocketFailed = 202,
    NoSession = 203,

    // 3xx: certificate verification
    CertExpired = 300,
    CertNotYetValid = 301,
    HostnameMismatch = 302,
    UnknownIssuer = 303,
    CertBadSignature = 304,
    CertRevoked = 305,
    CertInvalidPurpose = 306,
    CertBadEncoding = 307,
    CertInvalid = 308,
    ClockNotSet = 309,
    NoPeerCertificate = 310,
    VerifyCallbackRefused = 311,

    // 4xx: the peer
    PeerAlert = 400,
    PeerNotTls = 401,
    PeerMisbehaved = 402,
    DecryptFailed = 403,
    RecordOverflow = 404,
    PeerIncompatible = 405,
    ClosedDuringHandshake = 406,
    HandshakeTimeout = 407,
    UnexpectedMessage = 408,

    // 5xx: local
    OutOfMemory = 500,
    RandomFailed = 501,
    Internal = 502,
}

/// What a result code becomes in Python (`ussl_result_kind`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsslErrorKind {
    /// Success: nothing to raise.
    None = 0,
    /// The caller's mistake in a value: ValueError.
    Value = 1,
    /// The caller's mistake in a type or a missing argument: TypeError.
    Type = 2,
    /// A part left out of this build: NotImplementedError.
    NotBuilt = 3,
    /// MemoryError.
    Memory = 4,
    /// The peer's certificate failed verification: SSLError in ussl, ValueError in tls (as
    /// mainline's mbedTLS module raises).
    Verify = 5,
    /// Everything else about the connection: SSLError(code, text).
    Tls = 6,
    /// The socket failed under the connection: OSError with the socket's errno
    /// (`ussl_conn_error_errno`).
    Os = 7,
}

impl UsslResult {
    /// The fixed text of a code; connections add detail (such as an alert's name) on top.
    pub fn text(self) -> &'static str {
        use UsslResult::*;
        match self {
            Ok => "ok",
            NullArgument => "a required argument was NULL",
            InvalidArgument => "invalid argument",
            InvalidHostname => "server_hostname is not a valid DNS name or IP address",
            HashFinal => "hash is final",
            CipherMode => "mode",
            CipherKey => "key",
            CipherIv => "IV",
            CipherBlockSize => "blksize % 16",
            CipherDirection => "can't encrypt & decrypt",
            OutputTooSmall => "output too small",
            NoCertificatesFound => "no certificate found in the data (expected PEM or DER)",
            InvalidCertificateData => "invalid certificate data (garbage PEM or DER)",
            NoPrivateKeyFound => "no private key found in the data (expected PEM or DER)",
            UnsupportedPrivateKey => "unsupported private key (ECDSA P-256 and RSA keys are supported)",
            KeyDoesNotMatchCertificate => "the private key does not match the certificate",
            InvalidVerifyMode => "cert_reqs (verify_mode) must be CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED",
            InvalidAlpn => "ALPN protocols must be a list of names of 1 to 255 bytes each",
            InvalidSessionData => "not the bytes of SSLSession.serialize(), or damaged (cut short or changed)",
            SessionUsedUp => {
                "this session's TLS 1.3 ticket was offered already and no newer one arrived: save the session again"
            }
            UnknownCipherSuite => "no known cipher suite in the list (see get_ciphers())",
            UnknownGroup => "a key-exchange group this build does not have, or none (see get_groups())",
            CaCertsRequired => {
                "CERT_REQUIRED and CERT_OPTIONAL need ca_certs (or load_verify_locations(), or load_default_certs())"
            }
            HostnameRequired => "CERT_REQUIRED requires server_hostname",
            MissingCertificateOrKey => "a server needs both a key and a certificate",
            #[cfg(not(feature = "lean"))]
            ServerNotBuilt => "this build has no server side (the engine's Cargo feature `server`)",
            #[cfg(feature = "lean")]
            ServerNotBuilt => "the lean engine (USSL_ENGINE=lean) is a TLS 1.3 client: it has no server side",
            SessionsNotBuilt => {
                "the lean engine (USSL_ENGINE=lean) does not resume sessions (no save_session, SSLSession or session=)"
            }
            KeyLogNotBuilt => "the lean engine (USSL_ENGINE=lean) keeps no key log",
            ClientCertNotBuilt => "the lean engine (USSL_ENGINE=lean) sends no client certificate (no certfile/keyfile)",
            CertInfoNotBuilt => {
                "this build has no getpeercert() dict (Cargo feature `certinfo`); getpeercert(True) gives the DER"
            }
            RsaNotBuilt => "this build has no RSA private keys (Cargo feature `rsa-sign`): use an ECDSA P-256 key",
            RootsNotBuilt => {
                "this build has no built-in root certificates (Cargo feature `roots`): load a CA with load_verify_locations()"
            }
            HandshakeNotComplete => "the handshake has not completed",
            ConnectionClosed => "the connection is closed",
            SocketFailed => "the socket failed",
            NoSession => "the server issued no session to resume (no ticket yet, or resumption refused)",
            CertExpired => "certificate has expired",
            CertNotYetValid => "certificate is not yet valid",
            HostnameMismatch => "hostname mismatch",
            UnknownIssuer => "unknown issuer",
            CertBadSignature => "certificate has a bad signature",
            CertRevoked => "certificate has been revoked",
            CertInvalidPurpose => "certificate is not valid for this purpose",
            CertBadEncoding => "certificate is badly encoded",
            CertInvalid => "certificate is invalid",
            ClockNotSet => {
                "the clock is not set (it reads before 2024), so certificates cannot be checked: set it first, for example with ntptime.settime()"
            }
            NoPeerCertificate => "peer sent no certificate",
            VerifyCallbackRefused => "the verify_callback refused the peer's certificate",
            PeerAlert => "peer sent an alert",
            PeerNotTls => "peer sent data that is not TLS",
            PeerMisbehaved => "peer violated the TLS protocol",
            DecryptFailed => "decryption failed or bad record MAC",
            RecordOverflow => "peer sent a record that is too large",
            PeerIncompatible => "peer has no TLS version or cipher suite in common with us",
            ClosedDuringHandshake => "connection closed during handshake",
            HandshakeTimeout => "handshake timed out",
            UnexpectedMessage => "peer sent an unexpected message",
            OutOfMemory => "out of memory",
            RandomFailed => "the port's random source failed",
            Internal => "internal error",
        }
    }

    /// The Python exception the shim raises for this code: decided here, so that no block of
    /// numbers is written down twice.
    pub fn kind(self) -> UsslErrorKind {
        use UsslResult::*;
        match self {
            Ok => UsslErrorKind::None,
            NullArgument => UsslErrorKind::Type,
            ServerNotBuilt | CertInfoNotBuilt | RsaNotBuilt | RootsNotBuilt | SessionsNotBuilt | KeyLogNotBuilt
            | ClientCertNotBuilt => UsslErrorKind::NotBuilt,
            OutOfMemory => UsslErrorKind::Memory,
            SocketFailed => UsslErrorKind::Os,
            // CPython's set_ciphers raises SSLError ("No cipher can be selected").
            UnknownCipherSuite => UsslErrorKind::Tls,
            // As CPython's set_groups.
            UnknownGroup => UsslErrorKind::Tls,
            CertExpired
            | CertNotYetValid
            | HostnameMismatch
            | UnknownIssuer
            | CertBadSignature
            | CertRevoked
            | CertInvalidPurpose
            | CertBadEncoding
            | CertInvalid
            | ClockNotSet
            | NoPeerCertificate
            | VerifyCallbackRefused => UsslErrorKind::Verify,
            r if (r as u32) < 200 => UsslErrorKind::Value,
            _ => UsslErrorKind::Tls,
        }
    }

    pub fn from_u32(code: u32) -> Option<Self> {
        use UsslResult::*;
        const ALL: &[UsslResult] = &[
            Ok,
            NullArgument,
            InvalidArgument,
            InvalidHostname,
            InvalidVerifyMode,
            UnknownCipherSuite,
            InvalidAlpn,
            InvalidSessionData,
            SessionUsedUp,
            UnknownGroup,
            HashFinal,
            CipherMode,
            CipherKey,
            CipherIv,
            CipherBlockSize,
            CipherDirection,
            OutputTooSmall,
            NoCertificatesFound,
            InvalidCertificateData,
            NoPrivateKeyFound,
            UnsupportedPrivateKey,
            KeyDoesNotMatchCertificate,
            CaCertsRequired,
            MissingCertificateOrKey,
            HostnameRequired,
            ServerNotBuilt,
            CertInfoNotBuilt,
            RsaNotBuilt,
            RootsNotBuilt,
            SessionsNotBuilt,
            KeyLogNotBuilt,
            ClientCertNotBuilt,
            HandshakeNotComplete,
            ConnectionClosed,
            SocketFailed,
            NoSession,
            CertExpired,
            CertNotYetValid,
            HostnameMismatch,
            UnknownIssuer,
            CertBadSignature,
            CertRevoked,
            CertInvalidPurpose,
            CertBadEncoding,
            CertInvalid,
            ClockNotSet,
            NoPeerCertificate,
            VerifyCallbackRefused,
            PeerAlert,
            PeerNotTls,
            PeerMisbehaved,
            DecryptFailed,
            RecordOverflow,
            PeerIncompatible,
            ClosedDuringHandshake,
            HandshakeTimeout,
            UnexpectedMessage,
            OutOfMemory,
            RandomFailed,
            Internal,
        ];
        ALL.iter().copied().find(|r| *r as u32 == code)
    }
}

pub const CLOCK_NOT_SET_TAG: &str = "ussl: clock not set";

/// The engine's Cargo features this build leaves out (README, "Build profiles").
pub fn left_out_features() -> &'static [&'static str] {
    &[
        #[cfg(not(feature = "server"))]
        "server",
        #[cfg(not(feature = "tls12"))]
        "tls12",
        #[cfg(not(feature = "rsa"))]
        "rsa",
        #[cfg(not(feature = "rsa-sign"))]
        "rsa-sign",
        #[cfg(not(feature = "p384"))]
        "p384",
        #[cfg(not(feature = "ed25519"))]
        "ed25519",
        #[cfg(not(feature = "x25519"))]
        "x25519",
        #[cfg(not(feature = "aes256"))]
        "aes256",
        #[cfg(not(feature = "certinfo"))]
        "certinfo",
        #[cfg(not(any(feature = "roots", feature = "roots-mozilla")))]
        "roots",
    ]
}

/// " (this build leaves out: tls12, rsa)", or nothing for a full build: a handshake that fails
/// for want of a feature says so instead of looking like the peer's fault.
pub fn left_out_note() -> String {
    let mut note = String::new();
    for (i, f) in left_out_features().iter().enumerate() {
        note.push_str(if i == 0 { " (this build leaves out: " } else { ", " });
        note.push_str(f);
    }
    if !note.is_empty() {
        note.push(')');
    }
    note
}

/// Alert names as OpenSSL and RFC 8446 spell them ("handshake_failure"), by the alert's number.
pub fn alert_name(alert: u8) -> &'static str {
    match alert {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        121 => "ech_required",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_blocks() {
        assert_eq!(UsslResult::Ok.kind(), UsslErrorKind::None);
        assert_eq!(UsslResult::NullArgument.kind(), UsslErrorKind::Type);
        assert_eq!(UsslResult::InvalidVerifyMode.kind(), UsslErrorKind::Value);
        assert_eq!(UsslResult::HostnameRequired.kind(), UsslErrorKind::Value);
        assert_eq!(UsslResult::UnknownCipherSuite.kind(), UsslErrorKind::Tls);
        assert_eq!(UsslResult::RsaNotBuilt.kind(), UsslErrorKind::NotBuilt);
        assert_eq!(UsslResult::ClockNotSet.kind(), UsslErrorKind::Verify);
        assert_eq!(UsslResult::PeerAlert.kind(), UsslErrorKind::Tls);
        assert_eq!(UsslResult::OutOfMemory.kind(), UsslErrorKind::Memory);
        assert_eq!(UsslResult::SocketFailed.kind(), UsslErrorKind::Os);
        for code in 0..1000 {
            if let Some(r) = UsslResult::from_u32(code) {
                let not_built = matches!(
                    r,
                    UsslResult::ServerNotBuilt
                        | UsslResult::CertInfoNotBuilt
                        | UsslResult::RsaNotBuilt
                        | UsslResult::RootsNotBuilt
                        | UsslResult::SessionsNotBuilt
                        | UsslResult::KeyLogNotBuilt
                        | UsslResult::ClientCertNotBuilt
                );
                assert_eq!(r.kind() == UsslErrorKind::NotBuilt, not_built, "{code}");
            }
        }
    }

    /// `from_u32`'s list is written by hand: this reads the enum from this file, so a code
    /// added there and not to the list fails here.
    #[test]
    fn the_code_list_has_every_variant() {
        let source = include_str!("result.rs");
        let body = source.split("pub enum UsslResult {").nth(1).and_then(|s| s.split('}').next()).unwrap(); // ok-panic: test
        let mut declared = 0;
        for line in body.lines().map(str::trim).filter(|l| l.contains(" = ") && !l.starts_with("//")) {
            let number: u32 = line.split(" = ").nth(1).unwrap().trim_end_matches(',').parse().unwrap(); // ok-panic: test
            assert!(UsslResult::from_u32(number).is_some(), "{line} is missing from from_u32's list");
            declared += 1;
        }
        assert_eq!((0..1000).filter_map(UsslResult::from_u32).count(), declared);
    }

    /// Every code's text fits the shim's buffer, its NUL included.
    #[test]
    fn every_text_fits_the_shims_buffer() {
        let cap = crate::limits::UsslLimit::ErrorTextCap.get();
        for r in (0..1000).filter_map(UsslResult::from_u32) {
            assert!(r.text().len() < cap, "{r:?}'s text does not fit in {cap} bytes");
        }
    }

    #[test]
    fn every_code_round_trips() {
        for code in 0..1000 {
            if let Some(r) = UsslResult::from_u32(code) {
                assert_eq!(r as u32, code);
                assert!(!r.text().is_empty());
            }
        }
        assert_eq!(UsslResult::from_u32(302), Some(UsslResult::HostnameMismatch));
        assert_eq!(UsslResult::from_u32(999), None);
    }
}
