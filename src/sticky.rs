//! A connection's sticky error (as modtls_mbedtls.c keeps one): the first failure, with its
//! detail text when there is some, reported by every later call. Both engines' connections.

use alloc::string::String;

use crate::result::UsslResult;

#[derive(Default)]
pub struct StickyError(Option<(UsslResult, Option<String>)>);

impl StickyError {
    /// Records the failure unless one is recorded already; returns `code`.
    pub fn fail(&mut self, code: UsslResult, detail: Option<String>) -> UsslResult {
        if self.0.is_none() {
            self.0 = Some((code, detail));
        }
        code
    }

    /// Records the failure, replacing any earlier one (a more precise code for the same cause).
    pub fn replace(&mut self, code: UsslResult) {
        self.0 = Some((code, None));
    }

    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    pub fn code(&self) -> Option<UsslResult> {
        self.0.as_ref().map(|(code, _)| *code)
    }

    /// The text: the detail when there is one, else the code's own.
    pub fn text(&self) -> Option<&str> {
        let (code, detail) = self.0.as_ref()?;
        Some(detail.as_deref().unwrap_or(code.text()))
    }

    pub fn check(&self) -> Result<(), UsslResult> {
        self.code().map_or(Ok(()), Err)
    }
}
