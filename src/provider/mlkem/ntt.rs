//! The number-theoretic transform of FIPS 203 (algorithms 9 and 10) in the Kyber reference's
//! form: Cooley-Tukey butterflies forward, Gentleman-Sande back, the twiddle factors in the
//! Montgomery domain. The table is read in a fixed order (public loop counters, never data).

use super::poly::{barrett_reduce, fqmul, Poly, Q};

/// zeta^BitRev7(i) * 2^16 mod q for i in 0..128, zeta = 17, centered in (-q/2, q/2). Computed at
/// compile time, so the table cannot carry a typo; `zetas_match_fips_203` checks entries against
/// FIPS 203's appendix.
pub(super) const ZETAS: [i16; 128] = zetas();

// An index out of bounds here is a compile error (constant evaluation), never a panic at run time.
#[allow(clippy::indexing_slicing)]
const fn zetas() -> [i16; 128] {
    let q = Q as u32;
    let mut out = [0i16; 128];
    let mut i = 0;
    while i < 128 {
        // BitRev7(i), then 17^that mod q by repeated multiplication.
        let mut rev = 0u32;
        let mut bit = 0;
        while bit < 7 {
            rev |= ((i as u32 >> bit) & 1) << (6 - bit);
            bit += 1;
        }
        let mut power = 1u32;
        let mut e = 0;
        while e < rev {
            power = power * 17 % q;
            e += 1;
        }
        // Into the Montgomery domain (times 2^16 mod q = 2285), then centered.
        let mont = power * 2285 % q;
        out[i] = if mont > q / 2 { mont as i16 - Q } else { mont as i16 };
        i += 1;
    }
    out
}

/// FIPS 203's NTT, the output reduced to [-(q-1)/2, (q-1)/2] (the reference's poly_ntt).
pub(super) fn ntt(p: &mut Poly) {
    let mut zetas = ZETAS.iter().skip(1);
    let mut len = 128;
    while len >= 2 {
        for (block, &zeta) in p.0.chunks_exact_mut(2 * len).zip(zetas.by_ref()) {
            let (low, high) = block.split_at_mut(len);
            for (a, b) in low.iter_mut().zip(high.iter_mut()) {
                let t = fqmul(zeta, *b);
                *b = a.wrapping_sub(t);
                *a = a.wrapping_add(t);
            }
        }
        len /= 2;
    }
    p.reduce();
}

/// FIPS 203's inverse NTT, times 2^16 (the reference's invntt_tomont): applied to a sum of
/// `basemul_acc` products, which carry 2^-16, it gives the plain result. The input must be
/// reduced; the output is in (-q, q).
pub(super) fn inverse_ntt(p: &mut Poly) {
    // The layers take the table backwards, from index 127 down to 1; subtracting a from b
    // instead of b from a turns each zeta into the inverse twiddle (-zeta^(128-k) = zeta^-k).
    let mut zetas = ZETAS.iter().skip(1).rev();
    let mut len = 2;
    while len <= 128 {
        for (block, &zeta) in p.0.chunks_exact_mut(2 * len).zip(zetas.by_ref()) {
            let (low, high) = block.split_at_mut(len);
            for (a, b) in low.iter_mut().zip(high.iter_mut()) {
                let t = *a;
                *a = barrett_reduce(t.wrapping_add(*b));
                *b = fqmul(zeta, b.wrapping_sub(t));
            }
        }
        len *= 2;
    }
    // 2^32 / 128 mod q: undoes the transform's factor 128 and enters the Montgomery domain.
    const F: i16 = 1441;
    p.0.iter_mut().for_each(|c| *c = fqmul(*c, F));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zetas_match_fips_203() {
        // FIPS 203 appendix A: zeta^BitRev7(i) mod q for i = 0, 1, 2, 3, 64 (BitRev7(64) = 1).
        let plain = |z: i16| (i32::from(z) * 169).rem_euclid(3329); // 169 = 2^-16 mod q
        assert_eq!([0, 1, 2, 3, 64].map(|i| plain(ZETAS[i])), [1, 1729, 2580, 3289, 17]);
        assert_eq!(ZETAS[0], -1044);
    }

    /// NTT then inverse NTT gives the input times 2^16 (the inverse's Montgomery factor).
    #[test]
    fn inverse_undoes_ntt() {
        let mut p = Poly::zero();
        for (i, c) in p.0.iter_mut().enumerate() {
            *c = ((i * 37 + 11) % 3329) as i16 - 1664;
        }
        let original = p.clone();
        ntt(&mut p);
        inverse_ntt(&mut p);
        for (a, b) in p.0.iter().zip(original.0.iter()) {
            assert_eq!((i32::from(*a) - i32::from(*b) * 2285).rem_euclid(3329), 0);
        }
    }
}
