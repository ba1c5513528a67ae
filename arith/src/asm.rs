//! The ARMv6-M kernels (asm/cm0.S: Thomas Pornin's x25519-cm0 multiplication, squaring and
//! reduction macros, MIT, inside ABI wrappers of ours), for thumbv6m targets only.

core::arch::global_asm!(include_str!("../asm/cm0.S"), options(raw));

extern "C" {
    /// d = a * b (8 x 8 -> 16 little-endian words).
    pub fn ussl_arith_mul256(d: *mut u32, a: *const u32, b: *const u32);
    /// d = a * a.
    pub fn ussl_arith_sqr256(d: *mut u32, a: *const u32);
    /// d = a * b mod 2^255 - 19, d < 2^256.
    pub fn ussl_arith_gf25519_mul(d: *mut u32, a: *const u32, b: *const u32);
    /// d = a * a mod 2^255 - 19, d < 2^256.
    pub fn ussl_arith_gf25519_sqr(d: *mut u32, a: *const u32);
    /// d = a + b mod 2^255 - 19, d < 2^256.
    pub fn ussl_arith_gf25519_add(d: *mut u32, a: *const u32, b: *const u32);
    /// d = a - b mod 2^255 - 19, d < 2^256.
    pub fn ussl_arith_gf25519_sub(d: *mut u32, a: *const u32, b: *const u32);
    /// d = a * b / 2^256 mod p256, for a, b < p256.
    pub fn ussl_arith_p256_mul(d: *mut u32, a: *const u32, b: *const u32);
    /// d = a * a / 2^256 mod p256.
    pub fn ussl_arith_p256_sqr(d: *mut u32, a: *const u32);
    /// d = a + b mod p256.
    pub fn ussl_arith_p256_add(d: *mut u32, a: *const u32, b: *const u32);
    /// d = a - b mod p256.
    pub fn ussl_arith_p256_sub(d: *mut u32, a: *const u32, b: *const u32);
}

/// Calls a kernel `f(d, a, b)` that writes all 8 words of d.
#[inline(always)]
pub fn op2(f: unsafe extern "C" fn(*mut u32, *const u32, *const u32), a: &[u32; 8], b: &[u32; 8]) -> [u32; 8] {
    let mut d = core::mem::MaybeUninit::<[u32; 8]>::uninit();
    // SAFETY: the kernels read 8 words at a and b and write all 8 words at d (which then is
    // initialized); none keeps a pointer.
    unsafe {
        f(d.as_mut_ptr().cast(), a.as_ptr(), b.as_ptr());
        d.assume_init()
    }
}

/// Calls a kernel `f(d, a)` that writes all 8 words of d.
#[inline(always)]
pub fn op1(f: unsafe extern "C" fn(*mut u32, *const u32), a: &[u32; 8]) -> [u32; 8] {
    let mut d = core::mem::MaybeUninit::<[u32; 8]>::uninit();
    // SAFETY: as op2.
    unsafe {
        f(d.as_mut_ptr().cast(), a.as_ptr());
        d.assume_init()
    }
}
