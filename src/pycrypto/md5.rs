//! MD5's compression function (RFC 1321, section 3.4), for `hashlib.md5` only: the TLS engines
//! never use MD5. Rolled loops (one per round of 16 steps), for flash; the sine table is RFC
//! 1321's.

const SINES: [u32; 64] = [
    0xd76a_a478,
    0xe8c7_b756,
    0x2420_70db,
    0xc1bd_ceee,
    0xf57c_0faf,
    0x4787_c62a,
    0xa830_4613,
    0xfd46_9501,
    0x6980_98d8,
    0x8b44_f7af,
    0xffff_5bb1,
    0x895c_d7be,
    0x6b90_1122,
    0xfd98_7193,
    0xa679_438e,
    0x49b4_0821,
    0xf61e_2562,
    0xc040_b340,
    0x265e_5a51,
    0xe9b6_c7aa,
    0xd62f_105d,
    0x0244_1453,
    0xd8a1_e681,
    0xe7d3_fbc8,
    0x21e1_cde6,
    0xc337_07d6,
    0xf4d5_0d87,
    0x455a_14ed,
    0xa9e3_e905,
    0xfcef_a3f8,
    0x676f_02d9,
    0x8d2a_4c8a,
    0xfffa_3942,
    0x8771_f681,
    0x6d9d_6122,
    0xfde5_380c,
    0xa4be_ea44,
    0x4bde_cfa9,
    0xf6bb_4b60,
    0xbebf_bc70,
    0x289b_7ec6,
    0xeaa1_27fa,
    0xd4ef_3085,
    0x0488_1d05,
    0xd9d4_d039,
    0xe6db_99e5,
    0x1fa2_7cf8,
    0xc4ac_5665,
    0xf429_2244,
    0x432a_ff97,
    0xab94_23a7,
    0xfc93_a039,
    0x655b_59c3,
    0x8f0c_cc92,
    0xffef_f47d,
    0x8584_5dd1,
    0x6fa8_7e4f,
    0xfe2c_e6e0,
    0xa301_4314,
    0x4e08_11a1,
    0xf753_7e82,
    0xbd3a_f235,
    0x2ad7_d2bb,
    0xeb86_d391,
];

#[cfg(test)]
pub(super) fn sine(i: usize) -> u32 {
    SINES[i]
}

/// Runs one 64-byte block into `state` (the first four words).
// Indexing cannot panic: every index is masked to 0..64, 0..16 or 0..4, or is a chunk of
// exactly four.
#[allow(clippy::indexing_slicing)]
pub fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    let mut m = [0u32; 16];
    for (word, bytes) in m.iter_mut().zip(block.chunks_exact(4)) {
        *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    let [mut a, mut b, mut c, mut d, ..] = *state;
    // One loop per round with its function, message order and rotations written in (a macro,
    // since at opt-level "z" a closure stays a call), not chosen per step.
    macro_rules! sixteen_steps {
        ($first:expr, $shifts:expr, |$i:ident| $g:expr, $f:expr) => {
            for $i in $first..$first + 16 {
                let f: u32 = $f;
                let sum = a.wrapping_add(f).wrapping_add(SINES[$i & 63]).wrapping_add(m[($g) & 15]);
                a = d;
                d = c;
                c = b;
                b = b.wrapping_add(sum.rotate_left($shifts[$i & 3]));
            }
        };
    }
    sixteen_steps!(0, [7, 12, 17, 22], |i| i, d ^ (b & (c ^ d)));
    sixteen_steps!(16, [5, 9, 14, 20], |i| 5 * i + 1, c ^ (d & (b ^ c)));
    sixteen_steps!(32, [4, 11, 16, 23], |i| 3 * i + 5, b ^ c ^ d);
    sixteen_steps!(48, [6, 10, 15, 21], |i| 7 * i, c ^ (b | !d));
    for (word, add) in state.iter_mut().zip([a, b, c, d]) {
        *word = word.wrapping_add(add);
    }
}
