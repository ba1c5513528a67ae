//! The C API the shim calls. Conventions (as in rustls-ffi): opaque handles made by `_new` and
//! released by `_free`; every fallible function returns a `ussl_result` (0 is success) and
//! writes its outputs only on success; pointers handed out stay valid until the next call on
//! the same handle. Nothing here raises, blocks, or keeps a pointer it was given.
//! One file per handle type; the pointer helpers every file uses are here.
#![allow(non_camel_case_types)]

use alloc::boxed::Box;
use core::ffi::c_char;
use core::ptr;

pub use crate::limits::UsslLimit;
use crate::result::{UsslErrorKind, UsslResult};

mod certinfo;
mod conn;
mod conn_error;
mod conn_info;
mod context;
mod hostname;
mod primitive;
mod psk;
mod pycrypto;
mod server_state;
mod session;
mod sign_hook;

pub use certinfo::*;
pub use conn::*;
pub use conn_error::*;
pub use conn_info::*;
pub use context::*;
pub use hostname::*;
pub use primitive::*;
pub use pycrypto::*;
pub use server_state::*;
pub use session::*;

pub type ussl_result = u32;

pub(super) const OK: ussl_result = UsslResult::Ok as u32;

/// Frees a handle made by `Box::into_raw`, at once or, when called from a finaliser while
/// another thread holds the heap, at the next handle creation (see `deferred`).
///
/// # Safety
/// `ptr` must be NULL or a pointer from `Box::into_raw` not yet freed; nothing may use it after.
pub(super) unsafe fn release<T>(ptr: *mut T) {
    /// # Safety
    /// `p` must come from `Box::<T>::into_raw` and be freed only once.
    unsafe fn drop_box<T>(p: *mut ()) {
        // SAFETY: per this function's contract.
        drop(unsafe { Box::from_raw(p.cast::<T>()) });
    }
    if !ptr.is_null() {
        // SAFETY: `ptr` is a live box per the contract, and drop_box::<T> frees exactly it.
        unsafe { crate::deferred::free_or_defer(ptr.cast(), drop_box::<T>) };
    }
}

/// Runs `make` and hands its value to C through `out`, boxed. If the heap refused an
/// allocation meanwhile (the reserve lent it, see `runtime`), the value, which may hold reserve
/// memory, is dropped instead and the result is OUT_OF_MEMORY: the reserve is for finishing a
/// step, never for what a handle keeps. Every function that makes a handle goes through here.
///
/// # Safety
/// `out` must be writable storage for one pointer (checked for NULL here).
pub(super) unsafe fn hand_out<T>(out: *mut *mut T, make: impl FnOnce() -> Result<T, UsslResult>) -> ussl_result {
    if out.is_null() {
        return code(UsslResult::NullArgument);
    }
    match crate::unless_heap_ran_dry(|| make().map(Box::new)) {
        Ok(boxed) => {
            // SAFETY: `out` is non-null and writable per the contract.
            unsafe { *out = Box::into_raw(boxed) };
            OK
        }
        Err(e) => code(e),
    }
}

/// A byte string passed across the API: `len` bytes at `ptr` (NULL only when `len` is 0). Lists
/// (ALPN protocols, suite names) cross as arrays of these, in both directions.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ussl_bytes {
    pub ptr: *const u8,
    pub len: usize,
}

impl ussl_bytes {
    pub(super) fn of(data: &'static [u8]) -> Self {
        Self { ptr: data.as_ptr(), len: data.len() }
    }

    /// Its bytes; empty for a NULL `ptr` (with any `len`).
    ///
    /// # Safety
    /// A non-NULL `ptr` must point to `len` readable bytes that live for `'a`.
    pub(super) unsafe fn get<'a>(self) -> &'a [u8] {
        // SAFETY: forwarded caller guarantee.
        unsafe { bytes(self.ptr, self.len) }.unwrap_or_default()
    }
}

/// # Safety
/// `list` must be NULL or point to `count` readable entries that live for `'a`.
pub(super) unsafe fn byte_strings<'a>(list: *const ussl_bytes, count: usize) -> Option<&'a [ussl_bytes]> {
    if list.is_null() {
        return (count == 0).then_some(&[]);
    }
    // SAFETY: the caller promises `list` points to `count` readable entries for 'a.
    Some(unsafe { core::slice::from_raw_parts(list, count) })
}

pub(super) fn code(r: UsslResult) -> ussl_result {
    r as u32
}

