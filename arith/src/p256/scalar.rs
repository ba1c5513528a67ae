//! Arithmetic modulo the P-256 group order n, in Montgomery form (R = 2^256) on 8 little-endian
//! words: what ECDSA computes on (k^-1, r * d, ...).

use crate::ct;
use crate::mul::{mul256, mul_wide};

/// n, little-endian words.
pub const N: [u32; 8] = [0xfc63_2551, 0xf3b9_cac2, 0xa717_9e84, 0xbce6_faad, 0xffff_ffff, 0xffff_ffff, 0, 0xffff_ffff];
/// -n^-1 mod 2^32.
const N0: u32 = 0xee00_bc4f;
/// R^2 mod n.
const R2: [u32; 8] =
    [0xbe79_eea2, 0x8324_4c95, 0x49bd_6fa6, 0x4699_799c, 0x2b6b_ec59, 0x2845_b239, 0xf3d9_5620, 0x66e1_2d94];

/// aR mod n.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sc(pub [u32; 8]);

/// Montgomery reduction of t (< n * 2^256): t / 2^256 mod n, word by word.
// Every index is a loop counter within the arrays.
#[allow(clippy::indexing_slicing)]
fn montgomery_reduce(t: &[u32; 16]) -> [u32; 8] {
    let mut t = *t;
    // Carries out of the top word, kept apart: t + m * n < 2 * n * 2^256 < 2^513.
    let mut top = 0u32;
    for i in 0..8 {
        let q = t[i].wrapping_mul(N0);
        let mut carry = 0u64;
        for j in 0..8 {
            let (lo, hi) = mul_wide(q, N[j]);
            let s = u64::from(t[i + j]) + u64::from(lo) + carry;
            t[i + j] = s as u32;
            carry = u64::from(hi) + (s >> 32);
        }
        // Propagate the carry through the upper words (a fixed number of steps: constant time).
        for w in t.iter_mut().skip(i + 8) {
            let s = u64::from(*w) + carry;
            *w = s as u32;
            carry = s >> 32;
        }
        top += carry as u32;
    }
    let mut r = [0u32; 8];
    r.copy_from_slice(&t[8..]);
    let (d, borrow) = ct::sub(&r, &N);
    ct::select(ct::opaque(top.wrapping_sub(borrow)), &r, &d)
}

impl Sc {
    /// A number below n into Montgomery form.
    pub fn from_words(w: &[u32; 8]) -> Sc {
        Sc(montgomery_reduce(&mul256(w, &R2)))
    }

    /// Any 256-bit number, reduced mod n first (one subtraction is enough: 2^256 < 2n).
    pub fn from_words_reduced(w: &[u32; 8]) -> Sc {
        let (d, borrow) = ct::sub(w, &N);
        Sc::from_words(&ct::select(ct::mask(borrow), w, &d))
    }

    pub fn to_words(&self) -> [u32; 8] {
        let mut t = [0u32; 16];
        t[..8].copy_from_slice(&self.0);
        montgomery_reduce(&t)
    }

    pub fn mul(&self, b: &Sc) -> Sc {
        Sc(montgomery_reduce(&mul256(&self.0, &b.0)))
    }

    pub fn add(&self, b: &Sc) -> Sc {
        let (s, c) = ct::add(&self.0, &b.0);
        let (d, borrow) = ct::sub(&s, &N);
        Sc(ct::select(ct::opaque(c.wrapping_sub(borrow)), &s, &d))
    }

    pub fn is_zero(&self) -> u32 {
        ct::is_zero(&self.0)
    }

    /// self^(n - 2), the inverse (0 for 0), with 4-bit windows over the public exponent: the
    /// same operations whatever self is.
    // Indices: window values below 16 into a 16-entry table; exponent words below 8.
    #[allow(clippy::indexing_slicing)]
    pub fn invert(&self) -> Sc {
        let mut e = N;
        e[0] -= 2;
        let mut table = [Sc::from_words(&[1, 0, 0, 0, 0, 0, 0, 0]); 16];
        for i in 1..16 {
            table[i] = table[i - 1].mul(self);
        }
        let mut acc = table[0];
        for i in (0..64).rev() {
            for _ in 0..4 {
                acc = acc.mul(&acc);
            }
            // The exponent is public: indexing by its digits leaks nothing.
            let digit = (e[i / 8] >> (4 * (i % 8))) & 15;
            acc = acc.mul(&table[digit as usize]);
        }
        acc
    }
}

/// s^-1 mod n for a public s in [1, n - 1] (binary extended Euclid, variable time; HAC 14.61),
/// as a plain number.
pub fn invert_vartime(s: &[u32; 8]) -> [u32; 8] {
    fn is_even(a: &[u32; 8]) -> bool {
        a[0] & 1 == 0
    }
    fn shr1(a: &mut [u32; 8], top: u32) {
        for i in 0..8 {
            let next = if i == 7 { top } else { a[i + 1] };
            a[i] = (a[i] >> 1) | (next << 31);
        }
    }
    /// x / 2 mod n.
    fn half(x: &mut [u32; 8]) {
        if is_even(x) {
            shr1(x, 0);
        } else {
            let (s, c) = ct::add(x, &N);
            *x = s;
            shr1(x, c);
        }
    }
    /// a - b mod n, for a, b < n.
    fn sub_mod(a: &[u32; 8], b: &[u32; 8]) -> [u32; 8] {
        let (d, borrow) = ct::sub(a, b);
        if borrow == 1 {
            ct::add(&d, &N).0
        } else {
            d
        }
    }
    let one = [1, 0, 0, 0, 0, 0, 0, 0];
    let (mut u, mut v) = (*s, N);
    let (mut x1, mut x2) = (one, [0u32; 8]);
    while u != one && v != one {
        if ct::is_zero(&u) != 0 {
            return [0; 8];
        }
        while is_even(&u) {
            shr1(&mut u, 0);
            half(&mut x1);
        }
        while is_even(&v) {
            shr1(&mut v, 0);
            half(&mut x2);
        }
        if !ct::less_vartime(&u, &v) {
            u = ct::sub(&u, &v).0;
            x1 = sub_mod(&x1, &x2);
        } else {
            v = ct::sub(&v, &u).0;
            x2 = sub_mod(&x2, &x1);
        }
    }
    if u == one {
        x1
    } else {
        x2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mul::tests::Rng;
    use p256::elliptic_curve::ops::Reduce;

    fn reference(w: &[u32; 8]) -> p256::Scalar {
        <p256::Scalar as Reduce<p256::U256>>::reduce_bytes(&ct::to_be_bytes(w).into())
    }

    fn words_of(s: p256::Scalar) -> [u32; 8] {
        ct::from_be_bytes(&s.to_bytes().into())
    }

    #[test]
    fn operations_match_the_p256_crate() {
        let mut rng = Rng(11);
        for n in 0..1000 {
            let (a, b) = if n == 0 { ([u32::MAX; 8], N) } else { (rng.words(), rng.words()) };
            let (sa, sb) = (Sc::from_words_reduced(&a), Sc::from_words_reduced(&b));
            let (ra, rb) = (reference(&a), reference(&b));
            assert_eq!(sa.to_words(), words_of(ra));
            assert_eq!(sa.mul(&sb).to_words(), words_of(ra * rb));
            assert_eq!(sa.add(&sb).to_words(), words_of(ra + rb));
            if n % 20 == 1 {
                let inv = words_of(ra.invert().unwrap());
                assert_eq!(sa.invert().to_words(), inv);
                assert_eq!(invert_vartime(&sa.to_words()), inv);
            }
        }
    }
}
