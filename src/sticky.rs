//! A connection's sticky error (as modtls_mbedtls.c keeps one): the first failure, with its
//! detail text when there is some, reported by every later call. Both engines' connections; the
//! one record of a connection's failure, the socket's included (the shim reports what it saw
//! outside the engine through `fail_outside`).

use alloc::string::String;

use crate::result::UsslResult;

#[derive(Default)]
pub struct StickyError {
    failure: Option<(UsslResult, Option<String>)>,
    /// The socket's errno, for SOCKET_FAILED.
    os_errno: i32,
}

impl StickyError {
    /// Records the failure unless one is recorded already; returns `code`.
    pub fn fail(&mut self, code: UsslResult, detail: Option<String>) -> UsslResult {
        if self.failure.is_none() {
            self.failure = Some((code, detail));
        }
        code
    }

    /// Records a failure the shim saw outside the engine (the socket's, SOCKET_FAILED with its
    /// `os_errno`; a handshake that ran out of time) unless one is recorded already; returns the
    /// code recorded.
    pub fn fail_outside(&mut self, code: UsslResult, os_errno: i32) -> UsslResult {
        if self.failure.is_none() {
            self.failure = Some((code, None));
            self.os_errno = os_errno;
        }
        self.code().unwrap_or(code)
    }

    /// Records the failure, replacing any earlier one (a more precise code for the same cause).
    pub fn replace(&mut self, code: UsslResult) {
        self.failure = Some((code, None));
    }

    pub fn is_set(&self) -> bool {
        self.failure.is_some()
    }

    pub fn code(&self) -> Option<UsslResult> {
        self.failure.as_ref().map(|(code, _)| *code)
    }

    /// The text: the detail when there is one, else the code's own.
    pub fn text(&self) -> Option<&str> {
        let (code, detail) = self.failure.as_ref()?;
        Some(detail.as_deref().unwrap_or(code.text()))
    }

    /// The socket's errno when the failure is the socket's, else 0.
    pub fn os_errno(&self) -> i32 {
        match self.code() {
            Some(UsslResult::SocketFailed) => self.os_errno,
            _ => 0,
        }
    }

    pub fn check(&self) -> Result<(), UsslResult> {
        self.code().map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first failure stays, whichever side saw it; the socket's errno goes with its own.
    #[test]
    fn the_first_failure_stays_wherever_it_was_seen() {
        let mut e = StickyError::default();
        assert_eq!(e.fail_outside(UsslResult::SocketFailed, 104), UsslResult::SocketFailed);
        assert_eq!(e.fail(UsslResult::PeerAlert, None), UsslResult::PeerAlert);
        assert_eq!(e.fail_outside(UsslResult::HandshakeTimeout, 0), UsslResult::SocketFailed);
        assert_eq!(
            (e.code(), e.os_errno(), e.text()),
            (Some(UsslResult::SocketFailed), 104, Some("the socket failed"))
        );

        let mut e = StickyError::default();
        e.fail(UsslResult::PeerAlert, Some("peer sent alert bad_certificate".into()));
        assert_eq!(e.fail_outside(UsslResult::SocketFailed, 32), UsslResult::PeerAlert);
        assert_eq!((e.os_errno(), e.text()), (0, Some("peer sent alert bad_certificate")));
    }
}
