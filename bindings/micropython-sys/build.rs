//! Generates the FFI for the few MicroPython runtime calls the engine makes, from the fetched
//! MicroPython headers. The Makefile sets:
//!   MICROPY_DIR        the MicroPython source tree
//!   MICROPY_PORT_DIR   the port (e.g. ports/unix) and MICROPY_VARIANT_DIR its variant
//!   MICROPY_BUILD_DIR  the port's build dir, holding genhdr/ (generate it first)
//!   MICROPY_CFLAGS     extra defines, as on the real compile line
use std::env;
use std::path::PathBuf;

const NO_TREE: &str = "micropython-sys: set MICROPY_DIR to a MicroPython source tree (the Makefile does)";

fn main() {
    for var in ["MICROPY_DIR", "MICROPY_PORT_DIR", "MICROPY_VARIANT_DIR", "MICROPY_BUILD_DIR", "MICROPY_CFLAGS"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=wrapper.h");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")); // ok-panic: build script
    let root = env::var("MICROPY_DIR").expect(NO_TREE); // ok-panic: build script
    let port = env::var("MICROPY_PORT_DIR").unwrap_or_else(|_| format!("{root}/ports/unix"));
    let variant = env::var("MICROPY_VARIANT_DIR").unwrap_or_else(|_| format!("{port}/variants/standard"));
    let build = env::var("MICROPY_BUILD_DIR").unwrap_or_else(|_| format!("{port}/build-standard"));
    let mut clang_args = vec![
        format!("-I{root}"),
        format!("-I{port}"),
        format!("-I{variant}"),
        format!("-I{build}"),
        "-DMICROPY_TRACKED_ALLOC=1".to_string(),
    ];
    if let Ok(flags) = env::var("MICROPY_CFLAGS") {
        clang_args.extend(flags.split_whitespace().map(str::to_string));
    }
    let bindings = bindgen::Builder::default()
        .header("wrapper.h")
        .clang_args(&clang_args)
        .use_core()
        .allowlist_function("m_tracked_calloc")
        .allowlist_function("m_tracked_free")
        .layout_tests(false)
        .generate()
        .expect("bindgen failed on the MicroPython headers"); // ok-panic: build script
    bindings.write_to_file(out.join("bindings.rs")).expect("write bindings"); // ok-panic: build script
}
