//! FIPS 203's samplers and hash functions: SampleNTT (algorithm 7) from SHAKE128, SamplePolyCBD
//! for eta = 2 (algorithm 8) from the PRF, SHAKE256; and G, H, J. All from the sha3 crate.

use sha3::digest::{Digest, ExtendableOutput, Update, XofReader};
use sha3::{Sha3_256, Sha3_512, Shake128, Shake256};
use zeroize::{Zeroize, Zeroizing};

use super::poly::{Poly, N, Q};

/// SHAKE128's rate: SampleNTT squeezes a block at a time (56 candidate pairs).
const SHAKE128_RATE: usize = 168;

/// Â[i][j] = SampleNTT(rho || x || y), with (x, y) = (j, i) for Â and (i, j) for its transpose.
/// Rejection sampling of a public seed: the loop's branches and length depend only on public
/// data. It reads blocks until 256 coefficients below q are found (about 3.5 blocks on average).
pub(super) fn sample_ntt(rho: &[u8; 32], x: u8, y: u8, out: &mut Poly) {
    let mut xof = Shake128::default();
    Update::update(&mut xof, rho);
    Update::update(&mut xof, &[x, y]);
    let mut reader = xof.finalize_xof();
    let mut block = [0u8; SHAKE128_RATE];
    // The coefficients still to fill. The two candidates of a triple are tested one after the
    // other, not as an array: at opt-level "z" LLVM kept such an array on the stack and looped
    // over it (thumbv7m, about 40 instructions a triple).
    let mut slots = out.0.iter_mut();
    while slots.len() > 0 {
        reader.read(&mut block);
        for triple in block.chunks_exact(3) {
            if let [b0, b1, b2] = *triple {
                let d1 = u16::from(b0) | (u16::from(b1 & 0x0f) << 8);
                let d2 = u16::from(b1 >> 4) | (u16::from(b2) << 4);
                if d1 < Q as u16 {
                    if let Some(c) = slots.next() {
                        *c = d1 as i16;
                    }
                }
                if d2 < Q as u16 {
                    if let Some(c) = slots.next() {
                        *c = d2 as i16;
                    }
                }
            }
        }
    }
}

/// SamplePolyCBD_2(PRF_2(sigma, nonce)): each coefficient is (b0 + b1) - (b2 + b3) of four
/// consecutive bits of SHAKE256(sigma || nonce), computed with masks and shifts only (the bits
/// are secret).
pub(super) fn sample_cbd2(sigma: &[u8; 32], nonce: u8, out: &mut Poly) {
    let mut bytes = Zeroizing::new([0u8; 2 * N / 4]);
    let mut prf = Shake256::default();
    Update::update(&mut prf, sigma);
    Update::update(&mut prf, &[nonce]);
    prf.finalize_xof().read(&mut bytes[..]);
    for (coefficients, word) in out.0.chunks_exact_mut(8).zip(bytes.chunks_exact(4)) {
        if let [b0, b1, b2, b3] = *word {
            let t = u32::from_le_bytes([b0, b1, b2, b3]);
            // Each 2-bit field of d holds the sum of the two bits of t it covers.
            let d = (t & 0x5555_5555) + ((t >> 1) & 0x5555_5555);
            for (j, c) in coefficients.iter_mut().enumerate() {
                let a = ((d >> (4 * j)) & 3) as i16;
                let b = ((d >> (4 * j + 2)) & 3) as i16;
                *c = a - b;
            }
        }
    }
}

/// G(a || b) = SHA3-512, split into its two 32-byte halves.
pub(super) fn g(a: &[u8], b: &[u8], first: &mut [u8; 32], second: &mut [u8; 32]) {
    let mut out = Sha3_512::new().chain_update(a).chain_update(b).finalize();
    let (x, y) = out.split_at(32);
    copy(first, x);
    copy(second, y);
    out.as_mut_slice().zeroize();
}

/// H(a) = SHA3-256.
pub(super) fn h(a: &[u8], out: &mut [u8; 32]) {
    copy(out, &Sha3_256::digest(a));
}

/// J(a || b) = SHAKE256, 32 bytes. Not inlined, so that its state is not part of decapsulation's
/// frame while that re-encrypts.
#[inline(never)]
pub(super) fn j(a: &[u8], b: &[u8], out: &mut [u8; 32]) {
    let mut xof = Shake256::default();
    Update::update(&mut xof, a);
    Update::update(&mut xof, b);
    xof.finalize_xof().read(out);
}

/// Copies as much of `src` as fits (the callers' lengths match; no panic if they did not).
pub(super) fn copy(dst: &mut [u8], src: &[u8]) {
    dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s);
}