/// # Safety
/// `ptr` must be NULL or point to `len` readable bytes that live for `'a`.
pub(super) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() {
        return (len == 0).then_some(&[]);
    }
    // SAFETY: the caller promises `ptr` points to `len` readable bytes for 'a.
    Some(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// Hands static `text` out: its length, with `*out` pointing at it (0, `*out` untouched, for
/// none). The shim makes its str from the two, with no buffer of its own to size.
///
/// # Safety
/// `out` must be NULL or writable storage for one pointer.
pub(super) unsafe fn hand_text(text: Option<&'static str>, out: *mut *const u8) -> usize {
    // SAFETY: `out` is NULL or writable per the contract.
    match (text, unsafe { out.as_mut() }) {
        (Some(text), Some(out)) => {
            *out = text.as_ptr();
            text.len()
        }
        _ => 0,
    }
}

/// Copies `text` into `buf` (capacity `cap`) NUL-terminated, truncating; returns its length.
///
/// # Safety
/// `buf` must be NULL or point to `cap` writable bytes.
pub(super) unsafe fn copy_text(text: &str, buf: *mut c_char, cap: usize) -> usize {
    if buf.is_null() || cap == 0 {
        return text.len();
    }
    let n = text.len().min(cap - 1);
    // SAFETY: `buf` has room for `cap` bytes and n + 1 <= cap; the source is a valid str.
    unsafe {
        ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
        *buf.add(n) = 0;
    }
    n
}

/// Which Python exception a result code becomes (unknown codes are USSL_ERROR_KIND_TLS).
#[no_mangle]
pub extern "C" fn ussl_result_kind(result: ussl_result) -> UsslErrorKind {
    UsslResult::from_u32(result).map_or(UsslErrorKind::Tls, UsslResult::kind)
}

/// The text of a result code, NUL-terminated into `buf`; returns the text's length.
///
/// # Safety
/// `buf` must be NULL or point to `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_result_text(result: ussl_result, buf: *mut c_char, cap: usize) -> usize {
    let text = UsslResult::from_u32(result).map(UsslResult::text).unwrap_or("unknown error");
    // SAFETY: forwarded caller guarantee on `buf`/`cap`.
    unsafe { copy_text(text, buf, cap) }
}

/// How many handle frees were ever parked for later (a finaliser's, while another thread held
/// the heap: `deferred`), for tests.
#[no_mangle]
pub extern "C" fn ussl_engine_parked_frees() -> usize {
    crate::deferred::parked_ever()
}

/// The engine's memory: bytes held now and the most held since the last reset (resetting it
/// when `reset_peak`), for benchmarks.
///
/// # Safety
/// `current` and `peak` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_engine_memory(current: *mut usize, peak: *mut usize, reset_peak: bool) {
    let (now, most) = crate::memory_usage();
    // SAFETY: each output is NULL or writable per the contract.
    unsafe {
        if let Some(c) = current.as_mut() {
            *c = now;
        }
        if let Some(p) = peak.as_mut() {
            *p = most;
        }
    }
    if reset_peak {
        crate::reset_memory_peak();
    }
}

/// The workspace figures (`runtime::workspace::Meters`, 13 of them, in its
/// order: paint, stack sizes, reserve sizes, stack peaks, reserve peaks (Deep then Light),
/// workspaces taken, refused, allocations refused outside any call, workspace blocks that came
/// from the heap rather than from spares) into `out` (at most `cap`);
/// returns how many were written (0 outside MicroPython). `reset_peaks` zeroes the peaks after.
///
/// # Safety
/// `out` must be NULL or point to `cap` writable words.
#[no_mangle]
pub unsafe extern "C" fn ussl_engine_workspace(out: *mut u32, cap: usize, reset_peaks: bool) -> usize {
    let figures = crate::workspace_figures(reset_peaks);
    if out.is_null() {
        return 0;
    }
    let n = crate::WORKSPACE_FIGURES.min(cap);
    // SAFETY: `out` has room for `cap` >= n words per the contract.
    unsafe { ptr::copy_nonoverlapping(figures.as_ptr(), out, n) };
    n
}

/// Fault injection for tests (Cargo feature `alloc-faults`, the unix test build): the `n`th engine
/// allocation from now is refused by the heap, as if it were full (0: none), and with
/// `from_then_on` every one after it too, as when the heap ran dry. Writes the number
/// of allocations made so far to `*count` and returns true; false, with `*count` untouched, when
/// the build has no fault injection.
///
/// # Safety
/// `count` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_engine_fail_allocation(n: usize, from_then_on: bool, count: *mut usize) -> bool {
    match crate::fail_allocation(n, from_then_on) {
        Some(made) => {
            // SAFETY: NULL or writable per the contract.
            if let Some(c) = unsafe { count.as_mut() } {
                *c = made;
            }
            true
        }
        None => false,
    }
}
