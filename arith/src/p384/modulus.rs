//! P-384's numbers: 12 little-endian 32-bit limbs, Montgomery arithmetic modulo p or n (R =
//! 2^384; word products by [`mul64`], the low halves of a product modulo p by the 256-bit kernel),
//! binary extended Euclid for inverses and width-5 NAFs. Public values only (verification):
//! variable time.

use crate::mul::mul64;

pub(crate) const LIMBS: usize = 12;
pub(crate) type Limbs = [u32; LIMBS];

pub(super) fn from_be(bytes: &[u8; 48]) -> Limbs {
    let mut out = [0u32; LIMBS];
    // The last four bytes are the lowest limb.
    for (limb, word) in out.iter_mut().zip(bytes.rchunks_exact(4)) {
        *limb = <[u8; 4]>::try_from(word).map_or(0, u32::from_be_bytes);
    }
    out
}

/// Up to 48 big-endian bytes as a number (shorter input is the low bytes).
pub(super) fn from_be_slice(bytes: &[u8]) -> Option<Limbs> {
    if bytes.len() > 48 {
        return None;
    }
    let mut padded = [0u8; 48];
    padded.get_mut(48 - bytes.len()..)?.copy_from_slice(bytes);
    Some(from_be(&padded))
}

/// Bit `i` of `x` (0 is the lowest).
pub(super) fn bit(x: &Limbs, i: usize) -> bool {
    x.get(i / 32).is_some_and(|limb| (limb >> (i % 32)) & 1 == 1)
}

pub(super) fn is_zero(a: &Limbs) -> bool {
    a.iter().all(|&l| l == 0)
}

/// a < b
pub(super) fn less(a: &Limbs, b: &Limbs) -> bool {
    for (x, y) in a.iter().zip(b).rev() {
        if x != y {
            return x < y;
        }
    }
    false
}

/// a - b, and whether it borrowed.
pub(super) fn sub_borrow(a: &Limbs, b: &Limbs) -> (Limbs, bool) {
    let mut out = [0u32; LIMBS];
    let mut borrow = 0u64;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        let d = u64::from(x).wrapping_sub(u64::from(y)).wrapping_sub(borrow);
        *o = d as u32;
        borrow = (d >> 63) & 1;
    }
    (out, borrow != 0)
}

/// a + b, and the carry out.
pub(super) fn add_carry(a: &Limbs, b: &Limbs) -> (Limbs, bool) {
    let mut out = [0u32; LIMBS];
    let mut carry = 0u64;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        let s = u64::from(x) + u64::from(y) + carry;
        *o = s as u32;
        carry = s >> 32;
    }
    (out, carry != 0)
}
/// Arithmetic modulo an odd 384-bit modulus `m` (p or n), in Montgomery form (R = 2^384).
pub(super) struct Modulus {
    pub(super) m: Limbs,
    /// -m^-1 mod 2^32
    minv: u32,
    /// R^2 mod m
    r2: Limbs,
    /// m is p: multiplication takes its special reduction.
    is_p: bool,
}

