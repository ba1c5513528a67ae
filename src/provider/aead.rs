//! AES-GCM and ChaCha20-Poly1305 record protection for TLS 1.3 and TLS 1.2, generic over the
//! RustCrypto AEAD type.

use alloc::boxed::Box;
use core::marker::PhantomData;

use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aead::{AeadInPlace, Buffer, KeyInit};
#[cfg(feature = "tls12")]
use rustls::crypto::cipher::{make_tls12_aad, KeyBlockShape, Tls12AeadAlgorithm};
use rustls::crypto::cipher::{
    make_tls13_aad, AeadKey, BorrowedPayload, InboundOpaqueMessage, InboundPlainMessage, Iv, MessageDecrypter,
    MessageEncrypter, Nonce, OutboundOpaqueMessage, OutboundPlainMessage, PrefixedPayload, Tls13AeadAlgorithm,
    UnsupportedOperationError, NONCE_LEN,
};
use rustls::{ConnectionTrafficSecrets, ContentType, ProtocolVersion};

const TAG_LEN: usize = 16;
/// TLS 1.2 AES-GCM sends 8 bytes of the nonce with each record (RFC 5288).
#[cfg(feature = "tls12")]
const GCM_EXPLICIT_NONCE_LEN: usize = 8;

/// What the generic code needs of an AEAD: 96-bit nonces and 128-bit tags.
pub trait TlsAead: AeadInPlace<NonceSize = U12, TagSize = U16> + KeyInit + Send + Sync + 'static {}
impl<A: AeadInPlace<NonceSize = U12, TagSize = U16> + KeyInit + Send + Sync + 'static> TlsAead for A {}

pub struct Tls13<A>(PhantomData<A>);
/// TLS 1.2 with an explicit per-record nonce (AES-GCM, RFC 5288).
#[cfg(feature = "tls12")]
pub struct Tls12Explicit<A>(PhantomData<A>);
/// TLS 1.2 with the nonce derived from the sequence number (ChaCha20-Poly1305, RFC 7905).
#[cfg(feature = "tls12")]
pub struct Tls12Implicit<A>(PhantomData<A>);

pub static TLS13_AES_128_GCM: Tls13<aes_gcm::Aes128Gcm> = Tls13(PhantomData);
#[cfg(feature = "aes256")]
pub static TLS13_AES_256_GCM: Tls13<aes_gcm::Aes256Gcm> = Tls13(PhantomData);
pub static TLS13_CHACHA20_POLY1305: Tls13<chacha20poly1305::ChaCha20Poly1305> = Tls13(PhantomData);
#[cfg(feature = "tls12")]
pub static TLS12_AES_128_GCM: Tls12Explicit<aes_gcm::Aes128Gcm> = Tls12Explicit(PhantomData);
#[cfg(all(feature = "tls12", feature = "aes256"))]
pub static TLS12_AES_256_GCM: Tls12Explicit<aes_gcm::Aes256Gcm> = Tls12Explicit(PhantomData);
#[cfg(feature = "tls12")]
pub static TLS12_CHACHA20_POLY1305: Tls12Implicit<chacha20poly1305::ChaCha20Poly1305> = Tls12Implicit(PhantomData);

/// Record protection keyed once; `None` when the key had the wrong length, which rustls never
/// hands us but which must not panic either: such a cipher refuses every record.
struct Cipher<A> {
    aead: Option<A>,
    iv: [u8; NONCE_LEN],
}

impl<A: TlsAead> Cipher<A> {
    fn new(key: &[u8], iv: [u8; NONCE_LEN]) -> Self {
        Self { aead: A::new_from_slice(key).ok(), iv }
    }

    /// A cipher from a key and an IV of the wrong length refuses every record: a zero-filled IV
    /// would reuse nonces.
    fn new_checked(key: &[u8], iv: Option<[u8; NONCE_LEN]>) -> Self {
        match iv {
            Some(iv) => Self::new(key, iv),
            None => Self { aead: None, iv: [0; NONCE_LEN] },
        }
    }

