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

/// k G for a secret k in [1, n - 1], in constant time.
// Indices: bit positions below 260 into 8 words (positions from 256 up read as 0).
#[allow(clippy::indexing_slicing)]
pub fn mul_g(k: &[u32; 8]) -> Jac {
    let b = Sc::from_words(k).add(&Sc::from_words(&C260)).mul(&Sc::from_words(&HALF)).to_words();
    let bit = |i: usize| -> u32 { if i < 256 { (b[i / 32] >> (i % 32)) & 1 } else { 0 } };
    let column = |j: usize| -> Affine {
        let low = bit(j) | (bit(j + 52) << 1) | (bit(j + 104) << 2) | (bit(j + 156) << 3);
        let top = bit(j + 208);
        // Top tooth -1: the negative of the entry with every other sign flipped.
        let negative = ct::mask(top ^ 1);
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
