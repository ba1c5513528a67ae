//! The server's certificate as the lean engine checks it: the chain to the context's trust
//! anchors (or a pinned certificate) at the port's clock, the name when the caller gave one,
//! and then the CertificateVerify signature with the leaf's key over the transcript. It keeps
//! the leaf for getpeercert(True) and the first failure as our own code, which says more than
//! embedded-tls's error.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use embedded_tls::blocking::{Aes128GcmSha256, CertificateEntryRef, CertificateRef, CertificateVerifyRef};
use embedded_tls::blocking::{TlsCipherSuite, TlsError, TlsVerifier};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::Digest;

use crate::anchors::Anchors;
use crate::pinned::Validity;
use crate::result::UsslResult;
use crate::server_cert;

type Transcript = <Aes128GcmSha256 as TlsCipherSuite>::Hash;

pub struct Verifier {
    /// None for CERT_NONE: the chain is not checked (the CertificateVerify still is, against
    /// the certificate presented, as TLS 1.3 requires).
    anchors: Option<Arc<Anchors>>,
    /// The name to check the certificate against, when the caller gave one.
    name: Option<ServerName<'static>>,
    leaf: Option<Vec<u8>>,
    transcript: Option<Transcript>,
    failure: Option<UsslResult>,
}

impl Verifier {
    pub fn new(anchors: Option<Arc<Anchors>>, name: Option<ServerName<'static>>) -> Self {
        Self { anchors, name, leaf: None, transcript: None, failure: None }
    }

    /// The server's certificate, once it has been checked.
    pub fn leaf(&self) -> Option<&[u8]> {
        self.leaf.as_deref()
    }

    /// Why the handshake failed in the verifier, when it did.
    pub fn failure(&self) -> Option<UsslResult> {
        self.failure
    }

    fn fail(&mut self, code: UsslResult) -> TlsError {
        self.failure.get_or_insert(code);
        TlsError::InvalidCertificate
    }

    /// The chain and the name, by webpki; the exceptions (a pinned leaf, a common name) are
    /// `crate::server_cert`'s.
    fn check_chain(&self, leaf: &[u8], intermediates: &[CertificateDer<'_>]) -> Result<(), UsslResult> {
        let Some(anchors) = &self.anchors else { return Ok(()) };
        let now = crate::port::now_secs().ok_or(UsslResult::ClockNotSet)?;
        if !server_cert::clock_is_set(now) {
            return Err(UsslResult::ClockNotSet);
        }
        let der = CertificateDer::from(leaf);
        let cert = webpki::EndEntityCert::try_from(&der).map_err(|e| from_webpki(&e))?;
        let time = UnixTime::since_unix_epoch(Duration::from_secs(now));
        let chained = cert.verify_for_usage(
            crate::provider::verify::ALL,
            &anchors.anchors,
            intermediates,
            time,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        );
        let mut pinned = false;
        if let Err(err) = chained {
            pinned = server_cert::trusted_as_itself(leaf, &anchors.pinned, now).map_err(|validity| match validity {
                Validity::NotYetValid => UsslResult::CertNotYetValid,
                Validity::Expired => UsslResult::CertExpired,
                Validity::Valid | Validity::BadEncoding => UsslResult::CertBadEncoding,
            })?;
            if !pinned {
                return Err(from_webpki(&err));
            }
        }
        if let Some(name) = &self.name {
            if let Err(err) = cert.verify_is_valid_for_subject_name(name) {
                let dns = match name {
                    ServerName::DnsName(dns) => Some(dns.as_ref()),
                    _ => None,
                };
                if !server_cert::named_by_common_name(leaf, pinned, dns) {
                    return Err(from_webpki(&err));
                }
            }
        }
        Ok(())
    }
}

impl TlsVerifier<Aes128GcmSha256> for Verifier {
    fn set_hostname_verification(&mut self, _hostname: &str) -> Result<(), TlsError> {
        // The name to check was set when the verifier was made (an IP address included,
        // which embedded-tls would send as SNI).
        Ok(())
    }

    fn verify_certificate(&mut self, transcript: &Transcript, cert: CertificateRef<'_>) -> Result<(), TlsError> {
        if self.leaf.is_some() {
            return Err(self.fail(UsslResult::UnexpectedMessage));
        }
        let mut ders = cert.entries.iter().filter_map(|e| match e {
            CertificateEntryRef::X509(der) => Some(*der),
            CertificateEntryRef::RawPublicKey(_) => None,
        });
        let Some(leaf) = ders.next() else { return Err(self.fail(UsslResult::NoPeerCertificate)) };
        let intermediates: Vec<CertificateDer<'_>> = ders.map(CertificateDer::from).collect();
        if let Err(code) = self.check_chain(leaf, &intermediates) {
            return Err(self.fail(code));
        }
        self.leaf = Some(leaf.to_vec());
        self.transcript = Some(transcript.clone());
        Ok(())
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        let (Some(transcript), Some(leaf)) = (self.transcript.take(), self.leaf.as_deref()) else {
            return Err(self.fail(UsslResult::UnexpectedMessage));
        };
        // RFC 8446 section 4.4.3: 64 spaces, the context string, a zero, the transcript hash.
        let mut message = Vec::with_capacity(64 + 34 + 32);
        message.resize(64, 0x20);
        message.extend_from_slice(b"TLS 1.3, server CertificateVerify\x00");
        message.extend_from_slice(&transcript.finalize());
        let der = CertificateDer::from(leaf);
        let checked = match (
            crate::provider::verify::tls13_scheme(verify.signature_scheme.as_u16()),
            webpki::EndEntityCert::try_from(&der),
        ) {
            (Some(alg), Ok(cert)) => cert.verify_signature(alg, &message, verify.signature).is_ok(),
            _ => false,
        };
        if checked {
            Ok(())
        } else {
            Err(self.fail(UsslResult::PeerMisbehaved))
        }
    }
}

fn from_webpki(err: &webpki::Error) -> UsslResult {
    use webpki::Error as E;
    match err {
        E::CertExpired { .. } => UsslResult::CertExpired,
        E::CertNotValidYet { .. } => UsslResult::CertNotYetValid,
        E::CertNotValidForName(_) => UsslResult::HostnameMismatch,
        E::UnknownIssuer => UsslResult::UnknownIssuer,
        E::InvalidSignatureForPublicKey
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => UsslResult::CertBadSignature,
        E::RequiredEkuNotFoundContext(_) => UsslResult::CertInvalidPurpose,
        E::BadDer | E::BadDerTime | E::TrailingData(_) => UsslResult::CertBadEncoding,
        _ => UsslResult::CertInvalid,
    }
}
