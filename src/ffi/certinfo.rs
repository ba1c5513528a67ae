//! `ussl_certinfo`: a certificate's fields for getpeercert().

use super::*;
use crate::certinfo::CertInfo;
use crate::result::UsslResult;

/// The fields of one certificate, for getpeercert().
pub struct ussl_certinfo {
    pub(super) inner: CertInfo,
}

/// Parses a DER certificate into the fields getpeercert() shows.
///
/// # Safety
/// `der` must point to `len` readable bytes; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ussl_certinfo_new(der: *const u8, len: usize, out: *mut *mut ussl_certinfo) -> ussl_result {
    crate::on_engine_stack(|| {
        // SAFETY: forwarded caller guarantee.
        let Some(der) = (unsafe { bytes(der, len) }) else { return code(UsslResult::NullArgument) };
        if out.is_null() {
            return code(UsslResult::NullArgument);
        }
        #[cfg(not(feature = "certinfo"))]
        {
            let _ = der;
            code(UsslResult::CertInfoNotBuilt)
        }
        #[cfg(feature = "certinfo")]
        // SAFETY: forwarded caller guarantee.
        unsafe {
            hand_out(out, || {
                crate::certinfo::describe(der).map(|inner| ussl_certinfo { inner }).ok_or(UsslResult::CertBadEncoding)
            })
        }
    })
}

/// # Safety
/// `info` must be NULL or a pointer from `ussl_certinfo_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn ussl_certinfo_free(info: *mut ussl_certinfo) {
    // SAFETY: forwarded caller guarantee.
    unsafe { release(info) }
}

/// # Safety
/// `info` must be a live certinfo.
#[no_mangle]
pub unsafe extern "C" fn ussl_certinfo_count(info: *const ussl_certinfo) -> usize {
    // SAFETY: forwarded caller guarantee.
    unsafe { info.as_ref() }.map_or(0, |i| i.inner.fields.len())
}

/// Field `index`: its kind (see `FieldKind`: 1/2 subject, 3/4 issuer, 5 version, 6 serial,
/// 7 notBefore, 8 notAfter, 9 subjectAltName), key and value as UTF-8.
///
/// # Safety
/// `info` must be a live certinfo; every output pointer writable. The strings live as long as
/// `info`.
#[no_mangle]
pub unsafe extern "C" fn ussl_certinfo_field(
    info: *const ussl_certinfo,
    index: usize,
    kind: *mut u8,
    key: *mut *const u8,
    key_len: *mut usize,
    value: *mut *const u8,
    value_len: *mut usize,
) -> ussl_result {
    // SAFETY: forwarded caller guarantee.
    let Some(info) = (unsafe { info.as_ref() }) else { return code(UsslResult::NullArgument) };
    if kind.is_null() || key.is_null() || key_len.is_null() || value.is_null() || value_len.is_null() {
        return code(UsslResult::NullArgument);
    }
    let Some(f) = info.inner.fields.get(index) else { return code(UsslResult::InvalidArgument) };
    // SAFETY: all outputs are non-null and writable per the contract.
    unsafe {
        *kind = f.kind as u8;
        *key = f.key.as_ptr();
        *key_len = f.key.len();
        *value = f.value.as_ptr();
        *value_len = f.value.len();
    }
    OK
}