    fn nonce(&self, seq: u64) -> [u8; NONCE_LEN] {
        Nonce::new(&Iv::from(self.iv), seq).0
    }
}

impl<A: TlsAead> Tls13AeadAlgorithm for Tls13<A> {
    fn encrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageEncrypter> {
        Box::new(Tls13Cipher(Cipher::<A>::new_checked(key.as_ref(), iv_exact(iv.as_ref()))))
    }

    fn decrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageDecrypter> {
        Box::new(Tls13Cipher(Cipher::<A>::new_checked(key.as_ref(), iv_exact(iv.as_ref()))))
    }

    fn key_len(&self) -> usize {
        A::key_size()
    }

    fn extract_keys(&self, _: AeadKey, _: Iv) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        Err(UnsupportedOperationError)
    }
}

/// A 12-byte IV from a slice that rustls sizes by the key block shape; never panics on length.
/// A full-length IV, or None for any other length.
fn iv_exact(src: &[u8]) -> Option<[u8; NONCE_LEN]> {
    src.try_into().ok()
}

struct Tls13Cipher<A>(Cipher<A>);

impl<A: TlsAead> MessageEncrypter for Tls13Cipher<A> {
    fn encrypt(&mut self, m: OutboundPlainMessage<'_>, seq: u64) -> Result<OutboundOpaqueMessage, rustls::Error> {
        let aead = self.0.aead.as_ref().ok_or(rustls::Error::EncryptError)?;
        let total_len = self.encrypted_payload_len(m.payload.len());
        let mut payload = PrefixedPayload::with_capacity(total_len);
        payload.extend_from_chunks(&m.payload);
        payload.extend_from_slice(&m.typ.to_array());
        let nonce = self.0.nonce(seq);
        aead.encrypt_in_place(&nonce.into(), &make_tls13_aad(total_len), &mut EncryptBuffer(&mut payload))
            .map_err(|_| rustls::Error::EncryptError)?;
        Ok(OutboundOpaqueMessage::new(ContentType::ApplicationData, ProtocolVersion::TLSv1_2, payload))
    }

    fn encrypted_payload_len(&self, payload_len: usize) -> usize {
        payload_len + 1 + TAG_LEN
    }
}

impl<A: TlsAead> MessageDecrypter for Tls13Cipher<A> {
    fn decrypt<'a>(
        &mut self,
        mut m: InboundOpaqueMessage<'a>,
        seq: u64,
    ) -> Result<InboundPlainMessage<'a>, rustls::Error> {
        let aead = self.0.aead.as_ref().ok_or(rustls::Error::DecryptError)?;
        let nonce = self.0.nonce(seq);
        let aad = make_tls13_aad(m.payload.len());
        aead.decrypt_in_place(&nonce.into(), &aad, &mut DecryptBuffer(&mut m.payload))
            .map_err(|_| rustls::Error::DecryptError)?;
        m.into_tls13_unpadded_message()
    }
}

#[cfg(feature = "tls12")]
impl<A: TlsAead> Tls12AeadAlgorithm for Tls12Explicit<A> {
    fn encrypter(&self, key: AeadKey, write_iv: &[u8], explicit: &[u8]) -> Box<dyn MessageEncrypter> {
        let iv = (write_iv.len() == 4 && explicit.len() == GCM_EXPLICIT_NONCE_LEN).then(|| {
            let mut iv = [0u8; NONCE_LEN];
            iv[..4].copy_from_slice(write_iv);
            iv[4..].copy_from_slice(explicit);
            iv
        });
        Box::new(Tls12GcmCipher(Cipher::<A>::new_checked(key.as_ref(), iv)))
    }

    fn decrypter(&self, key: AeadKey, iv: &[u8]) -> Box<dyn MessageDecrypter> {
        let salt = (iv.len() == 4).then(|| {
            let mut salt = [0u8; NONCE_LEN];
            salt[..4].copy_from_slice(iv);
            salt
        });
        Box::new(Tls12GcmCipher(Cipher::<A>::new_checked(key.as_ref(), salt)))
    }

