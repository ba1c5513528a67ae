//! The P-256 base field, p = 2^256 - 2^224 + 2^192 + 2^96 - 1, in Montgomery form (R = 2^256)
//! on 8 little-endian words, always fully reduced (below p).

use crate::ct;
#[cfg(not(ussl_arith_v6m))]
use crate::mul::{mul256, sqr256};

/// p, little-endian words.
pub const P: [u32; 8] = [0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0, 0, 0, 1, 0xffff_ffff];
/// R^2 mod p, to enter the Montgomery form.
const R2: [u32; 8] = [3, 0, 0xffff_ffff, 0xffff_fffb, 0xffff_fffe, 0xffff_ffff, 0xffff_fffd, 4];

/// An element of the field, aR mod p.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fe(pub [u32; 8]);

/// r + c * 2^256 - p if that is not negative, else r; for r + c * 2^256 < 2p.
#[inline]
fn reduce_once(r: &[u32; 8], c: u32) -> [u32; 8] {
    let (d, borrow) = ct::sub(r, &P);
    // c - borrow is 0 when r + c * 2^256 >= p (take d), -1 otherwise (keep r).
    ct::select(ct::opaque(c.wrapping_sub(borrow)), r, &d)
}

/// Montgomery reduction of a 512-bit t: t / 2^256 mod p, for t < p * 2^256.
///
/// Since p = -1 mod 2^32, the multiple of p that clears word i is q = (word i) itself, and
/// q * p = q * (2^256 - 2^224 + 2^192 + 2^96 - 1) adds q to words i+3, i+6 and i+8 and takes
/// it from words i+7 and i (which it clears). Done a column at a time with a signed carry:
/// no multiplication at all.
// Every index is a constant or a loop counter within the arrays.
#[allow(clippy::indexing_slicing)]
#[inline]
fn montgomery_reduce(t: &[u32; 16]) -> [u32; 8] {
    let mut q = [0u32; 8];
    let mut r = [0u32; 8];
    let mut carry: i64 = 0;
    for j in 0..16 {
        let mut acc = carry + i64::from(t[j]);
        if j >= 3 && j - 3 < 8 {
            acc += i64::from(q[j - 3]);
        }
        if j >= 6 && j - 6 < 8 {
            acc += i64::from(q[j - 6]);
        }
        if j >= 7 && j - 7 < 8 {
            acc -= i64::from(q[j - 7]);
        }
        if j >= 8 {
            acc += i64::from(q[j - 8]);
        }
        if j < 8 {
            q[j] = acc as u32;
        } else {
            r[j - 8] = acc as u32;
        }
        // For j < 8 the low word is q itself, which -q clears: what is left is the carry.
        carry = acc >> 32;
    }
    // The result, r + carry * 2^256, is below 2p: carry is 0 or 1.
    reduce_once(&r, carry as u32)
}

impl Fe {
    pub const ZERO: Fe = Fe([0; 8]);
    /// 1 in Montgomery form: R mod p = 2^256 - p.
    pub const ONE: Fe = Fe([1, 0, 0, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_fffe, 0]);

    /// A number below p (from words) into the field.
    pub fn from_words(w: &[u32; 8]) -> Fe {
        Fe(*w).mul(&Fe(R2))
    }

    /// The number it stands for (below p).
    pub fn to_words(&self) -> [u32; 8] {
        self.mul(&Fe([1, 0, 0, 0, 0, 0, 0, 0])).0
    }

    /// 32 big-endian bytes, if they are below p (variable time: for public values, and the
    /// check is only on the range).
    pub fn from_be_bytes_vartime(bytes: &[u8; 32]) -> Option<Fe> {
        let w = ct::from_be_bytes(bytes);
        ct::less_vartime(&w, &P).then(|| Fe::from_words(&w))
    }

    pub fn to_be_bytes(&self) -> [u8; 32] {
        ct::to_be_bytes(&self.to_words())
    }

    #[cfg(not(ussl_arith_v6m))]
    #[inline]
    pub fn mul(&self, b: &Fe) -> Fe {
        Fe(montgomery_reduce(&mul256(&self.0, &b.0)))
    }

    #[cfg(not(ussl_arith_v6m))]
    #[inline]
    pub fn square(&self) -> Fe {
        Fe(montgomery_reduce(&sqr256(&self.0)))
    }

    #[cfg(not(ussl_arith_v6m))]
    #[inline]
    pub fn add(&self, b: &Fe) -> Fe {
        let (s, c) = ct::add(&self.0, &b.0);
        Fe(reduce_once(&s, c))
    }

    #[cfg(not(ussl_arith_v6m))]
    #[inline]
    pub fn sub(&self, b: &Fe) -> Fe {
        let (d, borrow) = ct::sub(&self.0, &b.0);
        let (e, _) = ct::add(&d, &ct::select(ct::mask(borrow), &P, &[0; 8]));
        Fe(e)
    }

    // On ARMv6-M the four are assembly (asm/cm0.S, the same algorithms, P-256 part generated
    // by asm/gen_p256.py); the emulator tests (bench/m0) check them against the Rust above.
    #[cfg(ussl_arith_v6m)]
    #[inline]
    pub fn mul(&self, b: &Fe) -> Fe {
        Fe(crate::asm::op2(crate::asm::ussl_arith_p256_mul, &self.0, &b.0))
    }

