//! ECDSA P-384 signature verification (Let's Encrypt's ECDSA intermediates sign with it): the
//! arithmetic is ussl-arith's (arith/src/p384.rs, written for flash: about 5 KB where the p384
//! crate costs about 130 KB on Cortex-M); here the DER signature is taken apart. Known-answer
//! tests: Wycheproof's ecdsa_secp384r1_sha384 and _sha256 vectors (tests/wycheproof.rs).

/// Verifies a DER ECDSA signature over `digest` (SHA-256 or SHA-384 output) with a SEC1 P-384
/// public key.
pub fn verify_prehash(public_key: &[u8], digest: &[u8], der_signature: &[u8]) -> bool {
    let Some((r, s)) = crate::der::ecdsa_signature(der_signature) else { return false };
    ussl_arith::p384::verify(public_key, digest, r, s)
}
