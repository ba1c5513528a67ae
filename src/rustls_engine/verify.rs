//! How a client checks the server's certificate: the chain to `ca_certs` against the port's
//! clock, then the hostname only when the caller named one; or nothing at all for CERT_NONE.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::time_provider::TimeProvider;
use rustls::{DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use rustls::CertificateError;

use crate::pinned::Validity;
use crate::port;
use crate::result::CLOCK_NOT_SET_TAG;
use crate::server_cert;

/// The wall clock as the port reports it, however implausible: the verifier decides.
#[derive(Debug)]
pub struct PortClock;

impl TimeProvider for PortClock {
    fn current_time(&self) -> Option<UnixTime> {
        port::now_secs().map(|s| UnixTime::since_unix_epoch(Duration::from_secs(s)))
    }
}

#[derive(Debug)]
pub struct ServerVerifier {
    /// None for CERT_NONE: the certificate is taken as it is.
    roots: Option<Arc<RootCertStore>>,
    /// The certificates given as trust anchors, as given: a server presenting one of these
    /// itself is trusted directly (a pinned self-signed certificate, common on boards).
    pinned: Vec<CertificateDer<'static>>,
    /// Whether the caller gave a server_hostname to check the certificate against.
    check_name: bool,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerVerifier {
    pub fn new(roots: Option<Arc<RootCertStore>>, check_name: bool) -> Self {
        Self { roots, pinned: Vec::new(), check_name, algs: crate::provider::SIGNATURE_ALGORITHMS }
    }

    /// Trusts these exact certificates when a server presents one as its own.
    pub fn with_pinned(mut self, pinned: Vec<CertificateDer<'static>>) -> Self {
        self.pinned = pinned;
        self
    }
}

impl ServerVerifier {
    /// The path to a trust anchor, validity at `now`, and the name when asked for; what
    /// `verify_server_cert` runs once it has checked that the clock is plausible. The exceptions
    /// (a pinned leaf, a common name) are `crate::server_cert`'s.
    pub fn verify_chain_and_name(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), Error> {
        let Some(roots) = &self.roots else {
            return Ok(());
        };
        let cert = ParsedCertificate::try_from(end_entity)?;
        let mut pinned = false;
        if let Err(err) = verify_server_cert_signed_by_trust_anchor(&cert, roots, intermediates, now, self.algs.all) {
            pinned = server_cert::trusted_as_itself(end_entity.as_ref(), &self.pinned, now.as_secs())
                .map_err(|validity| Error::InvalidCertificate(validity_error(validity)))?;
            if !pinned {
                return Err(err);
            }
        }
        if self.check_name {
            if let Err(err) = verify_server_name(&cert, server_name) {
                let dns = match server_name {
                    ServerName::DnsName(dns) => Some(dns.as_ref()),
                    _ => None,
                };
                if !server_cert::named_by_common_name(end_entity.as_ref(), pinned, dns) {
                    return Err(err);
                }
            }
        }
        Ok(())
    }
}

/// Why a certificate trusted as itself is refused.
fn validity_error(validity: Validity) -> CertificateError {
    match validity {
        Validity::NotYetValid => CertificateError::NotValidYet,
        Validity::Expired => CertificateError::Expired,
        Validity::Valid | Validity::BadEncoding => CertificateError::BadEncoding,
    }
}

/// Fails closed when the clock was never set (`server_cert::clock_is_set`), with the tag our
/// error mapping knows (rustls has no variant for it).
pub fn check_clock(now: UnixTime) -> Result<(), Error> {
    if server_cert::clock_is_set(now.as_secs()) {
        Ok(())
    } else {
        Err(Error::General(CLOCK_NOT_SET_TAG.into()))
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self.roots.is_none() {
            return Ok(ServerCertVerified::assertion());
        }
        check_clock(now)?;
        self.verify_chain_and_name(end_entity, intermediates, server_name, now)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}
