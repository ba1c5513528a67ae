//! ECDSA P-384 signature verification, written for flash: the p384 crate costs about 130 KB on
//! Cortex-M, this under 10 KB. Verification handles only public values (the key, the signature,
//! the digest), so variable-time arithmetic is fine here: nothing secret is ever computed on.
//!
//! Numbers are 12 little-endian 32-bit limbs. Field and scalar arithmetic are Montgomery
//! multiplication modulo p or n (word products by [`mul64`]: no `__aeabi_lmul` on ARMv6-M);
//! inversions are binary extended Euclid; points are Jacobian (a = -3). Verification computes
//! u1*G + u2*Q with interleaved width-5 NAFs and compares x mod n with r. Known-answer tests:
//! Wycheproof's ecdsa_secp384r1_sha384 and _sha256 vectors (the engine's tests/wycheproof.rs).

mod modulus;

use modulus::{add_carry, from_be, from_be_slice, invert_vartime, is_zero, less, sub_borrow, wnaf, Modulus};
pub(crate) use modulus::{Limbs, LIMBS};

/// Big-endian bytes of the curve's constants (SEC 2, section 2.5.1).
const P: [u8; 48] =
    hex48(b"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff");
const N: [u8; 48] =
    hex48(b"ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973");
const B: [u8; 48] =
    hex48(b"b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef");
const GX: [u8; 48] =
    hex48(b"aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7");
const GY: [u8; 48] =
    hex48(b"3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f");

