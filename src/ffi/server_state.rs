//! `ussl_server_state`: ticket keys and session cache shared by server contexts.

use super::*;
use crate::active::{Context, ServerState};
use crate::engine::EngineContext;
use crate::result::UsslResult;

/// Ticket keys and session cache that server contexts with the same settings share.
pub struct ussl_server_state {
    pub(super) inner: ServerState,
}

/// # Safety
/// `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_server_state_new(out: *mut *mut ussl_server_state) -> ussl_result {
    crate::engine_call(crate::Need::Deep, || {
        crate::deferred::drain();
        if out.is_null() {
            return code(UsslResult::NullArgument);
        }
        // SAFETY: forwarded caller guarantee.
        unsafe { hand_out(out, || Context::new_server_state().map(|inner| ussl_server_state { inner })) }
    })
}

/// # Safety
/// `state` must be NULL or a pointer from `ussl_server_state_new` not yet freed. Contexts
/// that share it keep what they need.
#[no_mangle]
pub unsafe extern "C" fn ussl_server_state_free(state: *mut ussl_server_state) {
    // SAFETY: forwarded caller guarantee.
    unsafe { release(state) }
}
