//! Which group rustls negotiates over our provider, client and server in one process (rustls's
//! unbuffered connections, as the engine drives them; the engine's own Context API has no group
//! choice, so the server's groups are set on its rustls config here): X25519MLKEM768 when both
//! have it; X25519 from the client's separate share when the server lacks the hybrid, with no
//! HelloRetryRequest; a retry only when the server has neither (which shows that the retry
//! check below can fail); X25519 for TLS 1.2, where the hybrid is not offered.
#![cfg(all(feature = "pq", feature = "server"))]

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::UnbufferedClientConnection;
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::UnbufferedServerConnection;
use rustls::unbuffered::{ConnectionState, UnbufferedStatus};
use rustls::{ClientConfig, DigitallySignedStruct, NamedGroup, ServerConfig, SignatureScheme};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

/// SHA-256("HelloRetryRequest"): a HelloRetryRequest is a ServerHello with this random.
const HRR_RANDOM: &str = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

#[derive(Debug)]
struct SystemClock;

impl rustls::time_provider::TimeProvider for SystemClock {
    fn current_time(&self) -> Option<UnixTime> {
        let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(UnixTime::since_unix_epoch(since_epoch))
    }
}

/// Takes any certificate (the chain is not what is tested here) but checks the handshake
/// signature with the provider's algorithms.
#[derive(Debug)]
struct AnyCertificate(CryptoProvider);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn provider_with_groups(groups: &[NamedGroup]) -> CryptoProvider {
    let mut provider = ussl::provider::provider();
    provider.kx_groups.retain(|g| groups.contains(&g.name()));
    provider
}

fn client_config(tls12_only: bool) -> Arc<ClientConfig> {
    let provider = Arc::new(ussl::provider::provider());
    let versions: &[&rustls::SupportedProtocolVersion] =
        if tls12_only { &[&rustls::version::TLS12] } else { &[&rustls::version::TLS13] };
    let config = ClientConfig::builder_with_details(provider, Arc::new(SystemClock))
        .with_protocol_versions(versions)
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(ussl::provider::provider())))
        .with_no_client_auth();
    Arc::new(config)
}

fn server_config(groups: &[NamedGroup]) -> Arc<ServerConfig> {
    let read = |name: &str| std::fs::read(format!("{DATA}/{name}")).expect(name);
    let chain = vec![CertificateDer::from_pem_slice(&read("ec.pem")).expect("ec.pem")];
    let key = PrivateKeyDer::from_pem_slice(&read("ec.key")).expect("ec.key");
    let config = ServerConfig::builder_with_details(Arc::new(provider_with_groups(groups)), Arc::new(SystemClock))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("certificate");
    Arc::new(config)
}

/// Runs one side until it waits for its peer: what it sends is appended to `outgoing`.
macro_rules! pump {
    ($conn:expr, $incoming:expr, $outgoing:expr) => {{
        loop {
            let UnbufferedStatus { discard, state } = $conn.process_tls_records(&mut $incoming[..]);
            let waiting = match state.expect("handshake") {
                ConnectionState::EncodeTlsData(mut data) => {
                    let mut buf = vec![0u8; 64 * 1024];
                    let n = data.encode(&mut buf).expect("encode");
                    $outgoing.extend_from_slice(&buf[..n]);
                    false
                }
                ConnectionState::TransmitTlsData(data) => {
                    data.done();
                    false
                }
                ConnectionState::ReadTraffic(mut data) => {
                    while let Some(record) = data.next_record() {
                        record.expect("record");
                    }
                    false
                }
                ConnectionState::BlockedHandshake | ConnectionState::WriteTraffic(_) => true,
                _ => panic!("unexpected state"),
            };
            $incoming.drain(..discard);
            if waiting {
                break;
            }
        }
    }};
}

struct Outcome {
    client_group: NamedGroup,
    server_group: NamedGroup,
    /// Every byte the server sent.
    server_sent: Vec<u8>,
}

fn handshake(client_config: Arc<ClientConfig>, server_groups: &[NamedGroup]) -> Outcome {
    let name = ServerName::try_from("localhost").expect("name");
    let mut client = UnbufferedClientConnection::new(client_config, name).expect("client");
    let mut server = UnbufferedServerConnection::new(server_config(server_groups)).expect("server");
    let (mut to_server, mut to_client, mut server_sent) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..10 {
        pump!(client, to_client, to_server);
        let before = to_client.len();
        pump!(server, to_server, to_client);
        server_sent.extend_from_slice(&to_client[before..]);
        if !client.is_handshaking() && !server.is_handshaking() && to_server.is_empty() && to_client.is_empty() {
            let group = |g: Option<&'static dyn SupportedKxGroup>| g.expect("group").name();
            return Outcome {
                client_group: group(client.negotiated_key_exchange_group()),
                server_group: group(server.negotiated_key_exchange_group()),
                server_sent,
            };
        }
    }
    panic!("handshake did not finish");
}

fn retried(outcome: &Outcome) -> bool {
    outcome.server_sent.windows(32).any(|w| w == hex(HRR_RANDOM))
}

const ALL: &[NamedGroup] = &[NamedGroup::X25519MLKEM768, NamedGroup::X25519, NamedGroup::secp256r1];

#[test]
fn hybrid_when_both_have_it() {
    let outcome = handshake(client_config(false), ALL);
    assert_eq!(outcome.client_group, NamedGroup::X25519MLKEM768);
    assert_eq!(outcome.server_group, NamedGroup::X25519MLKEM768);
    assert!(!retried(&outcome));
}

#[test]
fn x25519_share_when_the_server_lacks_the_hybrid() {
    let outcome = handshake(client_config(false), &[NamedGroup::X25519, NamedGroup::secp256r1]);
    assert_eq!(outcome.client_group, NamedGroup::X25519);
    assert_eq!(outcome.server_group, NamedGroup::X25519);
    assert!(!retried(&outcome), "the client's separate X25519 share went unused");
}

#[test]
fn retry_when_the_server_has_neither_share() {
    let outcome = handshake(client_config(false), &[NamedGroup::secp256r1]);
    assert_eq!(outcome.client_group, NamedGroup::secp256r1);
    assert!(retried(&outcome));
}

#[cfg(feature = "tls12")]
#[test]
fn tls12_does_not_offer_the_hybrid() {
    let outcome = handshake(client_config(true), ALL);
    assert_eq!(outcome.client_group, NamedGroup::X25519);
    assert_eq!(outcome.server_group, NamedGroup::X25519);
}