impl Modulus {
    pub(super) fn new(m: &[u8; 48]) -> Self {
        // m is p: multiplication takes its special reduction.
        let is_p = m == &super::P;
        let m = from_be(m);
        // Newton's iteration for m^-1 mod 2^32: each step doubles the correct low bits.
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(m[0].wrapping_mul(inv)));
        }
        let mut this = Self { m, minv: inv.wrapping_neg(), r2: [0; LIMBS], is_p };
        // R mod m = 2^384 - m (m > 2^383), then doubled 384 times: R^2 mod m.
        let (mut r, _) = sub_borrow(&[0; LIMBS], &m);
        for _ in 0..384 {
            r = this.add(&r, &r);
        }
        this.r2 = r;
        this
    }

    pub(super) fn add(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let (s, carry) = add_carry(a, b);
        if carry || !less(&s, &self.m) {
            sub_borrow(&s, &self.m).0
        } else {
            s
        }
    }

    pub(super) fn sub(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let (d, borrow) = sub_borrow(a, b);
        if borrow {
            add_carry(&d, &self.m).0
        } else {
            d
        }
    }

    /// a * b / R mod m, for a, b < m: the reduction special to p when m is p, CIOS otherwise.
    pub(super) fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        if self.is_p {
            mul_mod_p(a, b, &self.m)
        } else {
            self.mul_cios(a, b)
        }
    }

    /// a * b / R mod m (CIOS), for a, b < m.
    // Every index is a loop counter below LIMBS, or a constant, into arrays of LIMBS and
    // LIMBS + 2 limbs: none can be out of range.
    #[allow(clippy::indexing_slicing)]
    pub(super) fn mul_cios(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut t = [0u32; LIMBS + 2];
        for &ai in a.iter() {
            let mut carry = 0u64;
            for j in 0..LIMBS {
                let v = u64::from(t[j]) + mul64(ai, b[j]) + carry;
                t[j] = v as u32;
                carry = v >> 32;
            }
            let v = u64::from(t[LIMBS]) + carry;
            t[LIMBS] = v as u32;
            t[LIMBS + 1] = (v >> 32) as u32;
            let q = t[0].wrapping_mul(self.minv);
            let v = u64::from(t[0]) + mul64(q, self.m[0]);
            let mut carry = v >> 32;
            for j in 1..LIMBS {
                let v = u64::from(t[j]) + mul64(q, self.m[j]) + carry;
                t[j - 1] = v as u32;
                carry = v >> 32;
            }
            let v = u64::from(t[LIMBS]) + carry;
            t[LIMBS - 1] = v as u32;
            t[LIMBS] = t[LIMBS + 1] + (v >> 32) as u32;
        }
        let mut out = [0u32; LIMBS];
        out.copy_from_slice(&t[..LIMBS]);
        if t[LIMBS] != 0 || !less(&out, &self.m) {
            out = sub_borrow(&out, &self.m).0;
        }
        out
    }

    pub(super) fn to_mont(&self, a: &Limbs) -> Limbs {
        self.mul(a, &self.r2)
    }

    pub(super) fn leave_mont(&self, a: &Limbs) -> Limbs {
        let mut one = [0u32; LIMBS];
        one[0] = 1;
        self.mul(a, &one)
    }

    pub(super) fn one(&self) -> Limbs {
        let mut one = [0u32; LIMBS];
        one[0] = 1;
        self.to_mont(&one)
    }

    /// a^e for a in Montgomery form and a plain exponent (square and multiply).
    pub(super) fn pow(&self, a: &Limbs, e: &Limbs) -> Limbs {
        let mut acc = self.one();
        for i in (0..LIMBS * 32).rev() {
            acc = self.mul(&acc, &acc);
            if bit(e, i) {
                acc = self.mul(&acc, a);
            }
        }
        acc
    }
}

/// a * b, 384 x 384 -> 768 bits: the low halves' product by [`crate::mul::mul256`] (the
/// assembly kernel on ARMv6-M), the rest by rows of word products.
// Indices: loop counters within the 12- and 24-limb arrays.
#[allow(clippy::indexing_slicing)]
fn mul384(a: &Limbs, b: &Limbs) -> [u32; 2 * LIMBS] {
    let mut t = [0u32; 2 * LIMBS];
    let lo = |x: &Limbs| -> [u32; 8] { core::array::from_fn(|i| x[i]) };
    t[..16].copy_from_slice(&crate::mul::mul256(&lo(a), &lo(b)));
    // a[i] * b[8..12] for i < 8, then a[i] * b[0..12] for i >= 8, into t[i + j].
    for i in 0..LIMBS {
        let (from, to) = if i < 8 { (8, LIMBS) } else { (0, LIMBS) };
        let mut carry = 0u64;
        for j in from..to {
            let v = u64::from(t[i + j]) + mul64(a[i], b[j]) + carry;
            t[i + j] = v as u32;
            carry = v >> 32;
        }
        let mut k = i + to;
        while carry != 0 && k < 2 * LIMBS {
            let v = u64::from(t[k]) + carry;
            t[k] = v as u32;
            carry = v >> 32;
            k += 1;
        }
    }
    t
}

