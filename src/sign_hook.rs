//! The script's signing hook (mainline's `ecdsa_sign_callback`) as the engine reaches it: a C
//! function of the shim's that returns a code. It runs the Python callback under nlr_push, on
//! the C stack (`runtime::workspace::callback`), so nothing unwinds through a Rust frame and a
//! collection during the callback sees the stack it expects; the engine's own memory is tracked
//! and stays put. While it runs, no other engine call is taken (USSL_CODE_IN_CALLBACK): the
//! connection is half way through a step.

use alloc::vec::Vec;

/// What the hook did.
pub enum Signed {
    /// A DER ECDSA signature from the callback.
    Signature(Vec<u8>),
    /// The callback returned None: sign with the loaded key, as mainline does.
    Declined,
    /// The callback raised (the shim printed it, as mainline does) or returned no bytes.
    Failed,
}

/// The largest DER ECDSA signature taken back (P-521's is 139 bytes).
const MAX_SIGNATURE: usize = 160;

#[cfg(feature = "micropython")]
extern "C" {
    /// Calls the signing hook that `token` (from `ussl_context_set_sign_hook`) names with the
    /// private scalar `key` and the message digest; returns 0 with a signature of `*sig_len`
    /// bytes written to `sig` (at most `cap`), 1 when the callback declined, else a failure.
    fn ussl_port_sign_hook(
        token: usize,
        key: *const u8,
        key_len: usize,
        digest: *const u8,
        digest_len: usize,
        sig: *mut u8,
        cap: usize,
        sig_len: *mut usize,
    ) -> i32;
}

/// Asks the hook named by `token` to sign `digest` for the key whose big-endian scalar is
/// `scalar` (leading zero bytes stripped, as mainline passes it).
pub fn sign(token: usize, scalar: &[u8], digest: &[u8]) -> Signed {
    let stripped = scalar.iter().position(|b| *b != 0).and_then(|i| scalar.get(i..)).unwrap_or_default();
    let mut out = Vec::new();
    if crate::fallibly(|| out.try_reserve_exact(MAX_SIGNATURE)).is_err() {
        return Signed::Failed;
    }
    out.resize(MAX_SIGNATURE, 0);
    let mut len = 0usize;
    let code = call(token, stripped, digest, &mut out, &mut len);
    match code {
        0 if len > 0 && len <= out.len() => {
            out.truncate(len);
            Signed::Signature(out)
        }
        1 => Signed::Declined,
        _ => Signed::Failed,
    }
}

#[cfg(feature = "micropython")]
fn call(token: usize, key: &[u8], digest: &[u8], out: &mut [u8], len: &mut usize) -> i32 {
    crate::runtime::workspace::callback(|| {
        // SAFETY: every pointer is to a live slice of the stated length (or a usize) for the
        // whole call; the shim writes at most `out.len()` bytes to `out` and keeps no pointer.
        unsafe {
            ussl_port_sign_hook(
                token,
                key.as_ptr(),
                key.len(),
                digest.as_ptr(),
                digest.len(),
                out.as_mut_ptr(),
                out.len(),
                len,
            )
        }
    })
}

/// Outside MicroPython (host tests) there is no script: every callback declines.
#[cfg(not(feature = "micropython"))]
fn call(_token: usize, _key: &[u8], _digest: &[u8], _out: &mut [u8], _len: &mut usize) -> i32 {
    1
}
