//! MicroPython's `hashlib` and `cryptolib` over the engine's primitives (issue 29), so that a
//! firmware with ussl links no second crypto library for them: SHA-256, SHA-1 and MD5
//! (`digest`), AES ECB, CBC and CTR (`cipher`). Both engines carry it (feature `pycrypto`).
//! Nothing here allocates: the states live in the Python objects.

pub mod cipher;
pub mod digest;
mod md5;
mod sha1;

#[cfg(test)]
mod tests;
