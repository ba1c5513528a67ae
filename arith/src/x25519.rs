//! X25519 (RFC 7748): the Montgomery ladder over GF(2^255 - 19), in constant time. Elements are
//! 8 little-endian words below 2^256, reduced mod p only at the end; on ARMv6-M multiplication
//! and squaring are the assembly kernels (asm/cm0.S, Thomas Pornin's, multiply and reduce).

use crate::ct;
use crate::mul::mul_wide;

/// An element: 8 little-endian words below 2^256 standing for their value mod p.
pub type Gf = [u32; 8];

/// a + 38 * c for a 256-bit a and c < 2^26: folds a carry above 2^256 back (2^256 = 38 mod p),
/// twice, since the first fold may carry once more (into a small value). The products are
/// 32-bit (a u64 product would call __aeabi_lmul on ARMv6-M; LLVM turns shifts and adds back
/// into one).
#[inline]
fn fold(a: &Gf, c: u32) -> Gf {
    let mut r = *a;
    let mut carry = c.wrapping_mul(38);
    for _ in 0..2 {
        for w in r.iter_mut() {
            let t = u64::from(*w) + u64::from(carry);
            *w = t as u32;
            carry = (t >> 32) as u32;
        }
        carry = carry.wrapping_mul(38);
    }
    r
}

#[cfg(not(ussl_arith_v6m))]
pub fn add(a: &Gf, b: &Gf) -> Gf {
    add_portable(a, b)
}

#[cfg(not(ussl_arith_v6m))]
pub fn sub(a: &Gf, b: &Gf) -> Gf {
    sub_portable(a, b)
}

#[cfg(ussl_arith_v6m)]
pub fn add(a: &Gf, b: &Gf) -> Gf {
    crate::asm::op2(crate::asm::ussl_arith_gf25519_add, a, b)
}

#[cfg(ussl_arith_v6m)]
pub fn sub(a: &Gf, b: &Gf) -> Gf {
    crate::asm::op2(crate::asm::ussl_arith_gf25519_sub, a, b)
}

pub fn add_portable(a: &Gf, b: &Gf) -> Gf {
    let (s, c) = ct::add(a, b);
    fold(&s, c)
}

/// a - b: a borrow means 2^256 too much was taken back, i.e. 38 too little; taking 38 more may
/// borrow once more, which the same correction fixes.
pub fn sub_portable(a: &Gf, b: &Gf) -> Gf {
    let (mut d, mut borrow) = ct::sub(a, b);
    for _ in 0..2 {
        let (e, b2) = ct::sub(&d, &[38 & ct::mask(borrow), 0, 0, 0, 0, 0, 0, 0]);
        d = e;
        borrow = b2;
    }
    d
}

/// a * c for a small constant c (121665), reduced below 2^256.
// Indices: loop counters below 8.
#[allow(clippy::indexing_slicing)]
fn mul_small(a: &Gf, c: u32) -> Gf {
    let mut r = [0u32; 8];
    let mut carry = 0u32;
    for i in 0..8 {
        let (lo, hi) = mul_wide(a[i], c);
        let (lo, o) = lo.overflowing_add(carry);
        r[i] = lo;
        carry = hi + o as u32;
    }
    fold(&r, carry)
}

#[cfg(ussl_arith_v6m)]
fn mul(a: &Gf, b: &Gf) -> Gf {
    crate::asm::op2(crate::asm::ussl_arith_gf25519_mul, a, b)
}

#[cfg(ussl_arith_v6m)]
fn sqr(a: &Gf) -> Gf {
    crate::asm::op1(crate::asm::ussl_arith_gf25519_sqr, a)
}

/// lo + 38 * hi of a 512-bit product, below 2^256.
#[cfg(not(ussl_arith_v6m))]
// Indices: loop counters below 8 into 8- and 16-word arrays.
#[allow(clippy::indexing_slicing)]
fn reduce(t: &[u32; 16]) -> Gf {
    let mut r = [0u32; 8];
    let mut carry = 0u64;
    for i in 0..8 {
        let (lo, hi) = mul_wide(t[i + 8], 38);
        let s = u64::from(t[i]) + u64::from(lo) + carry;
        r[i] = s as u32;
        carry = u64::from(hi) + (s >> 32);
    }
    fold(&r, carry as u32)
}

#[cfg(not(ussl_arith_v6m))]
fn mul(a: &Gf, b: &Gf) -> Gf {
    reduce(&crate::mul::mul256(a, b))
}

#[cfg(not(ussl_arith_v6m))]
fn sqr(a: &Gf) -> Gf {
    reduce(&crate::mul::sqr256(a))
}

fn sqn(a: &Gf, n: usize) -> Gf {
    let mut x = *a;
    for _ in 0..n {
        x = sqr(&x);
    }
    x
}

