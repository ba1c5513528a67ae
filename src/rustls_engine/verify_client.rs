//! How a server checks client certificates: rustls' WebPKI client verifier (chain to
//! `ca_certs`, client-auth EKU, validity) behind the same clock check as the client side.

use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, Error, RootCertStore, SignatureScheme};

use super::verify::check_clock;

#[derive(Debug)]
pub struct ClientVerifier {
    inner: Arc<dyn ClientCertVerifier>,
}

impl ClientVerifier {
    /// `mandatory` is CERT_REQUIRED; otherwise (CERT_OPTIONAL) a client may send no certificate,
    /// but one it sends must verify.
    pub fn new(roots: Arc<RootCertStore>, mandatory: bool) -> Result<Self, Error> {
        let provider = Arc::new(crate::provider::provider());
        let builder = rustls::server::WebPkiClientVerifier::builder_with_provider(roots, provider);
        let builder = if mandatory { builder } else { builder.allow_unauthenticated() };
        let inner = builder.build().map_err(|_| Error::General("no usable client CA".into()))?;
        Ok(Self { inner })
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        check_clock(now)?;
        self.inner.verify_client_cert(end_entity, intermediates, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
