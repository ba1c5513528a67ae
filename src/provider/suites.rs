//! The cipher suites we offer: TLS 1.3 first, then TLS 1.2 with ECDHE only.

#[cfg(feature = "tls12")]
use rustls::crypto::tls12::PrfUsingHmac;
use rustls::crypto::tls13::HkdfUsingHmac;
use rustls::crypto::CipherSuiteCommon;
#[cfg(feature = "tls12")]
use rustls::crypto::KeyExchangeAlgorithm;
use rustls::{CipherSuite, SupportedCipherSuite, Tls13CipherSuite};
#[cfg(feature = "tls12")]
use rustls::{SignatureScheme, Tls12CipherSuite};

use super::{aead, hash, hmac};

// AES-GCM and ChaCha20-Poly1305 limits from RFC 8446 section 5.5 and RFC 9147.
const AES_GCM_LIMIT: u64 = 1 << 24;
const NO_LIMIT: u64 = u64::MAX;

pub static TLS13_AES_128_GCM_SHA256: Tls13CipherSuite = Tls13CipherSuite {
    common: CipherSuiteCommon {
        suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
        hash_provider: &hash::SHA256,
        confidentiality_limit: AES_GCM_LIMIT,
    },
    hkdf_provider: &HkdfUsingHmac(&hmac::SHA256),
    aead_alg: &aead::TLS13_AES_128_GCM,
    quic: None,
};

#[cfg(feature = "aes256")]
pub static TLS13_AES_256_GCM_SHA384: Tls13CipherSuite = Tls13CipherSuite {
    common: CipherSuiteCommon {
        suite: CipherSuite::TLS13_AES_256_GCM_SHA384,
        hash_provider: &hash::SHA384,
        confidentiality_limit: AES_GCM_LIMIT,
    },
    hkdf_provider: &HkdfUsingHmac(&hmac::SHA384),
    aead_alg: &aead::TLS13_AES_256_GCM,
    quic: None,
};

pub static TLS13_CHACHA20_POLY1305_SHA256: Tls13CipherSuite = Tls13CipherSuite {
    common: CipherSuiteCommon {
        suite: CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        hash_provider: &hash::SHA256,
        confidentiality_limit: NO_LIMIT,
    },
    hkdf_provider: &HkdfUsingHmac(&hmac::SHA256),
    aead_alg: &aead::TLS13_CHACHA20_POLY1305,
    quic: None,
};

#[cfg(feature = "tls12")]
static TLS12_ECDSA_SCHEMES: &[SignatureScheme] = &[
    #[cfg(feature = "ed25519")]
    SignatureScheme::ED25519,
    #[cfg(feature = "p384")]
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ECDSA_NISTP256_SHA256,
];

#[cfg(all(feature = "tls12", feature = "rsa"))]
static TLS12_RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_SHA512,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA256,
];

#[cfg(feature = "tls12")]
macro_rules! tls12_suite {
    ($name:ident, $suite:ident, $hash:ident, $schemes:ident, $aead:ident, $limit:expr) => {
        pub static $name: Tls12CipherSuite = Tls12CipherSuite {
            common: CipherSuiteCommon {
                suite: CipherSuite::$suite,
                hash_provider: &hash::$hash,
                confidentiality_limit: $limit,
            },
            kx: KeyExchangeAlgorithm::ECDHE,
            sign: $schemes,
            aead_alg: &aead::$aead,
            prf_provider: &PrfUsingHmac(&hmac::$hash),
        };
    };
}

#[cfg(feature = "tls12")]
tls12_suite!(
    ECDHE_ECDSA_AES_128_GCM,
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    SHA256,
    TLS12_ECDSA_SCHEMES,
    TLS12_AES_128_GCM,
    AES_GCM_LIMIT
);
#[cfg(all(feature = "tls12", feature = "aes256"))]
tls12_suite!(
    ECDHE_ECDSA_AES_256_GCM,
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    SHA384,
    TLS12_ECDSA_SCHEMES,
    TLS12_AES_256_GCM,
    AES_GCM_LIMIT
);
#[cfg(feature = "tls12")]
tls12_suite!(
    ECDHE_ECDSA_CHACHA20,
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    SHA256,
    TLS12_ECDSA_SCHEMES,
    TLS12_CHACHA20_POLY1305,
    NO_LIMIT
);
#[cfg(all(feature = "tls12", feature = "rsa"))]
tls12_suite!(
    ECDHE_RSA_AES_128_GCM,
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    SHA256,
    TLS12_RSA_SCHEMES,
    TLS12_AES_128_GCM,
    AES_GCM_LIMIT
);
#[cfg(all(feature = "tls12", feature = "rsa", feature = "aes256"))]
tls12_suite!(
    ECDHE_RSA_AES_256_GCM,
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    SHA384,
    TLS12_RSA_SCHEMES,
    TLS12_AES_256_GCM,
    AES_GCM_LIMIT
);
#[cfg(all(feature = "tls12", feature = "rsa"))]
tls12_suite!(
    ECDHE_RSA_CHACHA20,
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    SHA256,
    TLS12_RSA_SCHEMES,
    TLS12_CHACHA20_POLY1305,
    NO_LIMIT
);