    fn key_block_shape(&self) -> KeyBlockShape {
        KeyBlockShape { enc_key_len: A::key_size(), fixed_iv_len: 4, explicit_nonce_len: GCM_EXPLICIT_NONCE_LEN }
    }

    fn extract_keys(
        &self,
        _: AeadKey,
        _: &[u8],
        _: &[u8],
    ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        Err(UnsupportedOperationError)
    }
}

#[cfg(feature = "tls12")]
struct Tls12GcmCipher<A>(Cipher<A>);

#[cfg(feature = "tls12")]
impl<A: TlsAead> MessageEncrypter for Tls12GcmCipher<A> {
    fn encrypt(&mut self, m: OutboundPlainMessage<'_>, seq: u64) -> Result<OutboundOpaqueMessage, rustls::Error> {
        let aead = self.0.aead.as_ref().ok_or(rustls::Error::EncryptError)?;
        let total_len = self.encrypted_payload_len(m.payload.len());
        let mut payload = PrefixedPayload::with_capacity(total_len);
        let nonce = self.0.nonce(seq);
        let aad = make_tls12_aad(seq, m.typ, m.version, m.payload.len());
        payload.extend_from_slice(&nonce[4..]);
        payload.extend_from_chunks(&m.payload);
        let body = payload.as_mut().get_mut(GCM_EXPLICIT_NONCE_LEN..).ok_or(rustls::Error::EncryptError)?;
        let tag = aead.encrypt_in_place_detached(&nonce.into(), &aad, body).map_err(|_| rustls::Error::EncryptError)?;
        payload.extend_from_slice(&tag);
        Ok(OutboundOpaqueMessage::new(m.typ, m.version, payload))
    }

    fn encrypted_payload_len(&self, payload_len: usize) -> usize {
        payload_len + GCM_EXPLICIT_NONCE_LEN + TAG_LEN
    }
}

#[cfg(feature = "tls12")]
impl<A: TlsAead> MessageDecrypter for Tls12GcmCipher<A> {
    fn decrypt<'a>(
        &mut self,
        mut m: InboundOpaqueMessage<'a>,
        seq: u64,
    ) -> Result<InboundPlainMessage<'a>, rustls::Error> {
        let aead = self.0.aead.as_ref().ok_or(rustls::Error::DecryptError)?;
        let len = m.payload.len();
        if len < GCM_EXPLICIT_NONCE_LEN + TAG_LEN {
            return Err(rustls::Error::DecryptError);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..4].copy_from_slice(&self.0.iv[..4]);
        let (explicit, sealed) =
            m.payload.split_at_mut_checked(GCM_EXPLICIT_NONCE_LEN).ok_or(rustls::Error::DecryptError)?;
        nonce[4..].copy_from_slice(explicit);
        let plain_len = len - GCM_EXPLICIT_NONCE_LEN - TAG_LEN;
        let aad = make_tls12_aad(seq, m.typ, m.version, plain_len);
        let (body, tag) = sealed.split_at_mut_checked(plain_len).ok_or(rustls::Error::DecryptError)?;
        aead.decrypt_in_place_detached(&nonce.into(), &aad, body, (&*tag).into())
            .map_err(|_| rustls::Error::DecryptError)?;
        // Move the plaintext over the explicit nonce only after authentication succeeded.
        m.payload.copy_within(GCM_EXPLICIT_NONCE_LEN..GCM_EXPLICIT_NONCE_LEN + plain_len, 0);
        m.payload.truncate(plain_len);
        Ok(m.into_plain_message())
    }
}

#[cfg(feature = "tls12")]
impl<A: TlsAead> Tls12AeadAlgorithm for Tls12Implicit<A> {
    fn encrypter(&self, key: AeadKey, iv: &[u8], _: &[u8]) -> Box<dyn MessageEncrypter> {
        Box::new(Tls12ChaChaCipher(Cipher::<A>::new_checked(key.as_ref(), iv_exact(iv))))
    }

    fn decrypter(&self, key: AeadKey, iv: &[u8]) -> Box<dyn MessageDecrypter> {
        Box::new(Tls12ChaChaCipher(Cipher::<A>::new_checked(key.as_ref(), iv_exact(iv))))
    }

