//! A hybrid key exchange: a classical group and a post-quantum KEM run side by side, their shares
//! and secrets concatenated (draft-ietf-tls-hybrid-design). The structure is rustls's own
//! (rustls 0.23.48, src/crypto/aws_lc_rs/pq/hybrid.rs), over our groups instead of aws-lc-rs's.
//!
//! The client's exchange also offers its classical half as a share of its own
//! (`hybrid_component`): a server that lacks the hybrid can take that one, without a
//! HelloRetryRequest, and rustls then completes just the classical half
//! (`complete_hybrid_component`).

use alloc::boxed::Box;
use alloc::vec::Vec;

use rustls::crypto::{ActiveKeyExchange, CompletedKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::ffdhe_groups::FfdheGroup;
use rustls::{Error, NamedGroup, PeerMisbehaved, ProtocolVersion};

/// A hybrid of `classical` and `post_quantum`, named `name` on the wire.
#[derive(Debug)]
pub struct Hybrid {
    pub(super) classical: &'static dyn SupportedKxGroup,
    pub(super) post_quantum: &'static dyn SupportedKxGroup,
    pub(super) name: NamedGroup,
    pub(super) layout: Layout,
}

impl Hybrid {
    /// The client's exchange from its two halves (started with random or, for the known-answer
    /// tests, given secrets).
    pub(super) fn active(
        &self,
        classical: Box<dyn ActiveKeyExchange>,
        post_quantum: Box<dyn ActiveKeyExchange>,
    ) -> Box<dyn ActiveKeyExchange> {
        let combined_pub_key = self.layout.concat(post_quantum.pub_key(), classical.pub_key());
        Box::new(ActiveHybrid { classical, post_quantum, name: self.name, layout: self.layout, combined_pub_key })
    }

    /// The server's completed exchange from its two completed halves.
    pub(super) fn completed(
        &self,
        classical: CompletedKeyExchange,
        post_quantum: CompletedKeyExchange,
    ) -> CompletedKeyExchange {
        let pub_key = self.layout.concat(&post_quantum.pub_key, &classical.pub_key);
        // Both halves' secrets zeroize themselves when dropped here; the concatenation is
        // moved into a SharedSecret, which zeroizes it in turn.
        let secret = self.layout.concat(post_quantum.secret.secret_bytes(), classical.secret.secret_bytes());
        CompletedKeyExchange { group: self.name, pub_key, secret: SharedSecret::from(secret) }
    }
}

impl SupportedKxGroup for Hybrid {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let classical = self.classical.start()?;
        let post_quantum = self.post_quantum.start()?;
        Ok(self.active(classical, post_quantum))
    }

    fn start_and_complete(&self, client_share: &[u8]) -> Result<CompletedKeyExchange, Error> {
        let (post_quantum_share, classical_share) =
            self.layout.split_received_client_share(client_share).ok_or(INVALID_KEY_SHARE)?;
        let classical = self.classical.start_and_complete(classical_share)?;
        let post_quantum = self.post_quantum.start_and_complete(post_quantum_share)?;
        Ok(self.completed(classical, post_quantum))
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        None
    }

    fn name(&self) -> NamedGroup {
        self.name
    }

    /// The hybrids are defined for TLS 1.3 only: a TLS 1.2 client does not offer it and a TLS 1.2
    /// server does not choose it.
    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

pub(super) const INVALID_KEY_SHARE: Error = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);

struct ActiveHybrid {
    classical: Box<dyn ActiveKeyExchange>,
    post_quantum: Box<dyn ActiveKeyExchange>,
    name: NamedGroup,
    layout: Layout,
    combined_pub_key: Vec<u8>,
}

impl ActiveKeyExchange for ActiveHybrid {
    fn complete(self: Box<Self>, server_share: &[u8]) -> Result<SharedSecret, Error> {
        let (post_quantum_share, classical_share) =
            self.layout.split_received_server_share(server_share).ok_or(INVALID_KEY_SHARE)?;
        let classical = self.classical.complete(classical_share)?;
        let post_quantum = self.post_quantum.complete(post_quantum_share)?;
        Ok(SharedSecret::from(self.layout.concat(post_quantum.secret_bytes(), classical.secret_bytes())))
    }

    /// The classical half, which the client also offers as a share of its own.
    fn hybrid_component(&self) -> Option<(NamedGroup, &[u8])> {
        Some((self.classical.group(), self.classical.pub_key()))
    }

    /// The server chose the classical group alone (it lacks the hybrid): only that half counts.
    fn complete_hybrid_component(self: Box<Self>, server_share: &[u8]) -> Result<SharedSecret, Error> {
        self.classical.complete(server_share)
    }

    fn pub_key(&self) -> &[u8] {
        &self.combined_pub_key
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        None
    }

    fn group(&self) -> NamedGroup {
        self.name
    }
}

/// How a hybrid lays out its shares and secrets.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub(super) classical_share_len: usize,
    /// The KEM's encapsulation key, which the client sends.
    pub(super) post_quantum_client_share_len: usize,
    /// The KEM's ciphertext, which the server sends.
    pub(super) post_quantum_server_share_len: usize,
    /// X25519MLKEM768 puts the KEM's part first, in shares and in the secret alike (the
    /// draft's order, for FIPS's rule that the approved part comes first);
    /// SecP256r1MLKEM768 puts it second.
    pub(super) post_quantum_first: bool,
}

impl Layout {
    pub(super) fn split_received_client_share<'a>(&self, share: &'a [u8]) -> Option<(&'a [u8], &'a [u8])> {
        self.split(share, self.post_quantum_client_share_len)
    }

    pub(super) fn split_received_server_share<'a>(&self, share: &'a [u8]) -> Option<(&'a [u8], &'a [u8])> {
        self.split(share, self.post_quantum_server_share_len)
    }

    /// The post-quantum and the classical part of a share, None unless it has exactly their
    /// length (a short, long or truncated share is refused here, before any arithmetic).
    fn split<'a>(&self, share: &'a [u8], post_quantum_len: usize) -> Option<(&'a [u8], &'a [u8])> {
        if share.len() != self.classical_share_len + post_quantum_len {
            return None;
        }
        if self.post_quantum_first {
            share.split_at_checked(post_quantum_len)
        } else {
            let (classical, post_quantum) = share.split_at_checked(self.classical_share_len)?;
            Some((post_quantum, classical))
        }
    }

    pub(super) fn concat(&self, post_quantum: &[u8], classical: &[u8]) -> Vec<u8> {
        if self.post_quantum_first {
            [post_quantum, classical].concat()
        } else {
            [classical, post_quantum].concat()
        }
    }
}
