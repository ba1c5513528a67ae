//! hashlib's and cryptolib's states (src/pycrypto) for the shim, which keeps each inside its
//! Python object: `_state_size` bytes of its memory, which these functions align and use. No
//! handle, no allocation, no engine workspace: the primitives run on the caller's stack (their
//! frames are small) and cannot run out of memory.

use core::mem::{align_of, size_of};

use super::{bytes, code, ussl_result, OK};
use crate::pycrypto::cipher::Aes;
use crate::pycrypto::digest::{Digest, UsslHashKind};
use crate::result::UsslResult;

pub use crate::pycrypto::cipher::UsslAesMode;

/// Room for a `T` at any address: the shim's memory is word-aligned, `T` may want more (x86-64's
/// AES-NI key schedules want 16).
const fn room<T>() -> usize {
    size_of::<T>() + align_of::<T>() - 1
}

/// Where the `T` lives in the shim's `room::<T>()` bytes at `state`: the first address at or
/// after it that is aligned for `T`. (Computed from the address: `align_offset` may give up.)
fn place<T>(state: *mut u8) -> *mut T {
    let align = align_of::<T>();
    let skip = (align - (state as usize) % align) % align;
    state.wrapping_add(skip).cast()
}

/// # Safety
/// `state` must be NULL or memory that `init` filled with a `T` and nothing else uses now.
unsafe fn state_mut<'a, T>(state: *mut u8) -> Option<&'a mut T> {
    if state.is_null() {
        return None;
    }
    // SAFETY: per this function's contract, a live `T` is at `place` (init wrote it there).
    Some(unsafe { &mut *place::<T>(state) })
}

/// # Safety
/// `state` must be NULL or `room::<T>()` writable bytes.
unsafe fn init<T>(state: *mut u8, value: Result<T, UsslResult>) -> ussl_result {
    if state.is_null() {
        return code(UsslResult::NullArgument);
    }
    match value {
        Ok(value) => {
            // SAFETY: `place` is aligned for T and, with `room`'s slack, inside the caller's
            // bytes; T has no drop (src/pycrypto), so nothing old is leaked by overwriting.
            unsafe { place::<T>(state).write(value) };
            OK
        }
        Err(e) => code(e),
    }
}

/// Bytes the shim keeps for a hash state (any kind).
#[no_mangle]
pub extern "C" fn ussl_hash_state_size() -> usize {
    room::<Digest>()
}

/// Starts a hash of `kind` (a `ussl_hash_kind`) in `state` (`ussl_hash_state_size()` bytes).
///
/// # Safety
/// `state` must be NULL or `ussl_hash_state_size()` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_hash_init(kind: u32, state: *mut u8) -> ussl_result {
    let value = UsslHashKind::from_u32(kind).map(Digest::new).ok_or(UsslResult::InvalidArgument);
    // SAFETY: per this function's contract.
    unsafe { init(state, value) }
}

/// Hashes `len` bytes at `data`. HASH_FINAL after a digest.
///
/// # Safety
/// `state` must be NULL or started by `ussl_hash_init`; `data` NULL with 0 or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_hash_update(state: *mut u8, data: *const u8, len: usize) -> ussl_result {
    // SAFETY: per this function's contract.
    let (Some(hash), Some(data)) = (unsafe { state_mut::<Digest>(state) }, unsafe { bytes(data, len) }) else {
        return code(UsslResult::NullArgument);
    };
    match hash.update(data) {
        Ok(()) => OK,
        Err(e) => code(e),
    }
}

/// Writes the digest to `out` (`cap` bytes, at least USSL_LIMIT_DIGEST_MAX do) and its length
/// to `*out_len`; the hash is then final (HASH_FINAL for both calls after).
///
/// # Safety
/// `state` must be NULL or started by `ussl_hash_init`; `out` `cap` writable bytes; `out_len`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_hash_digest(
    state: *mut u8,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> ussl_result {
    // SAFETY: per this function's contract.
    let Some(hash) = (unsafe { state_mut::<Digest>(state) }) else { return code(UsslResult::NullArgument) };
    if out.is_null() || out_len.is_null() {
        return code(UsslResult::NullArgument);
    }
    // SAFETY: `out` is `cap` writable bytes per the contract.
    let out = unsafe { core::slice::from_raw_parts_mut(out, cap) };
    match hash.finish(out) {
        Ok(n) => {
            // SAFETY: `out_len` is writable per the contract.
            unsafe { *out_len = n };
            OK
        }
        Err(e) => code(e),
    }
}

/// Bytes the shim keeps for an AES state.
#[no_mangle]
pub extern "C" fn ussl_aes_state_size() -> usize {
    room::<Aes>()
}

/// Sets up AES in `state` with a 16- or 32-byte key, `mode` a `ussl_aes_mode` (MicroPython's
/// numbers) and `iv` (NULL for none: ECB only). CIPHER_MODE, CIPHER_KEY or CIPHER_IV as
/// MicroPython's module checks them.
///
/// # Safety
/// `state` must be NULL or `ussl_aes_state_size()` writable bytes; `key` `key_len` readable
/// bytes; `iv` NULL or `iv_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ussl_aes_init(
    state: *mut u8,
    key: *const u8,
    key_len: usize,
    mode: u32,
    iv: *const u8,
    iv_len: usize,
) -> ussl_result {
    // SAFETY: per this function's contract.
    let Some(key) = (unsafe { bytes(key, key_len) }) else { return code(UsslResult::NullArgument) };
    // SAFETY: per this function's contract; NULL means no IV.
    let iv = if iv.is_null() { None } else { unsafe { bytes(iv, iv_len) } };
    // SAFETY: per this function's contract.
    unsafe { init(state, Aes::new(key, mode, iv)) }
}

/// Encrypts (`encrypt`) or decrypts `len` bytes from `input` into `output` (`out_cap` bytes).
/// `input` and `output` may be the same memory (cryptolib's in-place use): each 16-byte piece
/// is read before it is written. CIPHER_BLOCK_SIZE, OUTPUT_TOO_SMALL or CIPHER_DIRECTION (the
/// first call fixes the direction) before any byte is written.
///
/// # Safety
/// `state` must be NULL or set up by `ussl_aes_init`; `input` `len` readable bytes and `output`
/// `out_cap` writable bytes, either the same memory or not overlapping.
#[no_mangle]
pub unsafe extern "C" fn ussl_aes_crypt(
    state: *mut u8,
    encrypt: bool,
    input: *const u8,
    len: usize,
    output: *mut u8,
    out_cap: usize,
) -> ussl_result {
    // SAFETY: per this function's contract.
    let Some(aes) = (unsafe { state_mut::<Aes>(state) }) else { return code(UsslResult::NullArgument) };
    if (input.is_null() || output.is_null()) && len != 0 {
        return code(UsslResult::NullArgument);
    }
    if let Err(e) = aes.begin(encrypt, len, out_cap) {
        return code(e);
    }
    let mut at = 0;
    while at < len {
        let n = core::cmp::min(16, len - at);
        let mut piece = [0u8; 16];
        let Some(piece) = piece.get_mut(..n) else { break };
        // SAFETY: `at + n <= len`: inside the caller's input; copied out before the same bytes
        // of the output (which may be the same memory) are written below.
        unsafe { core::ptr::copy_nonoverlapping(input.add(at), piece.as_mut_ptr(), n) };
        aes.apply(piece);
        // SAFETY: `at + n <= len <= out_cap` (begin checked it): inside the caller's output.
        unsafe { core::ptr::copy_nonoverlapping(piece.as_ptr(), output.add(at), n) };
        at += n;
    }
    OK
}