// TLS 1.2's PSK suite (RFC 5487), offered only by contexts with TLS-PSK (`rustls::ussl_psk`,
// patches/rustls-0.23.48.patch). Its signature schemes are never used: they match the
// placeholder certificate a PSK server hands rustls.
#[cfg(feature = "tls12")]
tls12_suite!(
    PSK_AES_128_GCM,
    TLS_PSK_WITH_AES_128_GCM_SHA256,
    SHA256,
    TLS12_ECDSA_SCHEMES,
    TLS12_AES_128_GCM,
    AES_GCM_LIMIT
);

/// The TLS 1.2 suites a context with TLS-PSK offers.
#[cfg(feature = "tls12")]
pub static PSK_CIPHER_SUITES: &[SupportedCipherSuite] = &[SupportedCipherSuite::Tls12(&PSK_AES_128_GCM)];

pub static ALL_CIPHER_SUITES: &[SupportedCipherSuite] = &[
    SupportedCipherSuite::Tls13(&TLS13_AES_128_GCM_SHA256),
    #[cfg(feature = "aes256")]
    SupportedCipherSuite::Tls13(&TLS13_AES_256_GCM_SHA384),
    SupportedCipherSuite::Tls13(&TLS13_CHACHA20_POLY1305_SHA256),
    #[cfg(feature = "tls12")]
    SupportedCipherSuite::Tls12(&ECDHE_ECDSA_AES_128_GCM),
    #[cfg(all(feature = "tls12", feature = "aes256"))]
    SupportedCipherSuite::Tls12(&ECDHE_ECDSA_AES_256_GCM),
    #[cfg(feature = "tls12")]
    SupportedCipherSuite::Tls12(&ECDHE_ECDSA_CHACHA20),
    #[cfg(all(feature = "tls12", feature = "rsa"))]
    SupportedCipherSuite::Tls12(&ECDHE_RSA_AES_128_GCM),
    #[cfg(all(feature = "tls12", feature = "rsa", feature = "aes256"))]
    SupportedCipherSuite::Tls12(&ECDHE_RSA_AES_256_GCM),
    #[cfg(all(feature = "tls12", feature = "rsa"))]
    SupportedCipherSuite::Tls12(&ECDHE_RSA_CHACHA20),
];

/// Names of our suites as OpenSSL spells them (what CPython's `cipher()` and `get_ciphers()`
/// report), with their IANA names and key sizes in bits. Our own table: rustls's name lookup
/// covers every registered suite and costs kilobytes of flash.
static NAMES: &[(CipherSuite, &str, &str, u32)] = &[
    (CipherSuite::TLS13_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", 128),
    #[cfg(feature = "aes256")]
    (CipherSuite::TLS13_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", 256),
    (CipherSuite::TLS13_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", 256),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        128,
    ),
    #[cfg(feature = "aes256")]
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        256,
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        256,
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        128,
    ),
    #[cfg(feature = "aes256")]
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        256,
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        256,
    ),
    #[cfg(feature = "tls12")]
    (CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256, "PSK-AES128-GCM-SHA256", "TLS_PSK_WITH_AES_128_GCM_SHA256", 128),
];

/// The OpenSSL name and key bits of one of our suites.
pub fn openssl_name(suite: CipherSuite) -> Option<(&'static str, u32)> {
    NAMES.iter().find(|(s, _, _, _)| *s == suite).map(|(_, n, _, b)| (*n, *b))
}

/// `a` and `b` are the same name, ignoring case and taking '-' for '_' (mbedTLS's spelling).
fn same_name(a: &str, b: &str) -> bool {
    let fold = |c: u8| if c == b'-' { b'_' } else { c.to_ascii_uppercase() };
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| fold(x) == fold(y))
}

/// One of our suites by its OpenSSL name, its IANA name ("TLS_AES_128_GCM_SHA256") or the
/// same with dashes as mbedTLS spells them ("TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256").
pub fn find_by_name(name: &str) -> Option<SupportedCipherSuite> {
    let (suite, _, _, _) =
        NAMES.iter().find(|(_, openssl, iana, _)| openssl.eq_ignore_ascii_case(name) || same_name(iana, name))?;
    ALL_CIPHER_SUITES.iter().copied().find(|s| s.suite() == *suite)
}
