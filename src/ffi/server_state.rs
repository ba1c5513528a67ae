//! `ussl_server_states`: the ticket keys and session caches server contexts share, one per
//! settings (`server_states`: which contexts share, and which state goes beyond the limit).

use super::*;
use crate::active::ServerState;
use crate::engine::EngineContext;
use crate::result::UsslResult;
use crate::server_states::ServerStates;

/// The server states of every server context made so far, by settings.
pub struct ussl_server_states {
    inner: ServerStates<ServerState>,
}

/// Makes the server context `ctx` issue and accept the tickets and cached sessions that server
/// contexts of the same settings share through `*states`, so that clients resume across them;
/// `*states` is made at the first call (NULL before it) and freed with `ussl_server_states_free`.
/// USSL_CODE_SERVER_NOT_BUILT in a build without a server.
///
/// # Safety
/// `states` must be writable, and `*states` NULL or live; `ctx` must be a live context; no
/// other call may use either concurrently.
#[no_mangle]
pub unsafe extern "C" fn ussl_server_states_share(
    states: *mut *mut ussl_server_states,
    ctx: *mut ussl_context,
) -> ussl_result {
    crate::engine_call(crate::Need::Deep, || {
        crate::deferred::drain();
        // SAFETY: forwarded caller guarantees.
        let (Some(slot), Some(ctx)) = (unsafe { states.as_mut() }, unsafe { context_mut(ctx) }) else {
            return code(UsslResult::NullArgument);
        };
        if slot.is_null() {
            // SAFETY: `slot` is writable storage for one pointer.
            let made = unsafe { hand_out(slot, || Ok(ussl_server_states { inner: ServerStates::new() })) };
            if made != OK {
                return made;
            }
        }
        // SAFETY: `*slot` is live: the caller's, or made just now.
        let Some(states) = (unsafe { slot.as_mut() }) else { return code(UsslResult::NullArgument) };
        match ctx.share_server_state(&mut states.inner) {
            Ok(()) => OK,
            Err(e) => code(e),
        }
    })
}

/// # Safety
/// `states` must be NULL or a pointer from `ussl_server_states_share` not yet freed. Contexts
/// that share a state keep what they need.
#[no_mangle]
pub unsafe extern "C" fn ussl_server_states_free(states: *mut ussl_server_states) {
    // SAFETY: forwarded caller guarantee.
    unsafe { release(states) }
}
