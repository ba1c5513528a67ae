//! The server states that server contexts of the same settings share, so that clients resume
//! across them: `ussl.wrap_socket(server_side=True)` makes a context per connection, and each
//! must find the ticket keys and session cache the one before it used. One state per settings
//! fingerprint; beyond [`MAX_SERVER_STATES`] the one shared longest ago is dropped (its tickets
//! and cached sessions no longer resume), the others are kept.

use crate::result::UsslResult;

/// Settings a board serves with at once.
pub const MAX_SERVER_STATES: usize = 4;

/// A settings fingerprint (`Settings::fingerprint`).
pub type Fingerprint = [u8; 32];

pub struct ServerStates<S> {
    /// The state shared last first; the empty places, while there are some, last.
    kept: [Option<Kept<S>>; MAX_SERVER_STATES],
}

struct Kept<S> {
    fingerprint: Fingerprint,
    state: S,
}

impl<S> ServerStates<S> {
    pub fn new() -> Self {
        Self { kept: [const { None }; MAX_SERVER_STATES] }
    }

    /// The state for `fingerprint`, made by `make` when there is none, in place of the one
    /// shared longest ago when [`MAX_SERVER_STATES`] are kept. What `make` took from the reserve
    /// while the heap was full is let go, as OUT_OF_MEMORY: the states are kept as long as the VM.
    pub fn share(
        &mut self,
        fingerprint: Fingerprint,
        make: impl FnOnce() -> Result<S, UsslResult>,
    ) -> Result<&S, UsslResult> {
        let index = match self.kept.iter().position(|k| k.as_ref().is_some_and(|k| k.fingerprint == fingerprint)) {
            Some(index) => index,
            None => {
                let state = crate::unless_heap_ran_dry(make)?;
                let last = self.kept.last_mut().ok_or(UsslResult::Internal)?;
                *last = Some(Kept { fingerprint, state });
                MAX_SERVER_STATES - 1
            }
        };
        // It moves to the front, the ones shared after it one place back.
        if let Some(newer) = self.kept.get_mut(..=index) {
            newer.rotate_right(1);
        }
        self.kept.first().and_then(Option::as_ref).map(|k| &k.state).ok_or(UsslResult::Internal)
    }
}

impl<S> Default for ServerStates<S> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;

    /// Shares `fp` and tells which state it got: the number it was made with.
    fn share(states: &mut ServerStates<u32>, fp: u8, made: &Cell<u32>) -> u32 {
        *states
            .share([fp; 32], || {
                made.set(made.get() + 1);
                Ok(made.get())
            })
            .unwrap()
    }

    #[test]
    fn one_state_per_fingerprint() {
        let made = Cell::new(0);
        let mut states = ServerStates::new();
        assert_eq!(share(&mut states, 1, &made), 1);
        assert_eq!(share(&mut states, 2, &made), 2);
        assert_eq!(share(&mut states, 1, &made), 1);
        assert_eq!(made.get(), 2);
    }

    /// Beyond the limit only the state shared longest ago goes; the others keep their tickets.
    #[test]
    fn the_state_shared_longest_ago_is_dropped() {
        let made = Cell::new(0);
        let mut states = ServerStates::new();
        for fp in 1..=4 {
            share(&mut states, fp, &made);
        }
        // Shared again, 1 is the newest: 2 is now the oldest.
        assert_eq!(share(&mut states, 1, &made), 1);
        assert_eq!(share(&mut states, 5, &made), 5);
        for (fp, state) in [(1, 1), (3, 3), (4, 4), (5, 5)] {
            assert_eq!(share(&mut states, fp, &made), state, "fingerprint {fp} lost its state");
        }
        assert_eq!(made.get(), 5);
        assert_eq!(share(&mut states, 2, &made), 6, "2 was kept beyond the limit");
        assert!(states.kept.iter().all(Option::is_some));
    }

    /// A state that cannot be made (no server in this build, a full heap) drops none.
    #[test]
    fn a_state_that_cannot_be_made_drops_none() {
        let made = Cell::new(0);
        let mut states = ServerStates::new();
        for fp in 1..=4 {
            share(&mut states, fp, &made);
        }
        assert_eq!(states.share([5; 32], || Err(UsslResult::ServerNotBuilt)).err(), Some(UsslResult::ServerNotBuilt));
        for fp in 1..=4 {
            assert_eq!(share(&mut states, fp, &made), u32::from(fp));
        }
        assert_eq!(made.get(), 4);
    }
}
