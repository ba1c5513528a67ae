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
}
