//! ML-KEM-768 (FIPS 203), our own: written for the engine's stack on ARMv6-M. The ml-kem crate
//! it replaces held the matrix Â and copied polynomial vectors by value, 32-39 KB of stack per
//! operation on thumbv6m against the engine's 19 KB; here the matrix is sampled entry by entry
//! where it is used (kpke.rs). Measured on thumbv6m at opt-level "z" (-Z emit-stack-sizes, the
//! deepest call path summed, while the client still kept a heap copy of Â, since removed):
//! keygen 3,888 B, encaps 3,440 B, decaps 3,520 B alone; in the firmware staticlib (full, LTO)
//! from rustls's entry points, kx_mlkem.rs's `start` 3,960 B, `start_and_complete` 3,488 B,
//! `complete` 3,632 B. Flash: the Cortex-M0+ staticlib's text with `pq` was 11,322 B above the
//! one without (ml-kem 0.2.1: 16,969) before the faster 12-bit codec and sampling loop.
//!
//! Time (MPS2_AN385, qemu -icount, a TLS 1.3 ECDSA P-256 handshake between our ends, medians):
//! the client spends about 14% more instructions with X25519MLKEM768 than with X25519 alone
//! (27.9 M against 24.6 M), the server about 13% (17.4 M against 15.4 M). A client could keep the
//! Â it sampled in key generation for decapsulation's re-encryption (measured: 11% rather than
//! 14%), but that holds 3,456 B more heap through the handshake, and heap is what boards lack.
//! Keccak-f[1600] is the largest part: some 60 permutations for the client (9 entries of Â, 13
//! CBD samples, H(ek), J(z || c), two G), about 17 k instructions each.
//!
//! Files: poly.rs (the ring's arithmetic, Montgomery and Barrett reduction), ntt.rs,
//! sample.rs (SampleNTT, SamplePolyCBD and the hash functions, from the sha3 crate), encode.rs
//! (ByteEncode/ByteDecode, Compress/Decompress), kpke.rs (K-PKE), and here the KEM: the
//! "internal" algorithms 16-18, whose random inputs (d, z, m) the caller draws.
//!
//! Constant time: no branch or table index depends on secret data (the reductions, compression
//! and CBD sampling are arithmetic, the only selections masks behind black_box); rejection
//! sampling of Â branches on its public seed's output only.

mod encode;
mod kpke;
mod ntt;
mod poly;
mod sample;

use alloc::vec;

use zeroize::Zeroizing;

use sample::{copy, g, h, j};

/// The module rank k of ML-KEM-768.
const K: usize = 3;
/// ByteEncode_12 of one polynomial.
const POLY_BYTES: usize = 384;
/// ByteEncode_12 of a vector of k polynomials.
const VECTOR_BYTES: usize = K * POLY_BYTES;
/// One polynomial of u, compressed to 10 bits.
const U_BYTES: usize = 320;

/// The encapsulation key: t̂ (k polynomials, 12 bits a coefficient), then the seed rho.
pub const ENCAPSULATION_KEY_LEN: usize = VECTOR_BYTES + 32;
/// The ciphertext: u (k polynomials at 10 bits), then v (4 bits).
pub const CIPHERTEXT_LEN: usize = K * U_BYTES + 128;
/// The decapsulation key as FIPS 203 encodes it: ŝ, the encapsulation key, H(ek), z.
pub const DECAPSULATION_KEY_LEN: usize = VECTOR_BYTES + ENCAPSULATION_KEY_LEN + 64;

/// The parts of a decapsulation key.
struct DecapsulationKeyParts<'a> {
    dk_pke: &'a [u8],
    ek: &'a [u8],
    ek_hash: &'a [u8; 32],
    z: &'a [u8; 32],
}

fn split_dk(dk: &[u8; DECAPSULATION_KEY_LEN]) -> Option<DecapsulationKeyParts<'_>> {
    let (dk_pke, rest) = dk.split_at_checked(VECTOR_BYTES)?;
    let (ek, rest) = rest.split_at_checked(ENCAPSULATION_KEY_LEN)?;
    let (ek_hash, z) = rest.split_first_chunk::<32>()?;
    Some(DecapsulationKeyParts { dk_pke, ek, ek_hash, z: z.try_into().ok()? })
}

/// The encapsulation key inside a decapsulation key.
pub fn encapsulation_key(dk: &[u8; DECAPSULATION_KEY_LEN]) -> Option<&[u8]> {
    split_dk(dk).map(|parts| parts.ek)
}

