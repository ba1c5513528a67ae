//! micropython-sys: bindgen FFI for the MicroPython runtime calls the ussl engine makes: the
//! tracked allocator. Generated at build time from the fetched MicroPython headers.
#![no_std]
#![allow(non_upper_case_globals, non_camel_case_types, non_snake_case, dead_code)]

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
