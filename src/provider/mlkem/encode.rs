//! FIPS 203's ByteEncode_d / ByteDecode_d (algorithms 5 and 6) and Compress_d / Decompress_d
//! (section 4.2.1) for the d ML-KEM-768 uses: 12 (keys), 10 and 4 (ciphertexts), 1 (messages).

use super::poly::{to_unsigned, Poly, Q};

/// ByteEncode_d of 256 values below 2^d, least significant bit first. The bit position is a
/// public counter; only the values are data.
fn encode(values: impl Iterator<Item = u32>, d: u32, out: &mut [u8]) {
    let mut out = out.iter_mut();
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in values {
        acc |= v << bits;
        bits += d;
        while bits >= 8 {
            if let Some(o) = out.next() {
                *o = acc as u8;
            }
            acc >>= 8;
            bits -= 8;
        }
    }
}

/// ByteDecode_d into 256 values below 2^d, each passed to `set` with its coefficient.
fn decode(bytes: &[u8], d: u32, p: &mut Poly, set: impl Fn(u32) -> i16) {
    let mask = (1u32 << d) - 1;
    let mut bytes = bytes.iter();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in p.0.iter_mut() {
        while bits < d {
            acc |= u32::from(bytes.next().copied().unwrap_or(0)) << bits;
            bits += 8;
        }
        *c = set(acc & mask);
        acc >>= d;
        bits -= d;
    }
}

/// ByteEncode_12 of a polynomial with coefficients in (-q, q), each taken to [0, q) first. Two
/// coefficients to three bytes at a time rather than through `encode`'s bit accumulator, which
/// took about 30 instructions a coefficient on thumbv7m at opt-level "z" (keys, and the client's
/// cache of Â, are encoded 15 times a handshake).
pub(super) fn encode_12(p: &Poly, out: &mut [u8]) {
    for (pair, bytes) in p.0.chunks_exact(2).zip(out.chunks_exact_mut(3)) {
        if let ([a, b], [o0, o1, o2]) = (pair, bytes) {
            let (a, b) = (to_unsigned(*a), to_unsigned(*b));
            *o0 = a as u8;
            *o1 = ((a >> 8) | (b << 4)) as u8;
            *o2 = (b >> 4) as u8;
        }
    }
}

/// ByteDecode_12 (384 bytes; fewer leave the last coefficients as they were), three bytes to two
/// coefficients at a time (as `encode_12`). Values up to 4095 pass through: an encapsulation key
/// is checked to have none at or above q before this (kx_mlkem.rs), and our own keys have none.
pub(super) fn decode_12(bytes: &[u8], p: &mut Poly) {
    for (pair, triple) in p.0.chunks_exact_mut(2).zip(bytes.chunks_exact(3)) {
        if let ([c0, c1], [b0, b1, b2]) = (pair, triple) {
            *c0 = (u16::from(*b0) | (u16::from(*b1 & 0x0f) << 8)) as i16;
            *c1 = (u16::from(*b1 >> 4) | (u16::from(*b2) << 4)) as i16;
        }
    }
}

/// Compress_d(x) = round(2^d x / q) mod 2^d for x in (-q, q) (taken to [0, q) first), d <= 10.
/// floor(((x << d) + (q+1)/2) * 1290167 / 2^32) is that quotient for every such x (the Kyber
/// reference's multiply-shift instead of a division, whose time on some cores depends on the
/// operands; `compress_matches_the_definition` checks all of them). The 64-bit product is taken
/// as two 32-bit ones (y's bits above and below 2^11) so that ARMv6-M, which has no long
/// multiply, needs no library call. Inlined: at opt-level "z" it was a call per coefficient.
#[inline(always)]
pub(super) fn compress(x: i16, d: u32) -> u32 {
    const MAGIC: u32 = 1_290_167; // floor(2^32 / q)
    const HALF_Q_UP: u32 = 1665; // (q + 1) / 2
    let y = (u32::from(to_unsigned(x)) << d) + HALF_Q_UP;
    let (high, low) = (y >> 11, y & 0x7ff);
    let quotient = (high * MAGIC + ((low * MAGIC) >> 11)) >> 21;
    quotient & ((1 << d) - 1)
}

/// Decompress_d(y) = round(q y / 2^d), for public y (ciphertexts).
pub(super) fn decompress(y: u32, d: u32) -> i16 {
    ((y * Q as u32 + (1 << (d - 1))) >> d) as i16
}

/// ByteEncode_d(Compress_d(p)) for d = 10 (u, 320 bytes) or 4 (v, 128 bytes).
pub(super) fn compress_encode(p: &Poly, d: u32, out: &mut [u8]) {
    encode(p.0.iter().map(|&c| compress(c, d)), d, out);
}

/// Decompress_d(ByteDecode_d(bytes)).
pub(super) fn decode_decompress(bytes: &[u8], d: u32, p: &mut Poly) {
    decode(bytes, d, p, |v| decompress(v, d));
}

/// Decompress_1(ByteDecode_1(m)): each bit of the (secret) message to 0 or (q+1)/2, by mask.
pub(super) fn from_message(m: &[u8; 32], p: &mut Poly) {
    for (coefficients, byte) in p.0.chunks_exact_mut(8).zip(m.iter()) {
        for (j, c) in coefficients.iter_mut().enumerate() {
            // black_box: LLVM may otherwise make the mask a select, a branch on ARMv6-M.
            let mask = core::hint::black_box(i16::from((byte >> j) & 1).wrapping_neg());
            *c = mask & ((Q + 1) / 2);
        }
    }
}

/// ByteEncode_1(Compress_1(p)): the (secret) message that decryption recovers.
pub(super) fn to_message(p: &Poly, m: &mut [u8; 32]) {
    encode(p.0.iter().map(|&c| compress(c, 1)), 1, m);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against FIPS 203's definition, computed with a division, for every x in [0, q) and its
    /// negative representative.
    #[test]
    fn compress_matches_the_definition() {
        for d in [1u32, 4, 10] {
            for x in 0..3329i32 {
                let want = (((x << d) + 1664) / 3329) as u32 % (1 << d);
                assert_eq!(compress(x as i16, d), want, "d = {d}, x = {x}");
                if x > 0 {
                    assert_eq!(compress((x - 3329) as i16, d), want, "d = {d}, x = {x} - q");
                }
            }
        }
    }

    #[test]
    fn decompress_then_compress_is_identity() {
        for d in [1u32, 4, 10] {
            for y in 0..(1u32 << d) {
                assert_eq!(compress(decompress(y, d), d), y);
            }
        }
    }

    #[test]
    fn encode_12_round_trips() {
        let mut p = Poly::zero();
        for (i, c) in p.0.iter_mut().enumerate() {
            *c = ((i * 1009) % 3329) as i16;
        }
        let mut bytes = [0u8; 384];
        encode_12(&p, &mut bytes);
        let mut back = Poly::zero();
        decode_12(&bytes, &mut back);
        assert_eq!(p.0, back.0);
        // FIPS 203's bit order: coefficient 0 in the first byte and the low half of the second.
        assert_eq!((bytes[0], bytes[1] & 0x0f), (0, 0));
        assert_eq!(u16::from(bytes[1] >> 4) | (u16::from(bytes[2]) << 4), 1009);
    }
}
