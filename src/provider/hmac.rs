//! HMAC-SHA256 and HMAC-SHA384: the base of TLS 1.3's HKDF and TLS 1.2's PRF.

use alloc::boxed::Box;
use core::marker::PhantomData;

use hmac::{Mac, SimpleHmac};
use rustls::crypto::hmac::{Hmac, Key, Tag};
use sha2::digest::core_api::BlockSizeUser;
use sha2::digest::{Digest, OutputSizeUser};

pub struct RustCryptoHmac<D>(PhantomData<D>);

pub static SHA256: RustCryptoHmac<sha2::Sha256> = RustCryptoHmac(PhantomData);
#[cfg(feature = "aes256")]
pub static SHA384: RustCryptoHmac<sha2::Sha384> = RustCryptoHmac(PhantomData);

impl<D> Hmac for RustCryptoHmac<D>
where
    D: Digest + BlockSizeUser + Clone + Send + Sync + 'static,
{
    fn with_key(&self, key: &[u8]) -> Box<dyn Key> {
        // SimpleHmac accepts keys of any length (long keys are hashed), so this cannot fail.
        match <SimpleHmac<D> as Mac>::new_from_slice(key) {
            Ok(mac) => Box::new(HmacKey(mac)),
            Err(_) => Box::new(HmacKey(<SimpleHmac<D> as Mac>::new(&Default::default()))),
        }
    }

    fn hash_output_len(&self) -> usize {
        <D as OutputSizeUser>::output_size()
    }
}

struct HmacKey<D: Digest + BlockSizeUser>(SimpleHmac<D>);

impl<D> Key for HmacKey<D>
where
    D: Digest + BlockSizeUser + Clone + Send + Sync + 'static,
{
    fn sign_concat(&self, first: &[u8], middle: &[&[u8]], last: &[u8]) -> Tag {
        let mut mac = self.0.clone();
        mac.update(first);
        for m in middle {
            mac.update(m);
        }
        mac.update(last);
        Tag::new(&mac.finalize().into_bytes()[..])
    }

    fn tag_len(&self) -> usize {
        <D as OutputSizeUser>::output_size()
    }
}
