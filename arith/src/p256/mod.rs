//! P-256 (secp256r1): key pairs, ECDH and the arithmetic cores of ECDSA signing and
//! verification. Byte strings are big-endian, points SEC1-encoded. Secret scalars are handled
//! in constant time; `verify` takes public data only.

mod comb;
mod comb_table;
pub mod field;
pub mod point;
pub mod scalar;

use crate::ct;
use field::Fe;
use point::Affine;
use scalar::{Sc, N};

/// A secret scalar in [1, n - 1] from 32 big-endian bytes, or None (the range check is
/// constant time; only its outcome is revealed).
fn secret_scalar(bytes: &[u8; 32]) -> Option<[u32; 8]> {
    let k = ct::from_be_bytes(bytes);
    let (_, borrow) = ct::sub(&k, &N);
    let ok = ct::mask(borrow) & !ct::is_zero(&k);
    (ok != 0).then_some(k)
}

/// A public point from SEC1 bytes (uncompressed, or compressed when `compressed_ok`), checked
/// to be on the curve.
pub fn decode_point(sec1: &[u8], compressed_ok: bool) -> Option<Affine> {
    let (&tag, rest) = sec1.split_first()?;
    let coordinate = |b: &[u8]| -> Option<Fe> { Fe::from_be_bytes_vartime(b.try_into().ok()?) };
    let point = match (tag, rest.len()) {
        (4, 64) => Affine { x: coordinate(rest.get(..32)?)?, y: coordinate(rest.get(32..)?)? },
        (2 | 3, 32) if compressed_ok => {
            let x = coordinate(rest)?;
            let b = point::b();
            let rhs = x.square().mul(&x).sub(&x.double().add(&x)).add(&b);
            let y = rhs.sqrt_vartime()?;
            let odd = y.to_words()[0] & 1 == 1;
            Affine { x, y: if odd == (tag == 3) { y } else { y.neg() } }
        }
        _ => return None,
    };
    point.is_on_curve_vartime().then_some(point)
}

fn encode_uncompressed(p: &Affine) -> [u8; 65] {
    let mut out = [0u8; 65];
    out[0] = 4;
    out[1..33].copy_from_slice(&p.x.to_be_bytes());
    out[33..].copy_from_slice(&p.y.to_be_bytes());
    out
}

/// The public key (uncompressed SEC1) of a secret key, None if the key is not in [1, n - 1].
pub fn public_key(secret: &[u8; 32]) -> Option<[u8; 65]> {
    let k = secret_scalar(secret)?;
    let p = comb::mul_g(&k).to_affine()?;
    Some(encode_uncompressed(&p))
}

/// ECDH: the x coordinate of secret * peer, for an uncompressed peer point on the curve.
pub fn ecdh(secret: &[u8; 32], peer_sec1: &[u8]) -> Option<[u8; 32]> {
    let k = secret_scalar(secret)?;
    let peer = decode_point(peer_sec1, false)?;
    // A point on the curve has order n (the cofactor is 1), as mul_ct needs.
    let p = point::mul_ct(&k, &peer.to_jac()).to_affine()?;
    Some(p.x.to_be_bytes())
}

/// ECDSA signature (r, s) of the hash value `z` (the leftmost 256 bits of the hash) with secret
/// key `d` and nonce `k`, both in [1, n - 1]. None when r or s comes out zero (a new k is
/// needed) or a scalar is out of range.
pub fn sign(d: &[u8; 32], k: &[u8; 32], z: &[u8; 32]) -> Option<([u8; 32], [u8; 32])> {
    let d = secret_scalar(d)?;
    let k = secret_scalar(k)?;
    let big_r = comb::mul_g(&k).to_affine()?;
    // r = x mod n: x < p < 2n, one conditional subtraction.
    let r = Sc::from_words_reduced(&big_r.x.to_words());
    let z = Sc::from_words_reduced(&ct::from_be_bytes(z));
    let s = Sc::from_words(&k).invert().mul(&z.add(&r.mul(&Sc::from_words(&d))));
    if (r.is_zero() | s.is_zero()) != 0 {
        return None;
    }
    Some((ct::to_be_bytes(&r.to_words()), ct::to_be_bytes(&s.to_words())))
}

/// ECDSA verification of (r, s) over the hash value `z` with a public key (SEC1, compressed or
/// not). Variable time: everything here is public.
pub fn verify(public: &[u8], z: &[u8; 32], r: &[u8; 32], s: &[u8; 32]) -> bool {
    let Some(q) = decode_point(public, true) else { return false };
    let (r, s) = (ct::from_be_bytes(r), ct::from_be_bytes(s));
    let in_range = |x: &[u32; 8]| ct::is_zero(x) == 0 && ct::less_vartime(x, &N);
    if !in_range(&r) || !in_range(&s) {
        return false;
    }
    let w = Sc::from_words(&scalar::invert_vartime(&s));
    let z = Sc::from_words_reduced(&ct::from_be_bytes(z));
    let u1 = z.mul(&w).to_words();
    let u2 = Sc::from_words(&r).mul(&w).to_words();
    let x = comb::double_mul_vartime(&u1, &u2, &q.to_jac());
    if x.z.is_zero() != 0 {
        return false;
    }
    // x(X) mod n == r, without an inversion: X == r' Z^2 for r' = r or r + n (when below p).
    let zz = x.z.square();
    let matches = |candidate: &[u32; 8]| Fe::from_words(candidate).mul(&zz) == x.x;
    if matches(&r) {
        return true;
    }
    let (rn, carry) = ct::add(&r, &N);
    carry == 0 && ct::less_vartime(&rn, &field::P) && matches(&rn)
}

#[cfg(test)]
mod tests;
