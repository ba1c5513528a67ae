//! Width-5 NAF recoding of public scalars (signature verification), for P-256 and P-384.

/// The width-5 NAF of k, W words little-endian (public: variable time): digits odd in [-15, 15]
/// or zero, at most D of them (D = 32 W + 1 holds every k). W is at most 12 (P-384).
// Indices: j <= W <= 12 into 13 words, i < D.
#[allow(clippy::indexing_slicing)]
pub fn wnaf5_vartime<const W: usize, const D: usize>(k: &[u32; W]) -> [i8; D] {
    let mut digits = [0i8; D];
    let mut words = [0u32; 13];
    words[..W].copy_from_slice(k);
    let x = &mut words[..=W];
    let mut i = 0;
    while x.iter().any(|&w| w != 0) && i < D {
        if x[0] & 1 == 1 {
            let mut d = (x[0] & 31) as i32;
            if d >= 16 {
                d -= 32;
            }
            digits[i] = d as i8;
            // x -= d (a small signed number): a signed carry through the words.
            let mut carry = -i64::from(d);
            for w in x.iter_mut() {
                let t = i64::from(*w) + carry;
                *w = t as u32;
                carry = t >> 32;
            }
        }
        for j in 0..=W {
            let next = if j == W { 0 } else { x[j + 1] };
            x[j] = (x[j] >> 1) | (next << 31);
        }
        i += 1;
    }
    digits
}
