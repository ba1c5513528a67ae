//! Sessions: the lean engine does not resume, so there is never one (`SessionsNotBuilt`).

use alloc::vec::Vec;
use core::convert::Infallible;

use zeroize::Zeroizing;

use crate::engine::EngineSession;
use crate::result::UsslResult;

/// Never made: the field of type `Infallible` cannot be filled.
pub struct Session {
    never: Infallible,
}

impl EngineSession for Session {
    fn from_bytes(_data: &[u8]) -> Result<Self, UsslResult> {
        Err(UsslResult::SessionsNotBuilt)
    }

    fn serialize(&self) -> Result<Zeroizing<Vec<u8>>, UsslResult> {
        match self.never {}
    }

    fn is_tls13(&self) -> bool {
        match self.never {}
    }
}
