//! Field arithmetic for the engine's public-key primitives on 32-bit cores whose multiply
//! instruction gives only the low 32 bits of a product (ARMv6-M: Cortex-M0 and M0+, the
//! RP2040). There a `u32 x u32 -> u64` product in Rust becomes a call to `__aeabi_lmul`, a
//! 64x64-bit multiply of about 30 cycles plus the call, and the RustCrypto curve crates spend
//! most of a TLS handshake in it. This crate has P-256 (ECDH, keys, ECDSA) and X25519 over
//! 256-bit multiply and square kernels in ARMv6-M assembly (asm/cm0.S, from Thomas Pornin's
//! x25519-cm0, MIT), and word products of four 16x16-bit multiplies for the rest.
//!
//! On other targets the same Rust code runs over portable kernels, so that the host's tests
//! check everything but the assembly, which the emulator tests check (bench/m0, tests_fw).
//!
//! Secret data is handled in constant time: no branch, memory address or loop bound depends on
//! a secret. Functions named `_vartime` take public data only.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(ussl_arith_v6m)]
mod asm;
pub mod ct;
pub mod mul;
mod naf;
pub mod p256;
pub mod p384;
pub mod x25519;
