//! `ussl_arith_v6m` for ARMv6-M targets (thumbv6m-*, the RP2040's core, including the firmware's
//! own target spec thumbv6m-none-eabi-cas): there the assembly kernels (asm/cm0.S) are built and
//! used. Decided by the target's name, which stable and nightly toolchains both give (stable
//! rustc does not expose ARM target features to cfg).
use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(ussl_arith_v6m)");
    println!("cargo::rerun-if-changed=asm");
    let target = env::var("TARGET").unwrap_or_default();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch == "arm" && target.starts_with("thumbv6m") {
        println!("cargo::rustc-cfg=ussl_arith_v6m");
    }
}