    #[cfg(ussl_arith_v6m)]
    #[inline]
    pub fn square(&self) -> Fe {
        Fe(crate::asm::op1(crate::asm::ussl_arith_p256_sqr, &self.0))
    }

    #[cfg(ussl_arith_v6m)]
    #[inline]
    pub fn add(&self, b: &Fe) -> Fe {
        Fe(crate::asm::op2(crate::asm::ussl_arith_p256_add, &self.0, &b.0))
    }

    #[cfg(ussl_arith_v6m)]
    #[inline]
    pub fn sub(&self, b: &Fe) -> Fe {
        Fe(crate::asm::op2(crate::asm::ussl_arith_p256_sub, &self.0, &b.0))
    }

    /// The portable Rust versions, for the emulator tests to compare the assembly with.
    pub fn mul_portable(&self, b: &Fe) -> Fe {
        Fe(montgomery_reduce(&crate::mul::mul256_portable(&self.0, &b.0)))
    }

    pub fn add_portable(&self, b: &Fe) -> Fe {
        let (s, c) = ct::add(&self.0, &b.0);
        Fe(reduce_once(&s, c))
    }

    pub fn sub_portable(&self, b: &Fe) -> Fe {
        let (d, borrow) = ct::sub(&self.0, &b.0);
        let (e, _) = ct::add(&d, &ct::select(ct::mask(borrow), &P, &[0; 8]));
        Fe(e)
    }

    /// self^(2^n).
    pub fn sqn(&self, n: usize) -> Fe {
        let mut x = *self;
        for _ in 0..n {
            x = x.square();
        }
        x
    }

    #[inline]
    pub fn double(&self) -> Fe {
        self.add(self)
    }

    pub fn neg(&self) -> Fe {
        Fe::ZERO.sub(self)
    }

    /// self where mask is all ones, other where it is 0.
    pub fn select(mask: u32, a: &Fe, b: &Fe) -> Fe {
        Fe(ct::select(mask, &a.0, &b.0))
    }

    /// All ones if zero.
    pub fn is_zero(&self) -> u32 {
        ct::is_zero(&self.0)
    }

    /// A square root (self^((p + 1) / 4), p = 3 mod 4), if self is a square (public values:
    /// decompressing keys).
    pub fn sqrt_vartime(&self) -> Option<Fe> {
        let t11 = self.mul(&self.square());
        let t1111 = t11.mul(&t11.sqn(2));
        let t11111111 = t1111.mul(&t1111.sqn(4));
        let x16 = t11111111.sqn(8).mul(&t11111111);
        let root = x16.sqn(16).mul(&x16).sqn(32).mul(self).sqn(96).mul(self).sqn(94);
        (root.square() == *self).then_some(root)
    }

    /// self^(p - 2): the inverse, or 0 for 0 (Fermat; the addition chain of the p256 crate).
    pub fn invert(&self) -> Fe {
        let t111 = self.mul(&self.mul(&self.square()).square());
        let t111111 = t111.mul(&t111.sqn(3));
        let x15 = t111111.sqn(6).mul(&t111111).sqn(3).mul(&t111);
        let x16 = x15.square().mul(self);
        let i53 = x16.sqn(16).mul(&x16).sqn(15);
        let x47 = x15.mul(&i53);
        x47.mul(&i53.sqn(17).mul(self).sqn(143).mul(&x47).sqn(47)).sqn(2).mul(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mul::tests::Rng;

    fn below_p(rng: &mut Rng) -> [u32; 8] {
        loop {
            let w = rng.words();
            if ct::less_vartime(&w, &P) {
                return w;
            }
        }
    }

    /// The p256 crate's field (its own, independent implementation) as the reference.
    fn reference(w: &[u32; 8]) -> p256::FieldElement {
        p256::FieldElement::from_bytes(&ct::to_be_bytes(w).into()).unwrap()
    }

    fn words_of(f: p256::FieldElement) -> [u32; 8] {
        ct::from_be_bytes(&f.to_bytes().into())
    }

    #[test]
    fn operations_match_the_p256_crate() {
        let mut rng = Rng(7);
        let edges = [[0u32; 8], [1, 0, 0, 0, 0, 0, 0, 0], {
            let mut pm1 = P;
            pm1[0] -= 1;
            pm1
        }];
        for n in 0..3000 {
            let a = if n < 3 { edges[n] } else { below_p(&mut rng) };
            let b = if n < 3 { edges[2 - n] } else { below_p(&mut rng) };
            let (fa, fb) = (Fe::from_words(&a), Fe::from_words(&b));
            let (ra, rb) = (reference(&a), reference(&b));
            assert_eq!(fa.to_words(), a);
            assert_eq!(fa.mul(&fb).to_words(), words_of(ra * rb));
            assert_eq!(fa.square().to_words(), words_of(ra.square()));
            assert_eq!(fa.add(&fb).to_words(), words_of(ra + rb));
            assert_eq!(fa.sub(&fb).to_words(), words_of(ra - rb));
            assert_eq!(fa.neg().to_words(), words_of(-ra));
            if n % 50 == 0 {
                let want = if n == 0 { [0; 8] } else { words_of(ra.invert().unwrap()) };
                assert_eq!(fa.invert().to_words(), want);
            }
        }
        assert_eq!(Fe::from_words(&[1, 0, 0, 0, 0, 0, 0, 0]), Fe::ONE);
    }
}
