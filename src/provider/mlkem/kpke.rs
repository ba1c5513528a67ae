//! K-PKE (FIPS 203 algorithms 13-15) for ML-KEM-768, streaming: the matrix Â is never held. Each
//! entry is sampled into one polynomial when its product is taken (t̂ = Â∘ŝ + ê row by row,
//! u = NTT^-1(Âᵀ∘r̂) + e1 with the transposed entries sampled as (i, j)), so the stack holds at
//! most three polynomials (1.5 KB); the one vector used more than once across rows, r̂, is on the
//! heap, and ŝ is read back from its encoding in the key. Every polynomial that held secret data
//! is zeroized when dropped.

use alloc::vec;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::encode::{compress_encode, decode_12, decode_decompress, encode_12, from_message, to_message};
use super::ntt::{inverse_ntt, ntt};
use super::poly::Poly;
use super::sample::{g, sample_cbd2, sample_ntt};
use super::{K, POLY_BYTES, U_BYTES, VECTOR_BYTES};

/// The d of Compress_d for u and for v.
const DU: u32 = 10;
const DV: u32 = 4;

/// A polynomial that is zeroized when dropped.
fn poly() -> Zeroizing<Poly> {
    Zeroizing::new(Poly::zero())
}

/// K-PKE.KeyGen(d): ŝ encoded into `dk_pke` (1152 bytes), t̂ and rho into `ek` (1184 bytes).
pub(super) fn keygen(d: &[u8; 32], dk_pke: &mut [u8], ek: &mut [u8]) -> Option<()> {
    let (mut rho, mut sigma) = ([0u8; 32], Zeroizing::new([0u8; 32]));
    // G(d || k): the final standard's domain separation by the parameter set.
    g(d, &[K as u8], &mut rho, &mut sigma);
    let (mut acc, mut a, mut s) = (poly(), poly(), poly());
    for (nonce, s_bytes) in (0u8..).zip(dk_pke.chunks_exact_mut(POLY_BYTES)) {
        sample_cbd2(&sigma, nonce, &mut s);
        ntt(&mut s);
        encode_12(&s, s_bytes);
    }
    let (t_bytes, rho_bytes) = ek.split_at_mut_checked(VECTOR_BYTES)?;
    for (i, t_i) in (0u8..).zip(t_bytes.chunks_exact_mut(POLY_BYTES)) {
        *acc = Poly::zero();
        for (j, s_bytes) in (0u8..).zip(dk_pke.chunks_exact(POLY_BYTES)) {
            sample_ntt(&rho, j, i, &mut a);
            decode_12(s_bytes, &mut s);
            acc.basemul_acc(&a, &s);
        }
        acc.reduce();
        acc.enter_montgomery();
        // ê_i, from the nonces after ŝ's.
        sample_cbd2(&sigma, K as u8 + i, &mut a);
        ntt(&mut a);
        acc.add(&a);
        acc.reduce();
        encode_12(&acc, t_i);
    }
    super::sample::copy(rho_bytes, &rho);
    Some(())
}

/// K-PKE.Encrypt(ek, m, r) into `c` (1088 bytes). `ek` has passed the modulus check.
pub(super) fn encrypt(ek: &[u8], m: &[u8; 32], r: &[u8; 32], c: &mut [u8]) -> Option<()> {
    let (t_bytes, rho) = ek.split_at_checked(VECTOR_BYTES)?;
    let rho: &[u8; 32] = rho.try_into().ok()?;
    // r̂: used by every row of u and by v, so kept, on the heap (1.5 KB).
    let mut r_hat: Zeroizing<Vec<Poly>> = Zeroizing::new(vec![Poly::zero(); K]);
    for (nonce, r_j) in (0u8..).zip(r_hat.iter_mut()) {
        sample_cbd2(r, nonce, r_j);
        ntt(r_j);
    }
    let (mut acc, mut a) = (poly(), poly());
    let (u_bytes, v_bytes) = c.split_at_mut_checked(K * U_BYTES)?;
    for (i, u_i) in (0u8..).zip(u_bytes.chunks_exact_mut(U_BYTES)) {
        *acc = Poly::zero();
        for (j, r_j) in (0u8..).zip(r_hat.iter()) {
            // Âᵀ[i][j] = Â[j][i] = SampleNTT(rho || i || j).
            sample_ntt(rho, i, j, &mut a);
            acc.basemul_acc(&a, r_j);
        }
        acc.reduce();
        inverse_ntt(&mut acc);
        // e1_i: the nonces after r's.
        sample_cbd2(r, K as u8 + i, &mut a);
        acc.add(&a);
        acc.reduce();
        compress_encode(&acc, DU, u_i);
    }
    *acc = Poly::zero();
    for (t_j, r_j) in t_bytes.chunks_exact(POLY_BYTES).zip(r_hat.iter()) {
        decode_12(t_j, &mut a);
        acc.basemul_acc(&a, r_j);
    }
    acc.reduce();
    inverse_ntt(&mut acc);
    // e2, then mu = Decompress_1(m).
    sample_cbd2(r, 2 * K as u8, &mut a);
    acc.add(&a);
    from_message(m, &mut a);
    acc.add(&a);
    acc.reduce();
    compress_encode(&acc, DV, v_bytes);
    Some(())
}

/// K-PKE.Decrypt(dk_pke, c) into `m`: w = v - NTT^-1(ŝᵀ∘NTT(u)). Not inlined: decapsulation
/// re-encrypts after this returns, and inlined, these three polynomials stayed in its frame
/// under encryption's own (thumbv6m, with J also kept out: decaps 5,040 B of stack, now 3,480).
#[inline(never)]
pub(super) fn decrypt(dk_pke: &[u8], c: &[u8], m: &mut [u8; 32]) -> Option<()> {
    let (u_bytes, v_bytes) = c.split_at_checked(K * U_BYTES)?;
    let (mut acc, mut u, mut s) = (poly(), poly(), poly());
    for (u_i, s_i) in u_bytes.chunks_exact(U_BYTES).zip(dk_pke.chunks_exact(POLY_BYTES)) {
        decode_decompress(u_i, DU, &mut u);
        ntt(&mut u);
        decode_12(s_i, &mut s);
        acc.basemul_acc(&s, &u);
    }
    acc.reduce();
    inverse_ntt(&mut acc);
    decode_decompress(v_bytes, DV, &mut u);
    acc.sub_from(&u);
    acc.reduce();
    to_message(&acc, m);
    Some(())
}
