//! RSA signature verification (PKCS#1 v1.5 and PSS, RFC 8017), behind the `rsa` feature, on our
//! own arithmetic for public numbers (public_bignum.rs): no RSA crate is linked for verifying.
//! The limits: moduli of 1024 to 8192 bits (webpki's ring back end starts at 2048; MicroPython's
//! mbedTLS module and the rsa crate we used before take 1024, and MicroPython's own tests use
//! such keys), an odd public exponent from 3 to 2^33 - 1, a signature exactly as long as the
//! modulus, and PSS with MGF1 over the message's hash and a salt as long as that hash (RFC 8446,
//! 4.2.3).

use alloc::vec::Vec;

use rustls_pki_types::{alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::public_bignum::{bit_length_be, mod_pow};

#[derive(Clone, Copy)]
pub(super) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The hash of the concatenation of `parts`, and its length.
    fn digest(self, parts: &[&[u8]]) -> ([u8; 64], usize) {
        fn run<D: Digest>(parts: &[&[u8]], out: &mut [u8; 64]) -> usize {
            let mut d = D::new();
            for part in parts {
                d.update(part);
            }
            let digest = d.finalize();
            let len = digest.len().min(64);
            if let (Some(dst), Some(src)) = (out.get_mut(..len), digest.get(..len)) {
                dst.copy_from_slice(src);
            }
            len
        }
        let mut out = [0u8; 64];
        let len = match self {
            Self::Sha256 => run::<Sha256>(parts, &mut out),
            Self::Sha384 => run::<Sha384>(parts, &mut out),
            Self::Sha512 => run::<Sha512>(parts, &mut out),
        };
        (out, len)
    }

    /// The DigestInfo prefix of RFC 8017 section 9.2, note 1.
    pub(super) fn pkcs1_prefix(self) -> &'static [u8] {
        match self {
            Self::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
                0x04, 0x20,
            ],
            Self::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
                0x04, 0x30,
            ],
            Self::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00,
                0x04, 0x40,
            ],
        }
    }
}

#[derive(Clone, Copy)]
enum Padding {
    Pkcs1,
    Pss,
}

pub struct Rsa {
    sig_alg: AlgorithmIdentifier,
    padding: Padding,
    hash: Hash,
}

/// RSAPublicKey (RFC 8017): SEQUENCE { INTEGER n, INTEGER e }, as (n, e) within our limits.
fn public_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut outer = crate::der::Reader::new(der);
    let mut seq = outer.nested(crate::der::SEQUENCE)?;
    let (n, e) = (seq.unsigned_integer()?, seq.unsigned_integer()?);
    let e_bits = bit_length_be(e);
    let odd = e.last().is_some_and(|low| low & 1 == 1);
    let fits = (1024..=8192).contains(&bit_length_be(n)) && odd && (2..=33).contains(&e_bits);
    (seq.is_empty() && outer.is_empty() && fits).then_some((n, e))
}

/// The encoded message of a PKCS#1 v1.5 signature: 00 01 FF.. 00 DigestInfo(hash).
fn pkcs1_matches(em: &[u8], hash: Hash, message: &[u8]) -> bool {
    let (digest, len) = hash.digest(&[message]);
    let prefix = hash.pkcs1_prefix();
    let Some(pad) = em.len().checked_sub(3 + prefix.len() + len) else { return false };
    let mut expected = Vec::with_capacity(em.len());
    expected.extend_from_slice(&[0x00, 0x01]);
    expected.resize(2 + pad, 0xff);
    expected.push(0x00);
    expected.extend_from_slice(prefix);
    expected.extend_from_slice(digest.get(..len).unwrap_or_default());
    pad >= 8 && expected == em
}

/// EMSA-PSS-VERIFY (RFC 8017, 9.1.2) with MGF1 over `hash` and a salt of the hash's length, for an
/// encoded message `em` of the modulus's length (`mod_bits` bits).
fn pss_matches(em: &[u8], mod_bits: usize, hash: Hash, message: &[u8]) -> bool {
    let (m_hash, h_len) = hash.digest(&[message]);
    let m_hash = m_hash.get(..h_len).unwrap_or_default();
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    // When em_bits is a multiple of 8, the encoded message is one byte shorter than the modulus
    // and its first byte must be zero.
    let Some((leading, em)) = em.split_at_checked(em.len() - em_len) else { return false };
    if leading.iter().any(|&b| b != 0) || em_len < 2 * h_len + 2 || em.last() != Some(&0xbc) {
        return false;
    }
    let db_len = em_len - h_len - 1;
    let Some((masked_db, rest)) = em.split_at_checked(db_len) else { return false };
    let h = rest.get(..h_len).unwrap_or_default();
    let unused_bits = 8 * em_len - em_bits;
    let top_mask = 0xffu8 >> unused_bits;
    if masked_db.first().is_some_and(|b| b & !top_mask != 0) {
        return false;
    }
    // DB = maskedDB xor MGF1(H).
    let mut db = masked_db.to_vec();
    for (counter, chunk) in db.chunks_mut(h_len).enumerate() {
        let (mask, _) = hash.digest(&[h, &(counter as u32).to_be_bytes()]);
        for (b, m) in chunk.iter_mut().zip(mask.iter()) {
            *b ^= m;
        }
    }
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // DB = PS (zeros) || 0x01 || salt.
    let ps_len = db_len - h_len - 1;
    let Some((ps, tail)) = db.split_at_checked(ps_len) else { return false };
    if ps.iter().any(|&b| b != 0) || tail.first() != Some(&0x01) {
        return false;
    }
    let salt = tail.get(1..).unwrap_or_default();
    let (h2, _) = hash.digest(&[&[0u8; 8], m_hash, salt]);
    h2.get(..h_len) == Some(h)
}

impl SignatureVerificationAlgorithm for Rsa {
    fn verify_signature(
        &self,
        public_key_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let (n, e) = public_key(public_key_der).ok_or(InvalidSignature)?;
        let mod_bits = bit_length_be(n);
        if signature.len() != mod_bits.div_ceil(8) {
            return Err(InvalidSignature);
        }
        let em = mod_pow(signature, e, n).ok_or(InvalidSignature)?;
        let ok = match self.padding {
            Padding::Pkcs1 => pkcs1_matches(&em, self.hash, message),
            Padding::Pss => pss_matches(&em, mod_bits, self.hash, message),
        };
        ok.then_some(()).ok_or(InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.sig_alg
    }
}

macro_rules! rsa_alg {
    ($name:ident, $padding:ident, $hash:ident) => {
        pub static $name: Rsa = Rsa { sig_alg: alg_id::$name, padding: Padding::$padding, hash: Hash::$hash };
    };
}

rsa_alg!(RSA_PKCS1_SHA256, Pkcs1, Sha256);
rsa_alg!(RSA_PKCS1_SHA384, Pkcs1, Sha384);
rsa_alg!(RSA_PKCS1_SHA512, Pkcs1, Sha512);
rsa_alg!(RSA_PSS_SHA256, Pss, Sha256);
rsa_alg!(RSA_PSS_SHA384, Pss, Sha384);
rsa_alg!(RSA_PSS_SHA512, Pss, Sha512);

impl core::fmt::Debug for Rsa {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Rsa")
    }
}
