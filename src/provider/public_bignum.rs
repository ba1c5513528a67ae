//! Modular exponentiation of public numbers, for RSA signature verification: the signature, the
//! modulus and the exponent are all public, so variable-time arithmetic is fine here (nothing
//! secret is ever computed on). Signing with RSA keys of our own uses the `rsa` crate instead
//! (`rsa-sign`), which blinds its secret exponentiation.
//!
//! Numbers are little-endian 32-bit limbs; multiplication is Montgomery's (CIOS) modulo an odd
//! modulus, as in p384.rs but for any length. About 1 KB of code where num-bigint-dig and the
//! rsa crate cost 18 KB on Cortex-M0+. Word products go through ussl-arith's `mul64`: on
//! ARMv6-M, four 16x16-bit multiplies inline instead of a call to `__aeabi_lmul`.

use alloc::vec;
use alloc::vec::Vec;
use ussl_arith::mul::mul64;

/// Big-endian bytes to limbs (no length limit; leading zero bytes are fine).
fn from_be(bytes: &[u8], limbs: usize) -> Vec<u32> {
    let mut out = vec![0u32; limbs];
    for (i, byte) in bytes.iter().rev().enumerate() {
        if let Some(limb) = out.get_mut(i / 4) {
            *limb |= u32::from(*byte) << (8 * (i % 4));
        }
    }
    out
}

/// Limbs to `len` big-endian bytes (the low bytes of the number).
fn to_be(limbs: &[u32], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    for (i, byte) in out.iter_mut().rev().enumerate() {
        *byte = limbs.get(i / 4).map_or(0, |limb| (limb >> (8 * (i % 4))) as u8);
    }
    out
}

/// a < b, for numbers of the same length.
fn less(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().zip(b).rev() {
        if x != y {
            return x < y;
        }
    }
    false
}

/// a -= b, for numbers of the same length; returns the borrow.
fn sub_in_place(a: &mut [u32], b: &[u32]) -> bool {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b) {
        let d = u64::from(*x).wrapping_sub(u64::from(y)).wrapping_sub(borrow);
        *x = d as u32;
        borrow = (d >> 63) & 1;
    }
    borrow != 0
}

/// An odd modulus and what Montgomery multiplication modulo it needs (R = 2^(32 * limbs)).
struct Modulus {
    m: Vec<u32>,
    /// -m^-1 mod 2^32
    minv: u32,
}

impl Modulus {
    fn new(m: Vec<u32>) -> Self {
        let low = m.first().copied().unwrap_or(1);
        // Newton's iteration for m^-1 mod 2^32: each step doubles the correct low bits.
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(low.wrapping_mul(inv)));
        }
        Self { m, minv: inv.wrapping_neg() }
    }

    fn limbs(&self) -> usize {
        self.m.len()
    }

    /// 2a mod m, for a < m.
    fn double(&self, a: &mut [u32]) {
        let mut carry = 0u32;
        for limb in a.iter_mut() {
            let next = *limb >> 31;
            *limb = (*limb << 1) | carry;
            carry = next;
        }
        if carry != 0 || !less(a, &self.m) {
            sub_in_place(a, &self.m);
        }
    }

    /// a * b / R mod m, for a, b < m.
    fn mul(&self, a: &[u32], b: &[u32]) -> Vec<u32> {
        let n = self.limbs();
        // t holds n + 2 limbs: the running sum and its two carry limbs.
        let mut t = vec![0u32; n + 2];
        for &ai in a {
            let mut carry = 0u64;
            for (tj, &bj) in t.iter_mut().zip(b) {
                let v = u64::from(*tj) + mul64(ai, bj) + carry;
                *tj = v as u32;
                carry = v >> 32;
            }
            add_carry_at(&mut t, n, carry);
            let q = t.first().copied().unwrap_or(0).wrapping_mul(self.minv);
            // t + q * m is divisible by 2^32: add it and shift down one limb at once.
            let mut carry = 0u64;
            for j in 0..n {
                let (tj, mj) = (t.get(j).copied().unwrap_or(0), self.m.get(j).copied().unwrap_or(0));
                let v = u64::from(tj) + mul64(q, mj) + carry;
                if let Some(below) = j.checked_sub(1).and_then(|k| t.get_mut(k)) {
                    *below = v as u32;
                }
                carry = v >> 32;
            }
            let (tn, tn1) = (t.get(n).copied().unwrap_or(0), t.get(n + 1).copied().unwrap_or(0));
            let v = u64::from(tn) + carry;
            if let Some(slot) = n.checked_sub(1).and_then(|k| t.get_mut(k)) {
                *slot = v as u32;
            }
            if let Some(slot) = t.get_mut(n) {
                *slot = tn1 + (v >> 32) as u32;
            }
            if let Some(slot) = t.get_mut(n + 1) {
                *slot = 0;
            }
        }
        let top = t.get(n).copied().unwrap_or(0);
        t.truncate(n);
        if top != 0 || !less(&t, &self.m) {
            sub_in_place(&mut t, &self.m);
        }
        t
    }

    /// base^exp in Montgomery form, for `base` in Montgomery form and `exp` > 0 given as
    /// big-endian bytes (square and multiply, left to right).
    fn pow(&self, base: &[u32], exp: &[u8]) -> Vec<u32> {
        let mut acc: Option<Vec<u32>> = None;
        for byte in exp {
            for shift in (0..8).rev() {
                if let Some(a) = acc.as_mut() {
                    *a = self.mul(a, a);
                }
                if (byte >> shift) & 1 == 1 {
                    acc = Some(match acc {
                        Some(a) => self.mul(&a, base),
                        None => base.to_vec(),
                    });
                }
            }
        }
        acc.unwrap_or_else(|| self.one())
    }

    /// R mod m: 1 in Montgomery form.
    fn one(&self) -> Vec<u32> {
        // The highest power of two below m is 2^(bits - 1); doubling it up to 2^(32 * limbs)
        // reduces it modulo m on the way.
        let bits = bit_length(&self.m);
        let mut r = vec![0u32; self.limbs()];
        let top = bits.saturating_sub(1);
        if let Some(limb) = r.get_mut(top / 32) {
            *limb = 1 << (top % 32);
        }
        for _ in top..32 * self.limbs() {
            self.double(&mut r);
        }
        r
    }

    /// R^2 mod m, to bring numbers into Montgomery form: 2 in Montgomery form (2R) raised to the
    /// power 32 * limbs is 2^(32 * limbs) * R = R^2.
    fn r_squared(&self) -> Vec<u32> {
        let mut two = self.one();
        self.double(&mut two);
        let exp = (32 * self.limbs() as u32).to_be_bytes();
        self.pow(&two, &exp)
    }
}

