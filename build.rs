//! Generates the C header of the engine's API with cbindgen and compares it with the one
//! checked in at mpy_module/ussl_engine.h:
//!   USSL_UPDATE_HEADER=1  rewrites the checked-in header
//!   USSL_CHECK_HEADER=1   fails the build when it is stale (CI and `make test` set this)
//! and lists the built-in root certificates (feature `roots`) for src/rustls_engine/roots.rs: every .der, .pem
//! and .crt file of USSL_ROOTS_DIR (default roots/compact), in name order.
use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    arith_cfg();
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=USSL_UPDATE_HEADER");
    println!("cargo:rerun-if-env-changed=USSL_CHECK_HEADER");
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    list_roots(&crate_dir, &out_dir);
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let generated = out_dir.join("ussl_engine.h");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write_to_file(&generated);
    let fresh = fs::read_to_string(&generated).expect("read generated header");
    let checked_in_path = crate_dir.join("mpy_module/ussl_engine.h");
    let checked_in = fs::read_to_string(&checked_in_path).unwrap_or_default();
    if fresh == checked_in {
        return;
    }
    if env::var("USSL_UPDATE_HEADER").as_deref() == Ok("1") {
        fs::write(&checked_in_path, fresh).expect("write mpy_module/ussl_engine.h");
    } else if env::var("USSL_CHECK_HEADER").as_deref() == Ok("1") {
        panic!("mpy_module/ussl_engine.h is stale: run `make header` and commit it");
    } else {
        println!("cargo:warning=mpy_module/ussl_engine.h is stale: run `make header`");
    }
}

/// `ussl_arith`: the public-key primitives run on ussl-arith (arith/: P-256 and X25519 over
/// ARMv6-M assembly kernels) instead of the p256 and x25519-dalek crates. On ARMv6-M targets
/// (thumbv6m-*, the RP2040), whose multiply has no high half; elsewhere only with the feature
/// `arith`, so that the host's tests go through the same Rust code.
fn arith_cfg() {
    println!("cargo::rustc-check-cfg=cfg(ussl_arith)");
    let target = env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv6m") || env::var_os("CARGO_FEATURE_ARITH").is_some() {
        println!("cargo::rustc-cfg=ussl_arith");
    }
}

/// Writes OUT_DIR/roots.rs: `static COMPACT: &[&[u8]]` with the files of the root set.
fn list_roots(crate_dir: &std::path::Path, out_dir: &std::path::Path) {
    println!("cargo:rerun-if-env-changed=USSL_ROOTS_DIR");
    let dir = env::var("USSL_ROOTS_DIR").map(PathBuf::from).unwrap_or_else(|_| crate_dir.join("roots/compact"));
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("der" | "pem" | "crt")));
    files.sort();
    let mut out = String::from(
        "/// The built-in root set, one certificate (DER or PEM) per file.\npub static COMPACT: &[&[u8]] = &[\n",
    );
    for file in &files {
        out.push_str(&format!("    include_bytes!({:?}),\n", file.display().to_string()));
    }
    out.push_str("];\n");
    fs::write(out_dir.join("roots.rs"), out).expect("write OUT_DIR/roots.rs");
}
