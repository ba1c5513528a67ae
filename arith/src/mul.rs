//! Products of words and of 256-bit numbers. On ARMv6-M the 256-bit products are the assembly
//! kernels (asm/cm0.S) and a word product is four 16x16-bit multiplies; elsewhere they are
//! portable Rust over the target's own 32x32 -> 64-bit multiply.

/// a * b as (low word, high word), from four 16x16 -> 32-bit products: the algorithm of
/// pornin/armv6m-longmul's `longmul_uu` (public domain), 17 instructions inline on ARMv6-M.
/// Constant time on any core whose 32-bit multiply is (the RP2040's is single-cycle).
#[inline(always)]
pub const fn mul_wide_halves(a: u32, b: u32) -> (u32, u32) {
    let (a0, a1) = (a & 0xffff, a >> 16);
    let (b0, b1) = (b & 0xffff, b >> 16);
    let lo = a0 * b0;
    let cross1 = a0 * b1;
    let cross2 = a1 * b0;
    // cross1 + the low half of cross2 <= (2^16 - 1)^2 + 2^16 - 1 < 2^32: no carry is lost.
    let mid = cross1 + (cross2 & 0xffff);
    let hi = a1 * b1 + (cross2 >> 16);
    let (lo, carry) = lo.overflowing_add(mid << 16);
    (lo, hi + (mid >> 16) + carry as u32)
}

/// a * b as (low word, high word), by whatever is fastest on the target.
#[inline(always)]
pub const fn mul_wide(a: u32, b: u32) -> (u32, u32) {
    #[cfg(ussl_arith_v6m)]
    {
        mul_wide_halves(a, b)
    }
    #[cfg(not(ussl_arith_v6m))]
    {
        let p = a as u64 * b as u64;
        (p as u32, (p >> 32) as u32)
    }
}

/// a * b as a u64, by [`mul_wide`]: for code written over u64 products (the engine's bignum
/// and P-384 verification), which on ARMv6-M would otherwise call `__aeabi_lmul`.
#[inline(always)]
pub const fn mul64(a: u32, b: u32) -> u64 {
    let (lo, hi) = mul_wide(a, b);
    ((hi as u64) << 32) | lo as u64
}

/// a * b, 256 x 256 -> 512 bits (little-endian words).
#[inline]
pub fn mul256(a: &[u32; 8], b: &[u32; 8]) -> [u32; 16] {
    #[cfg(ussl_arith_v6m)]
    {
        let mut d = core::mem::MaybeUninit::<[u32; 16]>::uninit();
        // SAFETY: the kernel reads 8 words at a and b and writes all 16 at d.
        unsafe {
            crate::asm::ussl_arith_mul256(d.as_mut_ptr().cast(), a.as_ptr(), b.as_ptr());
            d.assume_init()
        }
    }
    #[cfg(not(ussl_arith_v6m))]
    {
        mul256_portable(a, b)
    }
}

/// a * a, 256 -> 512 bits.
#[inline]
pub fn sqr256(a: &[u32; 8]) -> [u32; 16] {
    #[cfg(ussl_arith_v6m)]
    {
        let mut d = core::mem::MaybeUninit::<[u32; 16]>::uninit();
        // SAFETY: the kernel reads 8 words at a and writes all 16 at d.
        unsafe {
            crate::asm::ussl_arith_sqr256(d.as_mut_ptr().cast(), a.as_ptr());
            d.assume_init()
        }
    }
    #[cfg(not(ussl_arith_v6m))]
    {
        mul256_portable(a, a)
    }
}

/// (c0, c1, c2) += (lo, hi): a three-word column accumulator.
#[inline(always)]
const fn acc(c: (u32, u32, u32), p: (u32, u32)) -> (u32, u32, u32) {
    let s = c.0 as u64 + p.0 as u64;
    let t = c.1 as u64 + p.1 as u64 + (s >> 32);
    (s as u32, t as u32, c.2 + (t >> 32) as u32)
}

/// a * b by columns (product scanning): the reference the kernels are checked against, and the
/// product on targets with a full multiply.
// Indices are loop counters bounded by the array lengths.
#[allow(clippy::indexing_slicing)]
pub const fn mul256_portable(a: &[u32; 8], b: &[u32; 8]) -> [u32; 16] {
    let mut r = [0u32; 16];
    let mut c = (0u32, 0u32, 0u32);
    let mut k = 0;
    while k < 15 {
        let mut i = if k < 8 { 0 } else { k - 7 };
        let end = if k < 8 { k } else { 7 };
        while i <= end {
            c = acc(c, mul_wide(a[i], b[k - i]));
            i += 1;
        }
        r[k] = c.0;
        c = (c.1, c.2, 0);
        k += 1;
    }
    r[15] = c.0;
    r
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small deterministic generator (xorshift) for test inputs.
    pub(crate) struct Rng(pub u64);
    impl Rng {
        pub fn next(&mut self) -> u32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 16) as u32
        }
        pub fn words(&mut self) -> [u32; 8] {
            core::array::from_fn(|_| self.next())
        }
    }

    #[test]
    fn mul_wide_halves_is_the_full_product() {
        let mut rng = Rng(1);
        let edges = [0, 1, 0xffff, 0x10000, 0xffff_ffff, 0x8000_0000, 0xffff_0000, 0x0000_ffff];
        for &a in &edges {
            for &b in &edges {
                let p = u64::from(a) * u64::from(b);
                assert_eq!(mul_wide_halves(a, b), (p as u32, (p >> 32) as u32), "{a:#x} * {b:#x}");
            }
        }
        for _ in 0..100_000 {
            let (a, b) = (rng.next(), rng.next());
            let p = u64::from(a) * u64::from(b);
            assert_eq!(mul_wide_halves(a, b), (p as u32, (p >> 32) as u32));
        }
    }

    #[test]
    fn mul256_matches_schoolbook() {
        let mut rng = Rng(2);
        for n in 0..2000 {
            let (a, b) = if n == 0 { ([u32::MAX; 8], [u32::MAX; 8]) } else { (rng.words(), rng.words()) };
            let mut want = [0u32; 16];
            for i in 0..8 {
                let mut carry = 0u64;
                for j in 0..8 {
                    let t = u64::from(want[i + j]) + u64::from(a[i]) * u64::from(b[j]) + carry;
                    want[i + j] = t as u32;
                    carry = t >> 32;
                }
                want[i + 8] = carry as u32;
            }
            assert_eq!(mul256(&a, &b), want);
            assert_eq!(sqr256(&a), mul256(&a, &a));
        }
    }
}
