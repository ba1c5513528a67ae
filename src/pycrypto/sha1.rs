//! SHA-1's compression function (FIPS 180-4, section 6.1.2), for `hashlib.sha1` only: the TLS
//! engines never use SHA-1. One rolled loop over the 80 rounds with a 16-word window of the
//! message schedule, for flash.

/// Runs one 64-byte block into `state` (the first five words).
// Indexing cannot panic: every index is masked to 0..16 or is a chunk of exactly four.
#[allow(clippy::indexing_slicing)]
pub fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    let mut w = [0u32; 16];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    let [mut a, mut b, mut c, mut d, mut e, ..] = *state;
    for t in 0..80 {
        let s = t & 15;
        if t >= 16 {
            let x = w[(t + 13) & 15] ^ w[(t + 8) & 15] ^ w[(t + 2) & 15] ^ w[s];
            w[s] = x.rotate_left(1);
        }
        let (f, k) = match t / 20 {
            0 => ((b & c) | (!b & d), 0x5a82_7999),
            1 => (b ^ c ^ d, 0x6ed9_eba1),
            2 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
            _ => (b ^ c ^ d, 0xca62_c1d6),
        };
        let temp = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(w[s]);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = temp;
    }
    for (word, add) in state.iter_mut().zip([a, b, c, d, e]) {
        *word = word.wrapping_add(add);
    }
}