/// a^(p - 2) = a^(2^255 - 21): 254 squarings and 11 multiplications (the chain of ref10).
fn invert(z: &Gf) -> Gf {
    let z2 = sqr(z);
    let z9 = mul(&sqn(&z2, 2), z);
    let z11 = mul(&z9, &z2);
    let z2_5_0 = mul(&sqr(&z11), &z9);
    let z2_10_0 = mul(&sqn(&z2_5_0, 5), &z2_5_0);
    let z2_20_0 = mul(&sqn(&z2_10_0, 10), &z2_10_0);
    let z2_40_0 = mul(&sqn(&z2_20_0, 20), &z2_20_0);
    let z2_50_0 = mul(&sqn(&z2_40_0, 10), &z2_10_0);
    let z2_100_0 = mul(&sqn(&z2_50_0, 50), &z2_50_0);
    let z2_200_0 = mul(&sqn(&z2_100_0, 100), &z2_100_0);
    let z2_250_0 = mul(&sqn(&z2_200_0, 50), &z2_50_0);
    mul(&sqn(&z2_250_0, 5), &z11)
}

/// The unique representative below p.
// Index 7 of an 8-word array.
#[allow(clippy::indexing_slicing)]
fn canonical(a: &Gf) -> Gf {
    // Fold bit 255 (2^255 = 19 mod p): the value is then below 2^255 + 19.
    let mut r = *a;
    let top = r[7] >> 31;
    r[7] &= 0x7fff_ffff;
    let (mut r, _) = ct::add(&r, &[19 & ct::mask(top), 0, 0, 0, 0, 0, 0, 0]);
    // Subtract p once if r >= p: adding 19 reaches 2^255 exactly then.
    let (t, _) = ct::add(&r, &[19, 0, 0, 0, 0, 0, 0, 0]);
    let ge = ct::mask(t[7] >> 31);
    let mut t = t;
    t[7] &= 0x7fff_ffff;
    r = ct::select(ge, &t, &r);
    r
}

/// The value below p of an element (for the emulator tests, which compare kernels whose outputs
/// may differ by p).
pub fn canonical_for_tests(a: &Gf) -> Gf {
    canonical(a)
}

/// X25519(k, u) (RFC 7748, section 5): the scalar is clamped and the top bit of u ignored.
// Indices: bit positions below 255 into 8 words.
#[allow(clippy::indexing_slicing)]
pub fn x25519(k: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let mut k = *k;
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    let k = ct::from_le_bytes(&k);
    let mut x1 = ct::from_le_bytes(u);
    x1[7] &= 0x7fff_ffff;
    let (mut x2, mut z2, mut x3, mut z3) = ([1, 0, 0, 0, 0, 0, 0, 0], [0u32; 8], x1, [1, 0, 0, 0, 0, 0, 0, 0]);
    let mut swap = 0u32;
    for t in (0..255).rev() {
        let bit = (k[t / 32] >> (t % 32)) & 1;
        swap ^= bit;
        let m = ct::mask(swap);
        ct::swap(m, &mut x2, &mut x3);
        ct::swap(m, &mut z2, &mut z3);
        swap = bit;
        let a = add(&x2, &z2);
        let aa = sqr(&a);
        let b = sub(&x2, &z2);
        let bb = sqr(&b);
        let e = sub(&aa, &bb);
        let c = add(&x3, &z3);
        let d = sub(&x3, &z3);
        let da = mul(&d, &a);
        let cb = mul(&c, &b);
        x3 = sqr(&add(&da, &cb));
        z3 = mul(&x1, &sqr(&sub(&da, &cb)));
        x2 = mul(&aa, &bb);
        z2 = mul(&e, &add(&aa, &mul_small(&e, 121_665)));
    }
    let m = ct::mask(swap);
    ct::swap(m, &mut x2, &mut x3);
    ct::swap(m, &mut z2, &mut z3);
    ct::to_le_bytes(&canonical(&mul(&x2, &invert(&z2))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mul::tests::Rng;

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn rfc7748_vectors() {
        let k = hex32("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        let u = hex32("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        let want = hex32("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        assert_eq!(x25519(&k, &u), want);
        // Section 5.2, iterated: after 1000 rounds.
        let (mut k, mut u) = ([0u8; 32], [0u8; 32]);
        k[0] = 9;
        u[0] = 9;
        for _ in 0..1000 {
            let r = x25519(&k, &u);
            u = k;
            k = r;
        }
        assert_eq!(k, hex32("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"));
    }

    #[test]
    fn matches_x25519_dalek() {
        let mut rng = Rng(5);
        for _ in 0..300 {
            let k = ct::to_le_bytes(&rng.words());
            let u = ct::to_le_bytes(&rng.words());
            assert_eq!(x25519(&k, &u), x25519_dalek::x25519(k, u));
        }
    }

    #[test]
    fn canonical_edges() {
        let p = [0xffff_ffed, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, 0x7fff_ffff];
        assert_eq!(canonical(&p), [0; 8]);
        let mut p1 = p;
        p1[0] += 1;
        assert_eq!(canonical(&p1), [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(canonical(&[u32::MAX; 8]), [37, 0, 0, 0, 0, 0, 0, 0]);
    }
}
