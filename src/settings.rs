//! Settings both engines' contexts take from the shim in the same form.

use alloc::vec::Vec;

use crate::result::UsslResult;

/// The numbers match CPython's and MicroPython's CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyMode {
    None = 0,
    Optional = 1,
    Required = 2,
}

impl VerifyMode {
    pub fn from_u32(v: u32) -> Option<Self> {
        match v {
            0 => Some(Self::None),
            1 => Some(Self::Optional),
            2 => Some(Self::Required),
            _ => None,
        }
    }
}

/// ALPN protocols from their wire form: each name preceded by its length (1 to 255 bytes), as
/// OpenSSL's SSL_CTX_set_alpn_protos takes them; empty for none.
pub fn alpn_from_wire(wire: &[u8]) -> Result<Vec<Vec<u8>>, UsslResult> {
    let mut protocols = Vec::new();
    let mut rest = wire;
    while let Some((&len, tail)) = rest.split_first() {
        let (name, after) = tail.split_at_checked(usize::from(len)).ok_or(UsslResult::InvalidAlpn)?;
        if name.is_empty() {
            return Err(UsslResult::InvalidAlpn);
        }
        protocols.push(name.to_vec());
        rest = after;
    }
    Ok(protocols)
}

/// Mainline's rule: a client that verifies must name the server.
pub fn check_client_name(hostname: Option<&str>, required: bool, mode: VerifyMode) -> Result<(), UsslResult> {
    if hostname.is_none() && required && mode == VerifyMode::Required {
        return Err(UsslResult::HostnameRequired);
    }
    Ok(())
}
