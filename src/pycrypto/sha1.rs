//! SHA-1's compression function (FIPS 180-4, section 6.1.2), for `hashlib.sha1` only: the TLS
//! engines never use SHA-1. Rolled loops (one per 20 rounds) with a 16-word window of the
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
    // One loop per 20 rounds with its function and constant written in (a macro, since at
    // opt-level "z" a closure stays a call): choosing them in one loop (t / 20, a division on
    // the Cortex-M0+) took 126 cycles a round there.
    macro_rules! twenty_rounds {
        ($first:expr, $k:expr, $f:expr) => {
            for t in $first..$first + 20 {
                let s = t & 15;
                if t >= 16 {
                    w[s] = (w[(t + 13) & 15] ^ w[(t + 8) & 15] ^ w[(t + 2) & 15] ^ w[s]).rotate_left(1);
                }
                let f: u32 = $f;
                let temp = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add($k).wrapping_add(w[s]);
                e = d;
                d = c;
                c = b.rotate_left(30);
                b = a;
                a = temp;
            }
        };
    }
    twenty_rounds!(0, 0x5a82_7999, d ^ (b & (c ^ d)));
    twenty_rounds!(20, 0x6ed9_eba1, b ^ c ^ d);
    twenty_rounds!(40, 0x8f1b_bcdc, (b & c) | (d & (b | c)));
    twenty_rounds!(60, 0xca62_c1d6, b ^ c ^ d);
    for (word, add) in state.iter_mut().zip([a, b, c, d, e]) {
        *word = word.wrapping_add(add);
    }
}
