//! Constant-time building blocks on 256-bit numbers (8 little-endian words): carries and
//! borrows as words, selections by masks (0 or all ones) instead of branches.

/// Keeps the optimizer from reasoning about a mask's value (and turning a selection by it back
/// into a branch).
#[inline(always)]
pub fn opaque(x: u32) -> u32 {
    core::hint::black_box(x)
}

/// 0 -> 0, 1 -> all ones.
#[inline(always)]
pub fn mask(bit: u32) -> u32 {
    opaque(bit.wrapping_neg())
}

/// a + b and the carry (0 or 1).
///
/// The carry and borrow words pass through [`opaque`]: otherwise LLVM may turn the extraction
/// of a carry flag into a branch on ARMv6-M (it did, for the borrow below at opt-level "s": a
/// cycle more or less depending on the data, which the emulator's cycle test saw).
// Indices are loop counters below 8.
#[allow(clippy::indexing_slicing)]
#[inline]
pub fn add(a: &[u32; 8], b: &[u32; 8]) -> ([u32; 8], u32) {
    let mut r = [0u32; 8];
    let mut carry = 0u32;
    for i in 0..8 {
        let t = u64::from(a[i]) + u64::from(b[i]) + u64::from(carry);
        r[i] = t as u32;
        carry = opaque((t >> 32) as u32);
    }
    (r, carry)
}

/// a - b and the borrow (0 or 1).
#[allow(clippy::indexing_slicing)]
#[inline]
pub fn sub(a: &[u32; 8], b: &[u32; 8]) -> ([u32; 8], u32) {
    let mut r = [0u32; 8];
    let mut borrow = 0u32;
    for i in 0..8 {
        let t = u64::from(a[i]).wrapping_sub(u64::from(b[i])).wrapping_sub(u64::from(borrow));
        r[i] = t as u32;
        // The high word is 0 or all ones.
        borrow = opaque((t >> 32) as u32) >> 31;
    }
    (r, borrow)
}

/// `a` where mask is all ones, `b` where it is 0.
#[allow(clippy::indexing_slicing)]
#[inline]
pub fn select(mask: u32, a: &[u32; 8], b: &[u32; 8]) -> [u32; 8] {
    let mut r = [0u32; 8];
    for i in 0..8 {
        r[i] = b[i] ^ (mask & (a[i] ^ b[i]));
    }
    r
}

/// Swaps a and b where mask is all ones.
#[allow(clippy::indexing_slicing)]
#[inline]
pub fn swap(mask: u32, a: &mut [u32; 8], b: &mut [u32; 8]) {
    for i in 0..8 {
        let t = mask & (a[i] ^ b[i]);
        a[i] ^= t;
        b[i] ^= t;
    }
}

/// All ones if a is zero, else 0.
#[inline]
pub fn is_zero(a: &[u32; 8]) -> u32 {
    let any = a.iter().fold(0u32, |acc, &w| acc | w);
    // (any | -any) has its top bit set exactly when any != 0. Opaque before the shift: the
    // optimizer would otherwise see `any != 0` and may compute it with a branch (it did, on
    // ARMv6-M: a cycle more when zero).
    mask((opaque(any | any.wrapping_neg()) >> 31) ^ 1)
}

/// All ones if a == b, else 0.
#[inline]
pub fn eq(a: &[u32; 8], b: &[u32; 8]) -> u32 {
    let mut d = [0u32; 8];
    for (o, (x, y)) in d.iter_mut().zip(a.iter().zip(b)) {
        *o = x ^ y;
    }
    is_zero(&d)
}

/// Big-endian bytes to words.
pub fn from_be_bytes(bytes: &[u8; 32]) -> [u32; 8] {
    let mut r = [0u32; 8];
    for (w, chunk) in r.iter_mut().zip(bytes.rchunks_exact(4)) {
        *w = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    r
}

/// Words to big-endian bytes.
pub fn to_be_bytes(words: &[u32; 8]) -> [u8; 32] {
    let mut r = [0u8; 32];
    for (chunk, w) in r.rchunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    r
}

/// Little-endian bytes to words.
pub fn from_le_bytes(bytes: &[u8; 32]) -> [u32; 8] {
    let mut r = [0u32; 8];
    for (w, chunk) in r.iter_mut().zip(bytes.chunks_exact(4)) {
        *w = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    r
}

/// Words to little-endian bytes.
pub fn to_le_bytes(words: &[u32; 8]) -> [u8; 32] {
    let mut r = [0u8; 32];
    for (chunk, w) in r.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    r
}

/// a < b, in variable time (public values only).
pub fn less_vartime(a: &[u32; 8], b: &[u32; 8]) -> bool {
    for (x, y) in a.iter().zip(b).rev() {
        if x != y {
            return x < y;
        }
    }
    false
}