/// a * b / 2^384 mod p for p = 2^384 - 2^128 - 2^96 + 2^32 - 1. Since p = -1 mod 2^32, the
/// multiple of p that clears word i is q = (word i) itself, and q * p adds q to words i+1 and
/// i+12 and takes it from words i+3, i+4 and i (which it clears): no multiplication, a column at
/// a time with a signed carry.
// Indices: column numbers below 24 and their offsets, checked before use.
#[allow(clippy::indexing_slicing)]
fn mul_mod_p(a: &Limbs, b: &Limbs, p: &Limbs) -> Limbs {
    let t = mul384(a, b);
    let mut q = [0u32; LIMBS];
    let mut r = [0u32; LIMBS];
    let mut carry: i64 = 0;
    for j in 0..2 * LIMBS {
        let mut acc = carry + i64::from(t[j]);
        if j >= 1 && j - 1 < LIMBS {
            acc += i64::from(q[j - 1]);
        }
        if j >= 3 && j - 3 < LIMBS {
            acc -= i64::from(q[j - 3]);
        }
        if j >= 4 && j - 4 < LIMBS {
            acc -= i64::from(q[j - 4]);
        }
        if j >= LIMBS {
            acc += i64::from(q[j - LIMBS]);
            r[j - LIMBS] = acc as u32;
        } else {
            q[j] = acc as u32;
        }
        carry = acc >> 32;
    }
    // r + carry * 2^384 < 2p.
    if carry != 0 || !less(&r, p) {
        sub_borrow(&r, p).0
    } else {
        r
    }
}
/// a^-1 mod m for an odd m and 0 < a < m (binary extended Euclid, HAC 14.61; variable time:
/// public values only).
pub(super) fn invert_vartime(a: &Limbs, m: &Limbs) -> Limbs {
    fn shr1(x: &mut Limbs, top: bool) {
        let mut carry = u32::from(top);
        for limb in x.iter_mut().rev() {
            let next = *limb & 1;
            *limb = (*limb >> 1) | (carry << 31);
            carry = next;
        }
    }
    /// x / 2 mod m.
    fn half(x: &mut Limbs, m: &Limbs) {
        if x[0] & 1 == 0 {
            shr1(x, false);
        } else {
            let (s, c) = add_carry(x, m);
            *x = s;
            shr1(x, c);
        }
    }
    fn sub_mod(a: &Limbs, b: &Limbs, m: &Limbs) -> Limbs {
        let (d, borrow) = sub_borrow(a, b);
        if borrow {
            add_carry(&d, m).0
        } else {
            d
        }
    }
    let mut one = [0u32; LIMBS];
    one[0] = 1;
    let (mut u, mut v) = (*a, *m);
    let (mut x1, mut x2) = (one, [0u32; LIMBS]);
    while u != one && v != one {
        if is_zero(&u) {
            return [0; LIMBS];
        }
        while u[0] & 1 == 0 {
            shr1(&mut u, false);
            half(&mut x1, m);
        }
        while v[0] & 1 == 0 {
            shr1(&mut v, false);
            half(&mut x2, m);
        }
        if !less(&u, &v) {
            u = sub_borrow(&u, &v).0;
            x1 = sub_mod(&x1, &x2, m);
        } else {
            v = sub_borrow(&v, &u).0;
            x2 = sub_mod(&x2, &x1, m);
        }
    }
    if u == one {
        x1
    } else {
        x2
    }
}

/// The width-5 NAF of k: digits odd in [-15, 15] or zero, at most 385.
pub(super) fn wnaf(k: &Limbs) -> [i8; 385] {
    crate::naf::wnaf5_vartime(k)
}
