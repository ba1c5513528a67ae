//! Sizes of the shim's buffers that the engine's outputs fit, stated once, here, and exported
//! to the C header (as enumeration constants, which size arrays).

#[repr(u32)]
#[derive(Clone, Copy)]
pub enum UsslLimit {
    /// The most suites a context offers: room for every name `ussl_context_ciphers` gives.
    MaxCipherSuites = 9,
    /// The most key-exchange groups a context offers: room for every name `ussl_context_groups`
    /// gives.
    MaxGroups = 4,
    /// Room for an error's text, its NUL included (`ussl_result_text`, `ussl_conn_error_text`):
    /// every code's text and every detail the engines add fit (their tests check).
    ErrorTextCap = 160,
    /// Room for the longest digest `ussl_hash_digest` writes (SHA-256's).
    DigestMax = 32,
}

impl UsslLimit {
    pub const fn get(self) -> usize {
        self as usize
    }
}
