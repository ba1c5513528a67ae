//! SHA-256 and SHA-384 for the handshake transcript.

use alloc::boxed::Box;
use core::marker::PhantomData;

use rustls::crypto::hash::{Context, Hash, HashAlgorithm, Output};
use sha2::digest::{Digest, OutputSizeUser};

pub struct RustCryptoHash<D>(PhantomData<D>, HashAlgorithm);

pub static SHA256: RustCryptoHash<sha2::Sha256> = RustCryptoHash(PhantomData, HashAlgorithm::SHA256);
#[cfg(feature = "aes256")]
pub static SHA384: RustCryptoHash<sha2::Sha384> = RustCryptoHash(PhantomData, HashAlgorithm::SHA384);

impl<D> Hash for RustCryptoHash<D>
where
    D: Digest + OutputSizeUser + Clone + Send + Sync + 'static,
{
    fn start(&self) -> Box<dyn Context> {
        Box::new(HashContext(D::new()))
    }

    fn hash(&self, data: &[u8]) -> Output {
        Output::new(&D::digest(data)[..])
    }

    fn output_len(&self) -> usize {
        <D as Digest>::output_size()
    }

    fn algorithm(&self) -> HashAlgorithm {
        self.1
    }
}

struct HashContext<D>(D);

impl<D> Context for HashContext<D>
where
    D: Digest + Clone + Send + Sync + 'static,
{
    fn fork_finish(&self) -> Output {
        Output::new(&self.0.clone().finalize()[..])
    }

    fn fork(&self) -> Box<dyn Context> {
        Box::new(HashContext(self.0.clone()))
    }

    fn finish(self: Box<Self>) -> Output {
        Output::new(&self.0.finalize()[..])
    }

    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
}