// Evaluated at compile time only: an index out of range fails the build, not the program.
#[allow(clippy::indexing_slicing)]
const fn hex48(s: &[u8; 96]) -> [u8; 48] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => 0,
        }
    }
    let mut out = [0u8; 48];
    let mut i = 0;
    while i < 48 {
        out[i] = (nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

/// A point in Jacobian coordinates, Montgomery form; z = 0 is the point at infinity.
#[derive(Clone, Copy)]
struct Point {
    x: Limbs,
    y: Limbs,
    z: Limbs,
}

impl Point {
    fn infinity() -> Self {
        Point { x: [0; LIMBS], y: [0; LIMBS], z: [0; LIMBS] }
    }

    fn is_infinity(&self) -> bool {
        is_zero(&self.z)
    }
}

struct Curve {
    f: Modulus,
}

impl Curve {
    /// dbl-2001-b (a = -3).
    fn double(&self, p: &Point) -> Point {
        if p.is_infinity() || is_zero(&p.y) {
            return Point::infinity();
        }
        let f = &self.f;
        let delta = f.mul(&p.z, &p.z);
        let gamma = f.mul(&p.y, &p.y);
        let beta = f.mul(&p.x, &gamma);
        let t = f.mul(&f.sub(&p.x, &delta), &f.add(&p.x, &delta));
        let alpha = f.add(&f.add(&t, &t), &t);
        let beta2 = f.add(&beta, &beta);
        let beta4 = f.add(&beta2, &beta2);
        let beta8 = f.add(&beta4, &beta4);
        let x3 = f.sub(&f.mul(&alpha, &alpha), &beta8);
        let yz = f.add(&p.y, &p.z);
        let z3 = f.sub(&f.sub(&f.mul(&yz, &yz), &gamma), &delta);
        let g2 = f.mul(&gamma, &gamma);
        let g4 = f.add(&g2, &g2);
        let g8 = f.add(&f.add(&g4, &g4), &f.add(&g4, &g4));
        let y3 = f.sub(&f.mul(&alpha, &f.sub(&beta4, &x3)), &g8);
        Point { x: x3, y: y3, z: z3 }
    }

    /// add-2007-bl, with the cases it does not cover.
    fn add(&self, p: &Point, q: &Point) -> Point {
        if p.is_infinity() {
            return *q;
        }
        if q.is_infinity() {
            return *p;
        }
        let f = &self.f;
        let z1z1 = f.mul(&p.z, &p.z);
        let z2z2 = f.mul(&q.z, &q.z);
        let u1 = f.mul(&p.x, &z2z2);
        let u2 = f.mul(&q.x, &z1z1);
        let s1 = f.mul(&f.mul(&p.y, &q.z), &z2z2);
        let s2 = f.mul(&f.mul(&q.y, &p.z), &z1z1);
        let h = f.sub(&u2, &u1);
        let r_half = f.sub(&s2, &s1);
        if is_zero(&h) {
            return if is_zero(&r_half) { self.double(p) } else { Point::infinity() };
        }
        let h2 = f.add(&h, &h);
        let i = f.mul(&h2, &h2);
        let j = f.mul(&h, &i);
        let r = f.add(&r_half, &r_half);
        let v = f.mul(&u1, &i);
        let x3 = f.sub(&f.sub(&f.mul(&r, &r), &j), &f.add(&v, &v));
        let s1j = f.mul(&s1, &j);
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.add(&s1j, &s1j));
        let zz = f.add(&p.z, &q.z);
        let z3 = f.mul(&f.sub(&f.sub(&f.mul(&zz, &zz), &z1z1), &z2z2), &h);
        Point { x: x3, y: y3, z: z3 }
    }

    /// P, 3P, ..., 15P.
    fn odd_multiples(&self, p: &Point) -> [Point; 8] {
        let twice = self.double(p);
        let mut t = [*p; 8];
        for i in 1..8 {
            t[i] = self.add(&t[i - 1], &twice);
        }
        t
    }

    fn neg(&self, p: &Point) -> Point {
        Point { x: p.x, y: self.f.sub(&[0; LIMBS], &p.y), z: p.z }
    }

    /// a*P + b*Q (interleaved width-5 NAFs; variable time).
    fn double_mul(&self, a: &Limbs, p: &Point, b: &Limbs, q: &Point) -> Point {
        let (tp, tq) = (self.odd_multiples(p), self.odd_multiples(q));
        let (na, nb) = (wnaf(a), wnaf(b));
        let mut acc = Point::infinity();
        for i in (0..na.len()).rev() {
            acc = self.double(&acc);
            for (d, t) in [(na[i], &tp), (nb[i], &tq)] {
                if d > 0 {
                    acc = self.add(&acc, &t[(d as usize) / 2]);
                } else if d < 0 {
                    acc = self.add(&acc, &self.neg(&t[((-d) as usize) / 2]));
                }
            }
        }
        acc
    }

    /// x^3 - 3x + b, Montgomery form.
    fn rhs(&self, x: &Limbs, b: &Limbs) -> Limbs {
        let f = &self.f;
        let x3 = f.mul(&f.mul(x, x), x);
        let three_x = f.add(&f.add(x, x), x);
        f.add(&f.sub(&x3, &three_x), b)
    }

    /// A SEC1 public key (uncompressed or compressed) on the curve, as a point.
    fn decode_point(&self, sec1: &[u8]) -> Option<Point> {
        let f = &self.f;
        let b = f.to_mont(&from_be(&B));
        let coordinate = |bytes: &[u8]| -> Option<Limbs> {
            let v = from_be_slice(bytes)?;
            less(&v, &f.m).then(|| f.to_mont(&v))
        };
        let (tag, rest) = sec1.split_first()?;
        let (x, y) = match (*tag, rest.len()) {
            (4, 96) => {
                let x = coordinate(rest.get(..48)?)?;
                let y = coordinate(rest.get(48..)?)?;
                if f.mul(&y, &y) != self.rhs(&x, &b) {
                    return None;
                }
                (x, y)
            }
            (2 | 3, 48) => {
                let x = coordinate(rest)?;
                let rhs = self.rhs(&x, &b);
                // p = 3 mod 4: a square root is rhs^((p+1)/4).
                let mut e = add_carry(&f.m, &{
                    let mut one = [0u32; LIMBS];
                    one[0] = 1;
                    one
                })
                .0;
                for _ in 0..2 {
                    for i in 0..LIMBS {
                        let high = e.get(i + 1).map_or(0, |n| n << 31);
                        if let Some(limb) = e.get_mut(i) {
                            *limb = (*limb >> 1) | high;
                        }
                    }
                }
                let mut y = f.pow(&rhs, &e);
                if f.mul(&y, &y) != rhs {
                    return None;
                }
                let odd = f.leave_mont(&y)[0] & 1 == 1;
                if odd != (*tag == 3) {
                    y = f.sub(&[0; LIMBS], &y);
                }
                (x, y)
            }
            _ => return None,
        };
        Some(Point { x, y, z: f.one() })
    }
}

/// Verifies an ECDSA signature (r, s: big-endian, at most 48 bytes each) over `digest` (SHA-256
/// or SHA-384 output) with a SEC1 P-384 public key.
pub fn verify(public_key: &[u8], digest: &[u8], r: &[u8], s: &[u8]) -> bool {
    let curve = Curve { f: Modulus::new(&P) };
    let scalars = Modulus::new(&N);
    let Some(q) = curve.decode_point(public_key) else { return false };
    let (Some(r), Some(s)) = (from_be_slice(r), from_be_slice(s)) else { return false };
    if is_zero(&r) || is_zero(&s) || !less(&r, &scalars.m) || !less(&s, &scalars.m) {
        return false;
    }
    // The digest's leftmost 384 bits, reduced below n (2^384 < 2n).
    let Some(mut e) = from_be_slice(digest.get(..digest.len().min(48)).unwrap_or(digest)) else { return false };
    if !less(&e, &scalars.m) {
        e = sub_borrow(&e, &scalars.m).0;
    }
    let w = scalars.to_mont(&invert_vartime(&s, &scalars.m));
    // Plain times Montgomery form gives plain: u = x * w.
    let u1 = scalars.mul(&e, &w);
    let u2 = scalars.mul(&r, &w);
    let f = &curve.f;
    let g = Point { x: f.to_mont(&from_be(&GX)), y: f.to_mont(&from_be(&GY)), z: f.one() };
    let point = curve.double_mul(&u1, &g, &u2, &q);
    if point.is_infinity() {
        return false;
    }
    let zinv = f.to_mont(&invert_vartime(&f.leave_mont(&point.z), &f.m));
    let mut x = f.leave_mont(&f.mul(&point.x, &f.mul(&zinv, &zinv)));
    if !less(&x, &scalars.m) {
        x = sub_borrow(&x, &scalars.m).0;
    }
    x == r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_on_the_curve_and_n_times_g_is_infinity() {
        let curve = Curve { f: Modulus::new(&P) };
        let mut sec1 = [0u8; 97];
        sec1[0] = 4;
        sec1[1..49].copy_from_slice(&GX);
        sec1[49..].copy_from_slice(&GY);
        let g = curve.decode_point(&sec1).map(|p| (p.x, p.y));
        assert!(g.is_some());
        let f = &curve.f;
        let g = Point { x: f.to_mont(&from_be(&GX)), y: f.to_mont(&from_be(&GY)), z: f.one() };
        let n = from_be(&N);
        assert!(curve.double_mul(&n, &g, &[0; LIMBS], &g).is_infinity());
        let mut n1 = n;
        n1[0] -= 1;
        assert!(!curve.double_mul(&n1, &g, &[0; LIMBS], &g).is_infinity());
    }

    #[test]
    fn compressed_and_uncompressed_keys_decode_alike() {
        let curve = Curve { f: Modulus::new(&P) };
        let mut compressed = [0u8; 49];
        compressed[0] = if GY[47] & 1 == 1 { 3 } else { 2 };
        compressed[1..].copy_from_slice(&GX);
        let p = curve.decode_point(&compressed).map(|p| curve.f.leave_mont(&p.y));
        assert_eq!(p, Some(from_be(&GY)));
    }
}
