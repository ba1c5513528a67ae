//! `ussl._primitive(op, data)`: one public-key primitive on bytes (src/provider/primitives.rs),
//! for the tests that run inside the firmware images.

use super::{bytes, code, ussl_result, OK};
use crate::result::UsslResult;

/// Runs primitive `op` on `data` and writes its result to `out` (capacity `cap`), its length to
/// `*out_len`. "invalid argument" for an unknown op, input the primitive refuses, or a result
/// that does not fit.
///
/// # Safety
/// `data` must point to `data_len` readable bytes (or be NULL with 0), `out` to `cap` writable
/// bytes that do not overlap `data`, and `out_len` must be writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_primitive(
    op: u32,
    data: *const u8,
    data_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> ussl_result {
    crate::engine_call(crate::Need::Deep, || {
        // SAFETY: per this function's contract.
        let Some(data) = (unsafe { bytes(data, data_len) }) else { return code(UsslResult::InvalidArgument) };
        if out.is_null() || out_len.is_null() {
            return code(UsslResult::InvalidArgument);
        }
        // SAFETY: `out` points to `cap` writable bytes per the contract, not overlapping `data`
        // (the shim passes a buffer of its own).
        let out_slice = unsafe { core::slice::from_raw_parts_mut(out, cap) };
        let Some(n) = crate::provider::primitives::run(op, data, out_slice) else {
            return code(UsslResult::InvalidArgument);
        };
        // SAFETY: `out_len` is writable per the contract.
        unsafe { *out_len = n };
        OK
    })
}