/// t[at..] += carry, carrying on.
fn add_carry_at(t: &mut [u32], at: usize, carry: u64) {
    let mut carry = carry;
    for limb in t.iter_mut().skip(at) {
        if carry == 0 {
            break;
        }
        let v = u64::from(*limb) + carry;
        *limb = v as u32;
        carry = v >> 32;
    }
}

fn bit_length(x: &[u32]) -> usize {
    for (i, limb) in x.iter().enumerate().rev() {
        if *limb != 0 {
            return 32 * i + 32 - limb.leading_zeros() as usize;
        }
    }
    0
}

/// The bit length of a big-endian number.
pub fn bit_length_be(bytes: &[u8]) -> usize {
    match bytes.iter().position(|&b| b != 0) {
        Some(i) => 8 * (bytes.len() - i) - bytes.get(i).map_or(0, |b| b.leading_zeros() as usize),
        None => 0,
    }
}

/// s^e mod n as big-endian bytes of n's length, for an odd n > 1 and s < n (None otherwise).
pub fn mod_pow(s: &[u8], e: &[u8], n: &[u8]) -> Option<Vec<u8>> {
    let bits = bit_length_be(n);
    if bits < 2 || n.last().copied().unwrap_or(0) & 1 == 0 || bit_length_be(e) == 0 {
        return None;
    }
    let limbs = bits.div_ceil(32);
    let modulus = Modulus::new(from_be(n, limbs));
    let base = from_be(s, limbs);
    if bit_length_be(s) > bits || !less(&base, &modulus.m) {
        return None;
    }
    let base = modulus.mul(&base, &modulus.r_squared());
    let mut one = vec![0u32; limbs];
    if let Some(low) = one.first_mut() {
        *low = 1;
    }
    let result = modulus.mul(&modulus.pow(&base, e), &one);
    Some(to_be(&result, bits.div_ceil(8)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_known_answers() {
        // 4^13 mod 497 = 445; 7^560 mod 561 = 1 (561 is a Carmichael number).
        assert_eq!(mod_pow(&[4], &[13], &[0x01, 0xf1]), Some(vec![0x01, 0xbd]));
        assert_eq!(mod_pow(&[7], &[0x02, 0x30], &[0x02, 0x31]), Some(vec![0, 1]));
        // Multi-limb: (2^64 + 3)^3 mod (2^95 + 7), computed with Python's pow.
        let n = [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07];
        let s = [0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x03];
        let expected = num_pow(&s, 3, &n);
        assert_eq!(mod_pow(&s, &[3], &n), Some(expected));
    }

    /// Schoolbook reference: repeated multiplication and reduction with u128 (moduli < 2^127).
    fn num_pow(s: &[u8], e: u32, n: &[u8]) -> Vec<u8> {
        let to = |b: &[u8]| b.iter().fold(0u128, |acc, &x| (acc << 8) | u128::from(x));
        let (s, n) = (to(s), to(n));
        let mulmod = |a: u128, b: u128| {
            // Double-and-add keeps every intermediate below 2n < 2^128.
            let (mut acc, mut a, mut b) = (0u128, a % n, b);
            while b > 0 {
                if b & 1 == 1 {
                    acc = (acc + a) % n;
                }
                a = (a + a) % n;
                b >>= 1;
            }
            acc
        };
        let mut r = 1u128;
        for _ in 0..e {
            r = mulmod(r, s);
        }
        r.to_be_bytes()[16 - 12..].to_vec()
    }

    #[test]
    fn refuses_bad_moduli_and_bases() {
        assert_eq!(mod_pow(&[2], &[3], &[0x10]), None, "even modulus");
        assert_eq!(mod_pow(&[2], &[3], &[1]), None, "modulus 1");
        assert_eq!(mod_pow(&[0x11], &[3], &[0x11]), None, "base not below the modulus");
        assert_eq!(mod_pow(&[2], &[0], &[0x11]), None, "zero exponent");
        assert_eq!(mod_pow(&[2], &[3], &[]), None, "empty modulus");
    }
}
