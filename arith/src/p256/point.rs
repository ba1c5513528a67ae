//! P-256 points in Jacobian coordinates (x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity)
//! and scalar multiplication: constant time for secret scalars, variable time for verifying.
//! Formulas: dbl-2001-b and add-2007-bl (https://hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-3.html).

use super::field::Fe;
use super::scalar::N;
use crate::ct;

/// b of y^2 = x^3 - 3x + b, Montgomery form.
const B_MONT: Fe =
    Fe([0x29c4_bddf, 0xd89c_df62, 0x7884_3090, 0xacf0_05cd, 0xf721_2ed6, 0xe5a2_20ab, 0x0487_4834, 0xdc30_061d]);
/// The generator, affine, Montgomery form.
pub const G: Affine = Affine {
    x: Fe([0x18a9_143c, 0x79e7_30d4, 0x5fed_b601, 0x75ba_95fc, 0x7762_2510, 0x79fb_732b, 0xa537_55c6, 0x1890_5f76]),
    y: Fe([0xce95_560a, 0xddf2_5357, 0xba19_e45c, 0x8b4a_b8e4, 0xdd21_f325, 0xd2e8_8688, 0x2588_5d85, 0x8571_ff18]),
};

#[derive(Clone, Copy, Debug)]
pub struct Affine {
    pub x: Fe,
    pub y: Fe,
}

#[derive(Clone, Copy, Debug)]
pub struct Jac {
    pub x: Fe,
    pub y: Fe,
    pub z: Fe,
}

/// b, Montgomery form.
pub fn b() -> Fe {
    B_MONT
}

impl Affine {
    pub fn to_jac(&self) -> Jac {
        Jac { x: self.x, y: self.y, z: Fe::ONE }
    }

    /// Whether y^2 = x^3 - 3x + b (public points only).
    pub fn is_on_curve_vartime(&self) -> bool {
        let rhs = self.x.square().mul(&self.x).sub(&self.x.double().add(&self.x)).add(&B_MONT);
        self.y.square() == rhs
    }
}

impl Jac {
    pub const INFINITY: Jac = Jac { x: Fe::ONE, y: Fe::ONE, z: Fe::ZERO };

    /// 2P (dbl-2001-b, a = -3: 3M + 5S). Infinity stays infinity (Z3 = 2YZ).
    pub fn double(&self) -> Jac {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let t = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = t.double().add(&t);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let gamma2 = gamma.square();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&gamma2.double().double().double());
        Jac { x: x3, y: y3, z: z3 }
    }

    /// P + Q (add-2007-bl: 11M + 5S) and whether it was the case the formula misses: P == Q
    /// (the result is then wrong) as a mask. P == -Q gives infinity, correctly; neither may be
    /// infinity.
    fn add_with_flag(&self, q: &Jac) -> (Jac, u32) {
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r_half = s2.sub(&s1);
        let same = h.is_zero() & r_half.is_zero();
        let i = h.double().square();
        let j = h.mul(&i);
        let r = r_half.double();
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&q.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        (Jac { x: x3, y: y3, z: z3 }, same)
    }

    /// P + Q for P != Q, neither infinity (the callers show why that holds).
    pub fn add(&self, q: &Jac) -> Jac {
        self.add_with_flag(q).0
    }

    /// P + Q for any P, Q but infinity, in constant time (the doubling is computed and chosen
    /// by mask when P == Q).
    pub fn add_or_double(&self, q: &Jac) -> Jac {
        let (sum, same) = self.add_with_flag(q);
        let twice = self.double();
        Jac::select(same, &twice, &sum)
    }

    /// P + Q for any P, Q, variable time (public points).
    pub fn add_vartime(&self, q: &Jac) -> Jac {
        if self.z.is_zero() != 0 {
            return *q;
        }
        if q.z.is_zero() != 0 {
            return *self;
        }
        let (sum, same) = self.add_with_flag(q);
        if same != 0 {
            self.double()
        } else {
            sum
        }
    }

    pub fn neg(&self) -> Jac {
        Jac { x: self.x, y: self.y.neg(), z: self.z }
    }

    /// a where mask is all ones, b where 0.
    pub fn select(mask: u32, a: &Jac, b: &Jac) -> Jac {
        Jac { x: Fe::select(mask, &a.x, &b.x), y: Fe::select(mask, &a.y, &b.y), z: Fe::select(mask, &a.z, &b.z) }
    }

    /// The affine point, or None for infinity (the inversion is constant time; the None is
    /// decided on the result's zero check).
    pub fn to_affine(&self) -> Option<Affine> {
        let zinv = self.z.invert();
        let zinv2 = zinv.square();
        let a = Affine { x: self.x.mul(&zinv2), y: self.y.mul(&zinv2.mul(&zinv)) };
        (self.z.is_zero() == 0).then_some(a)
    }
}

