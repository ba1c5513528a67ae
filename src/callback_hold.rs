//! A script's verify_callback (the shim runs it), in both engines: once the peer's certificates
//! have passed the engine's own checks, nothing more goes to the peer or to the script until the
//! shim gives the callback's verdict.

use crate::result::UsslResult;

#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum CallbackHold {
    #[default]
    Off,
    Armed,
    Done,
}

impl CallbackHold {
    /// Holds the handshake for the callback (once; a verdict given stays given).
    pub fn arm(&mut self) {
        if *self == Self::Off {
            *self = Self::Armed;
        }
    }

    /// Whether the verdict is awaited: armed, the connection not failed, and the peer's
    /// certificates in (and checked).
    pub fn pending(&self, failed: bool, certificates_checked: bool) -> bool {
        *self == Self::Armed && !failed && certificates_checked
    }

    /// Takes the verdict when one is awaited (`pending`): Ok(true) goes on, Ok(false) means the
    /// engine drops whatever it held for the peer and fails with VERIFY_CALLBACK_REFUSED.
    pub fn verdict(&mut self, pending: bool, accepted: bool) -> Result<bool, UsslResult> {
        if !pending {
            return Err(UsslResult::InvalidArgument);
        }
        *self = Self::Done;
        Ok(accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hold_waits_for_checked_certificates_and_one_verdict() {
        let mut hold = CallbackHold::default();
        assert!(!hold.pending(false, true), "not armed");
        hold.arm();
        assert!(!hold.pending(false, false), "no certificates checked yet");
        assert!(!hold.pending(true, true), "the connection failed");
        assert!(hold.pending(false, true));
        assert_eq!(hold.verdict(true, false), Ok(false));
        hold.arm();
        assert!(!hold.pending(false, true), "a verdict given stays given");
        assert_eq!(hold.verdict(false, true), Err(UsslResult::InvalidArgument));
    }
}
