//! ML-KEM's ring R_q = Z_q[X]/(X^256 + 1), q = 3329: polynomials as 256 signed 16-bit
//! coefficients, reduced with Montgomery and Barrett arithmetic (the pq-crystals Kyber reference's
//! representation, which FIPS 203's reference follows). Every function here is arithmetic only:
//! no branch and no table index depends on a coefficient, which is often secret.

use zeroize::Zeroize;

use super::ntt::ZETAS;

/// Coefficients per polynomial.
pub(super) const N: usize = 256;
/// The modulus q.
pub(super) const Q: i16 = 3329;
/// q^-1 mod 2^16, as a signed 16-bit value (for Montgomery reduction).
const QINV: i16 = -3327;
/// 2^32 mod q: multiplying by it through `fqmul` (which divides by 2^16) enters the Montgomery
/// domain.
const MONT_SQUARED: i16 = 1353;

/// A polynomial, in the normal or the NTT domain: which one is the caller's to know, as in
/// FIPS 203's pseudocode. 512 bytes: callers keep at most three on the stack.
#[derive(Clone)]
pub(super) struct Poly(pub(super) [i16; N]);

impl Poly {
    pub(super) const fn zero() -> Self {
        Poly([0; N])
    }

    /// Every coefficient to its representative in [-(q-1)/2, (q-1)/2].
    pub(super) fn reduce(&mut self) {
        self.0.iter_mut().for_each(|c| *c = barrett_reduce(*c));
    }

    /// Multiplies by 2^16 mod q: `basemul_acc`'s products carry a factor 2^-16, which this undoes.
    pub(super) fn enter_montgomery(&mut self) {
        self.0.iter_mut().for_each(|c| *c = fqmul(*c, MONT_SQUARED));
    }

    /// self += other, without reduction (callers keep the sums within i16; wrapping so that even a
    /// malformed key cannot make a debug build panic).
    pub(super) fn add(&mut self, other: &Poly) {
        self.0.iter_mut().zip(other.0.iter()).for_each(|(a, b)| *a = a.wrapping_add(*b));
    }

    /// self = minuend - self.
    pub(super) fn sub_from(&mut self, minuend: &Poly) {
        self.0.iter_mut().zip(minuend.0.iter()).for_each(|(a, b)| *a = b.wrapping_sub(*a));
    }

    /// self += a * b in the NTT domain, times 2^-16 (FIPS 203's MultiplyNTTs: 128 products of
    /// degree-one polynomials modulo X^2 - zeta^(2 BitRev7(i) + 1)). Accumulating three products
    /// stays below 6q in absolute value; `reduce` before using the sum.
    pub(super) fn basemul_acc(&mut self, a: &Poly, b: &Poly) {
        let zetas = ZETAS.iter().skip(64);
        let groups = self.0.chunks_exact_mut(4).zip(a.0.chunks_exact(4)).zip(b.0.chunks_exact(4)).zip(zetas);
        for (((r, a), b), &zeta) in groups {
            if let ([r0, r1, r2, r3], [a0, a1, a2, a3], [b0, b1, b2, b3]) = (r, a, b) {
                let (c0, c1) = basemul(*a0, *a1, *b0, *b1, zeta);
                let (c2, c3) = basemul(*a2, *a3, *b2, *b3, zeta.wrapping_neg());
                *r0 = r0.wrapping_add(c0);
                *r1 = r1.wrapping_add(c1);
                *r2 = r2.wrapping_add(c2);
                *r3 = r3.wrapping_add(c3);
            }
        }
    }
}

impl Zeroize for Poly {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// (a0 + a1 X)(b0 + b1 X) mod (X^2 - zeta), times 2^-16. Inlined: at opt-level "z" it was a call
/// for every pair of coefficients.
#[inline(always)]
fn basemul(a0: i16, a1: i16, b0: i16, b1: i16, zeta: i16) -> (i16, i16) {
    let c0 = fqmul(fqmul(a1, b1), zeta).wrapping_add(fqmul(a0, b0));
    let c1 = fqmul(a0, b1).wrapping_add(fqmul(a1, b0));
    (c0, c1)
}

/// a * 2^-16 mod q, in (-q, q) for |a| < q * 2^15.
pub(super) fn montgomery_reduce(a: i32) -> i16 {
    // t = a * q^-1 mod 2^16, so a - t * q is a multiple of 2^16 (the truncations are the point).
    let t = (a as i16).wrapping_mul(QINV);
    (a.wrapping_sub(i32::from(t) * i32::from(Q)) >> 16) as i16
}

/// a * b * 2^-16 mod q.
pub(super) fn fqmul(a: i16, b: i16) -> i16 {
    montgomery_reduce(i32::from(a) * i32::from(b))
}

/// The representative of a mod q in [-(q-1)/2, (q-1)/2], from the quotient estimated with
/// round(2^26 / q): a multiplication and shifts, whatever a is.
pub(super) fn barrett_reduce(a: i16) -> i16 {
    const V: i32 = ((1 << 26) + Q as i32 / 2) / Q as i32;
    let t = ((V * i32::from(a) + (1 << 25)) >> 26) as i16;
    a.wrapping_sub(t.wrapping_mul(Q))
}

/// a in (-q, q) to its representative in [0, q): adds q when a is negative, through the sign as a
/// mask. black_box keeps the mask opaque: without it LLVM may rebuild the select, which ARMv6-M
/// (no conditional move) compiles to a branch on the sign, a secret here. Inlined: at opt-level
/// "z" it was a call for every coefficient encoded or compressed.
#[inline(always)]
pub(super) fn to_unsigned(a: i16) -> u16 {
    let mask = core::hint::black_box(a >> 15);
    a.wrapping_add(mask & Q) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barrett_reduce_is_centered_for_every_input() {
        for a in i16::MIN..=i16::MAX {
            let r = barrett_reduce(a);
            assert_eq!((i32::from(a) - i32::from(r)).rem_euclid(3329), 0, "{a}");
            assert!(r.abs() <= 1664, "{a} -> {r}");
        }
    }

    #[test]
    fn montgomery_reduce_divides_by_2_16() {
        for a in [-3329 * 32767, -1, 0, 1, 12345, 3329 * 32767, 3328 * 3328] {
            let r = montgomery_reduce(a);
            assert_eq!((i64::from(r) * 65536 - i64::from(a)).rem_euclid(3329), 0, "{a}");
            assert!(r.abs() < 3329);
        }
    }

    #[test]
    fn to_unsigned_adds_q_to_negatives() {
        for a in -3328i16..3329 {
            assert_eq!(i32::from(to_unsigned(a)), i32::from(a).rem_euclid(3329));
        }
    }
}
