//! The script's signing hook on a context (mainline's `ecdsa_sign_callback`, `crate::sign_hook`).

use super::context::{context_mut, ussl_context};
use super::*;
use crate::engine::EngineContext;
use crate::result::UsslResult;

/// Turns the signing hook on for signatures with the context's ECDSA key: `token` (not 0) is
/// what the engine hands back to `ussl_port_sign_hook`, and must stay valid while connections
/// made from the context live; 0 turns it off. With it on when load_cert_chain runs, a key that
/// does not match the certificate is taken (a placeholder for a key held elsewhere).
///
/// # Safety
/// `ctx` must be a live context.
#[no_mangle]
pub unsafe extern "C" fn ussl_context_set_sign_hook(ctx: *mut ussl_context, token: usize) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(ctx) = (unsafe { context_mut(ctx) }) else { return code(UsslResult::NullArgument) };
    ctx.set_sign_hook(token);
    OK
}
