//! k G for a secret k by a fixed-base comb (keys and ECDSA nonces): 51 doublings and 52 mixed
//! additions of a 16-entry table (comb_table.rs, 1 KB), where the general method (point.rs)
//! takes 252 doublings and 63 full additions.
//!
//! The signed-digit comb (as libsecp256k1's ecmult_gen): with B = (k + 2^260 - 1) / 2 mod n,
//! k = sum over i < 260 of (2 b_i - 1) 2^i mod n, b_i the bits of B: every digit is +-1, never
//! 0. With 5 teeth at spacing 52, column j (0 <= j < 52) stands for
//! V_j = sum over t < 5 of (2 b_(j+52t) - 1) 2^(52t), and k G = sum over j of 2^j V_j G. The
//! table holds the 16 values with the top tooth +1 (the other 16 are their negatives), so each
//! column is one constant-time lookup, a conditional negation and one addition.
//!
//! The mixed addition has exceptions (adding a point to itself or to its negative, or to
//! infinity); the accumulator and the table entry are multiples of G that meet them only for
//! about 2^-240 of the scalars, which a random secret does not hit.

use super::comb_table::COMB;
use super::field::Fe;
use super::point::{Affine, Jac};
use super::scalar::Sc;
use crate::ct;

/// (2^260 - 1) mod n and (n + 1) / 2 = 1/2 mod n, as plain numbers.
const C260: [u32; 8] =
    [0x39cd_aaef, 0xc463_53d0, 0x8e86_17b0, 0x3190_5525, 0x0000_0004, 0x0000_0000, 0xffff_fff0, 0x0000_000f];
const HALF: [u32; 8] =
    [0x7e31_92a9, 0x79dc_e561, 0xd38b_cf42, 0xde73_7d56, 0xffff_ffff, 0x7fff_ffff, 0x8000_0000, 0x7fff_ffff];

/// P + Q for an affine Q (madd-2007-bl: 7M + 4S), P != +-Q, P not infinity.
pub fn add_affine(p: &Jac, q: &Affine) -> Jac {
    let z1z1 = p.z.square();
    let u2 = q.x.mul(&z1z1);
    let s2 = q.y.mul(&p.z).mul(&z1z1);
    let h = u2.sub(&p.x);
    let hh = h.square();
    let i = hh.double().double();
    let j = h.mul(&i);
    let r = s2.sub(&p.y).double();
    let v = p.x.mul(&i);
    let x3 = r.square().sub(&j).sub(&v.double());
    let y3 = r.mul(&v.sub(&x3)).sub(&p.y.mul(&j).double());
    let z3 = p.z.add(&h).square().sub(&z1z1).sub(&hh);
    Jac { x: x3, y: y3, z: z3 }
}

/// COMB[index] by reading every entry (constant time).
fn lookup(index: u32) -> Affine {
    let mut r = COMB[0];
    for (i, e) in COMB.iter().enumerate().skip(1) {
        let hit = ct::is_zero(&[i as u32 ^ index, 0, 0, 0, 0, 0, 0, 0]);
        r = Affine { x: Fe::select(hit, &e.x, &r.x), y: Fe::select(hit, &e.y, &r.y) };
    }
    r
}

/// B = (k + 2^260 - 1) / 2 mod n, whose bits give k's signed digits.
fn recode(k: &[u32; 8]) -> [u32; 8] {
    Sc::from_words_reduced(k).add(&Sc::from_words(&C260)).mul(&Sc::from_words(&HALF)).to_words()
}

/// Bit i of b (0 from 256 up).
// Indices: i < 256 into 8 words.
#[allow(clippy::indexing_slicing)]
fn bit(b: &[u32; 8], i: usize) -> u32 {
    if i < 256 {
        (b[i / 32] >> (i % 32)) & 1
    } else {
        0
    }
}

/// Column j of the comb: the index of its entry (the other four teeth) and whether the top
/// tooth is -1 (then the entry is of the flipped bits, negated).
fn column_index(b: &[u32; 8], j: usize) -> (u32, u32) {
    let low = bit(b, j) | (bit(b, j + 52) << 1) | (bit(b, j + 104) << 2) | (bit(b, j + 156) << 3);
    let negative = bit(b, j + 208) ^ 1;
    (low, negative)
}

/// k G for a secret k in [1, n - 1], in constant time.
pub fn mul_g(k: &[u32; 8]) -> Jac {
    let b = recode(k);
    let column = |j: usize| -> Affine {
        let (low, negative) = column_index(&b, j);
        // Top tooth -1: the negative of the entry with every other sign flipped.
        let negative = ct::mask(negative);
        let e = lookup((low ^ negative) & 15);
        Affine { x: e.x, y: Fe::select(negative, &e.y.neg(), &e.y) }
    };
    let mut acc = column(51).to_jac();
    for j in (0..51).rev() {
        acc = acc.double();
        acc = add_affine(&acc, &column(j));
    }
    acc
}

/// P + Q for an affine Q, any P (public points: variable time).
fn add_affine_vartime(p: &Jac, q: &Affine) -> Jac {
    if p.z.is_zero() != 0 {
        return q.to_jac();
    }
    let z1z1 = p.z.square();
    let h = q.x.mul(&z1z1).sub(&p.x);
    if h.is_zero() != 0 {
        let same = q.y.mul(&p.z).mul(&z1z1) == p.y;
        return if same { q.to_jac().double() } else { Jac::INFINITY };
    }
    add_affine(p, q)
}

/// a G + b Q for public a, b and Q (verifying), in variable time: b's width-5 NAF over 257
/// doublings, with a's 52 comb columns added in the last 52 (the comb needs no doublings of
/// its own then).
// Indices: NAF positions below 257, table indices |d| / 2 below 8, comb entries below 16.
#[allow(clippy::indexing_slicing)]
pub fn double_mul_vartime(a: &[u32; 8], b: &[u32; 8], q: &Jac) -> Jac {
    let ba = recode(a);
    let tq = super::point::odd_multiples(q);
    let nb = super::point::wnaf_vartime(b);
    let mut acc = Jac::INFINITY;
    for i in (0..257).rev() {
        acc = acc.double();
        let d = nb[i];
        if d > 0 {
            acc = acc.add_vartime(&tq[(d as usize) / 2]);
        } else if d < 0 {
            acc = acc.add_vartime(&tq[((-d) as usize) / 2].neg());
        }
        if i < 52 {
            let (low, negative) = column_index(&ba, i);
            let e = if negative == 1 { COMB[(low ^ 15) as usize] } else { COMB[low as usize] };
            let e = if negative == 1 { Affine { x: e.x, y: e.y.neg() } } else { e };
            acc = add_affine_vartime(&acc, &e);
        }
    }
    acc
}
