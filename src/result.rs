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
    PskKeyLength = 118,
    PskIdentityLength = 119,
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
    InCallback = 204,

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
    PskUnknownIdentity = 409,
    PskNotSelected = 410,
    PskLookupFailed = 411,
    SignHookFailed = 412,

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
        if self == UsslResult::ServerNotBuilt {
            return SERVER_NOT_BUILT;
        }
        nth_text(TEXTS, ALL.iter().position(|r| *r == self).unwrap_or(0))
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
            // mainline raises OSError (mbedTLS's error) for these.
            PskKeyLength | PskIdentityLength => UsslErrorKind::Tls,
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
        ALL.iter().copied().find(|r| *r as u32 == code)
    }
}

/// Every code and its text, in one list from which `code_table!` makes `ALL` and `TEXTS` (one
/// string of NUL-ended texts, in the same order). A `match` over the codes compiled to a branch,
/// a pointer and a length per code: 764 B of thumbv6m code.
macro_rules! code_table {
    ($($code:ident => $text:literal,)*) => {
        const ALL: &[UsslResult] = &[$(UsslResult::$code,)*];
        const TEXTS: &str = concat!($($text, "\0",)*);
    };
}

code_table! {
    Ok => "ok",
    NullArgument => "a required argument was NULL",
    InvalidArgument => "invalid argument",
    InvalidHostname => "server_hostname is not a valid DNS name or IP address",
    InvalidVerifyMode => "cert_reqs (verify_mode) must be CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED",
    UnknownCipherSuite => "no known cipher suite in the list (see get_ciphers())",
    InvalidAlpn => "ALPN protocols must be a list of names of 1 to 255 bytes each",
    InvalidSessionData => "not the bytes of SSLSession.serialize(), or damaged (cut short or changed)",
    SessionUsedUp => "this session's TLS 1.3 ticket was offered already and no newer one arrived: save the session again",
    UnknownGroup => "a key-exchange group this build does not have, or none (see get_groups())",
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
    CaCertsRequired => "CERT_REQUIRED and CERT_OPTIONAL need ca_certs (or load_verify_locations(), or load_default_certs())",
    MissingCertificateOrKey => "a server needs both a key and a certificate",
    HostnameRequired => "CERT_REQUIRED requires server_hostname",
    PskKeyLength => "a PSK key is 1 to 48 bytes",
    PskIdentityLength => "a PSK identity is 1 to 256 bytes",
    ServerNotBuilt => "",
    CertInfoNotBuilt => "this build has no getpeercert() dict (Cargo feature `certinfo`); getpeercert(True) gives the DER",
    RsaNotBuilt => "this build has no RSA private keys (Cargo feature `rsa-sign`): use an ECDSA P-256 key",
    RootsNotBuilt => "this build has no built-in root certificates (Cargo feature `roots`): load a CA with load_verify_locations()",
    SessionsNotBuilt => "the lean engine (USSL_ENGINE=lean) does not resume sessions (no save_session, SSLSession or session=)",
    KeyLogNotBuilt => "the lean engine (USSL_ENGINE=lean) keeps no key log",
    ClientCertNotBuilt => "the lean engine (USSL_ENGINE=lean) sends no client certificate (no certfile/keyfile)",
    HandshakeNotComplete => "the handshake has not completed",
    ConnectionClosed => "the connection is closed",
    SocketFailed => "the socket failed",
    NoSession => "the server issued no session to resume (no ticket yet, or resumption refused)",
    InCallback => "no TLS call may be made from inside ecdsa_sign_callback",
    CertExpired => "certificate has expired",
    CertNotYetValid => "certificate is not yet valid",
    HostnameMismatch => "hostname mismatch",
    UnknownIssuer => "unknown issuer",
    CertBadSignature => "certificate has a bad signature",
    CertRevoked => "certificate has been revoked",
    CertInvalidPurpose => "certificate is not valid for this purpose",
    CertBadEncoding => "certificate is badly encoded",
    CertInvalid => "certificate is invalid",
    ClockNotSet => "the clock is not set (it reads before 2024), so certificates cannot be checked: set it first, for example with ntptime.settime()",
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
    PskUnknownIdentity => "the client offered no PSK identity that server_psk_keys has a key for",
    PskNotSelected => "the server did not take our PSK (psk_identity, psk_key): no handshake without it",
    PskLookupFailed => "server_psk_keys.get() raised, or returned something other than 1 to 48 bytes",
    SignHookFailed => "ecdsa_sign_callback raised (printed above) or returned no signature",
    OutOfMemory => "out of memory",
    RandomFailed => "the port's random source failed",
    Internal => "internal error",
}