/// ML-KEM.KeyGen_internal(d, z) into `dk` (FIPS 203 algorithm 16). None only if the constants
/// above were inconsistent.
pub fn keygen(d: &[u8; 32], z: &[u8; 32], dk: &mut [u8; DECAPSULATION_KEY_LEN]) -> Option<()> {
    let (dk_pke, rest) = dk.split_at_mut_checked(VECTOR_BYTES)?;
    let (ek, rest) = rest.split_at_mut_checked(ENCAPSULATION_KEY_LEN)?;
    let (hash, z_out) = rest.split_first_chunk_mut::<32>()?;
    kpke::keygen(d, dk_pke, ek)?;
    h(ek, hash);
    copy(z_out, z);
    Some(())
}

/// ML-KEM.Encaps_internal(ek, m) (algorithm 17): the ciphertext into `c`, the secret into
/// `shared`. `ek` must have passed FIPS 203's modulus check.
pub fn encaps(
    ek: &[u8; ENCAPSULATION_KEY_LEN],
    m: &[u8; 32],
    c: &mut [u8; CIPHERTEXT_LEN],
    shared: &mut [u8; 32],
) -> Option<()> {
    let mut ek_hash = [0u8; 32];
    h(ek, &mut ek_hash);
    let mut r = Zeroizing::new([0u8; 32]);
    g(m, &ek_hash, shared, &mut r);
    kpke::encrypt(ek, m, &r, c)
}

/// ML-KEM.Decaps_internal(dk, c) (algorithm 18) into `shared`: K' when re-encrypting the
/// decrypted message gives c back, else the implicit-rejection secret J(z || c). Both are
/// computed, and the choice is a mask over the bytes: which one was taken does not show in time.
pub fn decaps(dk: &[u8; DECAPSULATION_KEY_LEN], c: &[u8; CIPHERTEXT_LEN], shared: &mut [u8; 32]) -> Option<()> {
    let DecapsulationKeyParts { dk_pke, ek, ek_hash, z } = split_dk(dk)?;
    let mut m = Zeroizing::new([0u8; 32]);
    kpke::decrypt(dk_pke, c, &mut m)?;
    let (mut k, mut r) = (Zeroizing::new([0u8; 32]), Zeroizing::new([0u8; 32]));
    g(&m[..], ek_hash, &mut k, &mut r);
    let mut reencrypted = Zeroizing::new(vec![0u8; CIPHERTEXT_LEN]);
    kpke::encrypt(ek, &m, &r, &mut reencrypted)?;
    let mut rejected = Zeroizing::new([0u8; 32]);
    j(z, c, &mut rejected);
    // 0xff when c equals its re-encryption, 0 otherwise: the OR of all byte differences (0 to
    // 255) minus one has its bits above 8 set exactly when that OR is zero. black_box hides the
    // subtraction's result: seeing through it, LLVM compiled the test for zero to a cmp and beq
    // on ARMv6-M (thumbv6m disassembly), a branch on whether the ciphertext was rejected.
    let difference = c.iter().zip(reencrypted.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    let keep = (core::hint::black_box(u32::from(difference).wrapping_sub(1)) >> 8) as u8;
    for ((out, good), bad) in shared.iter_mut().zip(k.iter()).zip(rejected.iter()) {
        *out = bad ^ (keep & (good ^ bad));
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejection() {
        let mut dk = [0u8; DECAPSULATION_KEY_LEN];
        keygen(&[5; 32], &[6; 32], &mut dk).expect("keygen");
        let ek: [u8; ENCAPSULATION_KEY_LEN] = encapsulation_key(&dk).expect("ek").try_into().expect("len");
        let (mut c, mut sent, mut got) = ([0u8; CIPHERTEXT_LEN], [0u8; 32], [0u8; 32]);
        encaps(&ek, &[7; 32], &mut c, &mut sent).expect("encaps");
        decaps(&dk, &c, &mut got).expect("decaps");
        assert_eq!(sent, got);
        c[100] ^= 4;
        decaps(&dk, &c, &mut got).expect("decaps");
        assert_ne!(sent, got);
        let mut rejected = [0u8; 32];
        j(&[6; 32], &c, &mut rejected);
        assert_eq!(got, rejected);
    }

    /// Bytes no key generation makes (coefficients up to 4095 in ŝ and t̂, every ciphertext bit
    /// set) go through the arithmetic without overflow: this runs with overflow checks on.
    #[test]
    fn hostile_bytes_do_not_panic() {
        for fill in [0x00, 0xff, 0x5a] {
            let dk = [fill; DECAPSULATION_KEY_LEN];
            let c = [fill ^ 0xff; CIPHERTEXT_LEN];
            let mut got = [0u8; 32];
            decaps(&dk, &c, &mut got).expect("decaps");
            let ek = [fill; ENCAPSULATION_KEY_LEN];
            let (mut c, mut sent) = ([0u8; CIPHERTEXT_LEN], [0u8; 32]);
            encaps(&ek, &[fill; 32], &mut c, &mut sent).expect("encaps");
        }
    }
}