    fn key_block_shape(&self) -> KeyBlockShape {
        KeyBlockShape { enc_key_len: A::key_size(), fixed_iv_len: NONCE_LEN, explicit_nonce_len: 0 }
    }

    fn extract_keys(
        &self,
        _: AeadKey,
        _: &[u8],
        _: &[u8],
    ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        Err(UnsupportedOperationError)
    }
}

#[cfg(feature = "tls12")]
struct Tls12ChaChaCipher<A>(Cipher<A>);

#[cfg(feature = "tls12")]
impl<A: TlsAead> MessageEncrypter for Tls12ChaChaCipher<A> {
    fn encrypt(&mut self, m: OutboundPlainMessage<'_>, seq: u64) -> Result<OutboundOpaqueMessage, rustls::Error> {
        let aead = self.0.aead.as_ref().ok_or(rustls::Error::EncryptError)?;
        let total_len = self.encrypted_payload_len(m.payload.len());
        let mut payload = PrefixedPayload::with_capacity(total_len);
        payload.extend_from_chunks(&m.payload);
        let aad = make_tls12_aad(seq, m.typ, m.version, m.payload.len());
        aead.encrypt_in_place(&self.0.nonce(seq).into(), &aad, &mut EncryptBuffer(&mut payload))
            .map_err(|_| rustls::Error::EncryptError)?;
        Ok(OutboundOpaqueMessage::new(m.typ, m.version, payload))
    }

    fn encrypted_payload_len(&self, payload_len: usize) -> usize {
        payload_len + TAG_LEN
    }
}

#[cfg(feature = "tls12")]
impl<A: TlsAead> MessageDecrypter for Tls12ChaChaCipher<A> {
    fn decrypt<'a>(
        &mut self,
        mut m: InboundOpaqueMessage<'a>,
        seq: u64,
    ) -> Result<InboundPlainMessage<'a>, rustls::Error> {
        let aead = self.0.aead.as_ref().ok_or(rustls::Error::DecryptError)?;
        let len = m.payload.len();
        if len < TAG_LEN {
            return Err(rustls::Error::DecryptError);
        }
        let aad = make_tls12_aad(seq, m.typ, m.version, len - TAG_LEN);
        aead.decrypt_in_place(&self.0.nonce(seq).into(), &aad, &mut DecryptBuffer(&mut m.payload))
            .map_err(|_| rustls::Error::DecryptError)?;
        Ok(m.into_plain_message())
    }
}

/// Lets the AEAD append its tag to rustls' outgoing payload.
struct EncryptBuffer<'a>(&'a mut PrefixedPayload);

impl AsRef<[u8]> for EncryptBuffer<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref()
    }
}

impl AsMut<[u8]> for EncryptBuffer<'_> {
    fn as_mut(&mut self) -> &mut [u8] {
        self.0.as_mut()
    }
}

impl Buffer for EncryptBuffer<'_> {
    fn extend_from_slice(&mut self, other: &[u8]) -> aes_gcm::aead::Result<()> {
        self.0.extend_from_slice(other);
        Ok(())
    }

    fn truncate(&mut self, len: usize) {
        self.0.truncate(len)
    }
}

/// Lets the AEAD decrypt in place in the incoming record and drop the tag.
struct DecryptBuffer<'a, 'p>(&'a mut BorrowedPayload<'p>);

impl AsRef<[u8]> for DecryptBuffer<'_, '_> {
    fn as_ref(&self) -> &[u8] {
        self.0
    }
}

impl AsMut<[u8]> for DecryptBuffer<'_, '_> {
    fn as_mut(&mut self) -> &mut [u8] {
        self.0
    }
}

impl Buffer for DecryptBuffer<'_, '_> {
    fn extend_from_slice(&mut self, _: &[u8]) -> aes_gcm::aead::Result<()> {
        // Decryption only ever shrinks the buffer.
        Err(aes_gcm::aead::Error)
    }

    fn truncate(&mut self, len: usize) {
        self.0.truncate(len)
    }
}