/// ServerNotBuilt's text differs by engine (its entry in the table is empty).
#[cfg(not(feature = "lean"))]
const SERVER_NOT_BUILT: &str = "this build has no server side (the engine's Cargo feature `server`)";
#[cfg(feature = "lean")]
const SERVER_NOT_BUILT: &str = "the lean engine (USSL_ENGINE=lean) is a TLS 1.3 client: it has no server side";

/// The `index`th of the NUL-ended texts in `table` ("" past the end).
fn nth_text(table: &'static str, index: usize) -> &'static str {
    let mut start = 0;
    let mut seen = 0;
    for (i, byte) in table.bytes().enumerate() {
        if byte == 0 {
            if seen == index {
                return table.get(start..i).unwrap_or("");
            }
            seen += 1;
            start = i + 1;
        }
    }
    ""
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
    // Codes and names as two tables, as the result codes' (`code_table!`).
    const CODES: [u8; 35] = [
        0, 10, 20, 21, 22, 30, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 60, 70, 71, 80, 86, 90, 100, 109, 110,
        111, 112, 113, 114, 115, 116, 120, 121,
    ];
    const NAMES: &str = concat!(
        "close_notify\0",
        "unexpected_message\0",
        "bad_record_mac\0",
        "decryption_failed\0",
        "record_overflow\0",
        "decompression_failure\0",
        "handshake_failure\0",
        "no_certificate\0",
        "bad_certificate\0",
        "unsupported_certificate\0",
        "certificate_revoked\0",
        "certificate_expired\0",
        "certificate_unknown\0",
        "illegal_parameter\0",
        "unknown_ca\0",
        "access_denied\0",
        "decode_error\0",
        "decrypt_error\0",
        "export_restriction\0",
        "protocol_version\0",
        "insufficient_security\0",
        "internal_error\0",
        "inappropriate_fallback\0",
        "user_canceled\0",
        "no_renegotiation\0",
        "missing_extension\0",
        "unsupported_extension\0",
        "certificate_unobtainable\0",
        "unrecognized_name\0",
        "bad_certificate_status_response\0",
        "bad_certificate_hash_value\0",
        "unknown_psk_identity\0",
        "certificate_required\0",
        "no_application_protocol\0",
        "ech_required\0",
    );
    CODES.iter().position(|c| *c == alert).map_or("unknown", |index| nth_text(NAMES, index))
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

    /// `code_table!`'s list is written by hand: this reads the enum from this file, so a code
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

    /// The tables line up: one text per code, each where its code is.
    #[test]
    fn texts_and_alert_names_line_up() {
        assert_eq!(TEXTS.matches('\0').count(), ALL.len());
        assert_eq!(UsslResult::Ok.text(), "ok");
        assert_eq!(UsslResult::HostnameMismatch.text(), "hostname mismatch");
        assert_eq!(UsslResult::Internal.text(), "internal error");
        assert!(UsslResult::ServerNotBuilt.text().contains("server side"));
        assert_eq!(alert_name(0), "close_notify");
        assert_eq!(alert_name(47), "illegal_parameter");
        assert_eq!(alert_name(121), "ech_required");
        assert_eq!(alert_name(122), "unknown");
        assert_eq!(alert_name(255), "unknown");
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