/// The odd multiples P, 3P, ..., 15P.
pub fn odd_multiples(p: &Jac) -> [Jac; 8] {
    let twice = p.double();
    let mut t = [*p; 8];
    for i in 1..8 {
        // (2i - 1)P + 2P: never equal or opposite points for a group of prime order > 17.
        t[i] = t[i - 1].add(&twice);
    }
    t
}

/// t[index] by reading every entry (constant time).
fn lookup(t: &[Jac; 8], index: u32) -> Jac {
    let mut r = t[0];
    for (i, e) in t.iter().enumerate().skip(1) {
        r = Jac::select(ct::is_zero(&[i as u32 ^ index, 0, 0, 0, 0, 0, 0, 0]), e, &r);
    }
    r
}

/// kP for a secret k in [1, n - 1] and a point P of order n, in constant time.
///
/// k is made odd (for an even k, n - k is odd and (n - k)P = -kP) and written in 64 signed odd
/// digits of 4 bits, d_i in {+-1, +-3, ..., +-15} (Joye and Tunstall's regular recoding: digit i
/// is bits 4i..4i+4 of k with bit 4i set, less 16; the top one is k >> 252 with bit 0 set), so
/// that every step is four doublings and one addition of a table entry, whatever k is.
///
/// The additions never meet their exceptions: before adding d_i P the accumulator is 16 m P with
/// 16 <= 16m < n for i >= 1 (m, the top digits' value, is at least 1 and at most k / 16^(i+1) + 1),
/// so it is neither +-d_i P nor infinity. For the last digit, 16m = k - d_0 could equal
/// n + d_0 (for k in [n - 30, n - 2]), so that addition is done with add_or_double.
// Indices: loop counters below 8 and 64.
#[allow(clippy::indexing_slicing)]
pub fn mul_ct(k: &[u32; 8], p: &Jac) -> Jac {
    let even = ct::mask((k[0] & 1) ^ 1);
    let (n_minus_k, _) = ct::sub(&N, k);
    let k = ct::select(even, &n_minus_k, k);
    let table = odd_multiples(p);
    // Digit i of the recoding: (bits 4i..4i+5 of k, with bit 4i set) - 16.
    let window = |i: usize| -> u32 {
        let bit = 4 * i;
        let (w, s) = (bit / 32, bit % 32);
        let low = k[w] >> s;
        let high = if s > 27 && w + 1 < 8 { k[w + 1] << (32 - s) } else { 0 };
        ((low | high) & 31) | 1
    };
    let top = (k[7] >> 28) | 1;
    let mut acc = lookup(&table, top >> 1);
    for i in (0..63).rev() {
        for _ in 0..4 {
            acc = acc.double();
        }
        let w = window(i);
        // d = w - 16: negative when bit 4 of w is clear; |d| = w - 16 or 16 - w, odd.
        let negative = ct::mask(((w >> 4) & 1) ^ 1);
        let d = w.wrapping_sub(16);
        let abs = (d ^ negative).wrapping_sub(negative);
        let entry = lookup(&table, abs >> 1);
        let entry = Jac::select(negative, &entry.neg(), &entry);
        acc = if i == 0 { acc.add_or_double(&entry) } else { acc.add(&entry) };
    }
    Jac::select(even, &acc.neg(), &acc)
}

/// The width-5 NAF of k (public): digits odd in [-15, 15] or zero, at most 257 of them.
pub fn wnaf_vartime(k: &[u32; 8]) -> [i8; 257] {
    crate::naf::wnaf5_vartime(k)
}
