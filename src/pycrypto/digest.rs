//! SHA-256, SHA-1 and MD5 for `hashlib`: one Merkle-Damgård framing (a 64-byte block buffer, a
//! byte count, the padding) over three compression functions. SHA-256's is the `sha2` crate's
//! that the handshake transcript already links; SHA-1's and MD5's are ours (`sha1`, `md5`), with
//! rolled loops because flash matters more than speed for them.
//!
//! The state is plain words and bytes (no drop, no pointer, 4-byte alignment), so the shim keeps
//! it inside the Python object and the engine never allocates for a hash.

use super::{md5, sha1};
use crate::result::UsslResult;

/// The hashes `hashlib` offers; numbered for the C API (`ussl_hash_kind`).
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UsslHashKind {
    Sha256 = 0,
    Sha1 = 1,
    Md5 = 2,
}

impl UsslHashKind {
    pub fn from_u32(n: u32) -> Option<Self> {
        match n {
            0 => Some(Self::Sha256),
            1 => Some(Self::Sha1),
            2 => Some(Self::Md5),
            _ => None,
        }
    }

    /// Bytes of the digest.
    pub fn digest_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha1 => 20,
            Self::Md5 => 16,
        }
    }

    fn initial(self) -> [u32; 8] {
        match self {
            Self::Sha256 => {
                [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
            }
            Self::Sha1 => [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0, 0, 0, 0],
            Self::Md5 => [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0, 0, 0, 0],
        }
    }
}

const BLOCK: usize = 64;

/// A hash in progress.
#[repr(C)]
pub struct Digest {
    words: [u32; 8],
    /// Bytes hashed so far, low and high halves (two words keep the alignment at 4).
    count: [u32; 2],
    block: [u8; BLOCK],
    /// Bytes waiting in `block`, always < 64.
    pending: u32,
    kind: UsslHashKind,
    /// Set by `finish`: MicroPython's hashlib gives one digest per object, then refuses both
    /// calls ("hash is final").
    finished: bool,
}

impl Digest {
    pub fn new(kind: UsslHashKind) -> Self {
        Self { words: kind.initial(), count: [0, 0], block: [0; BLOCK], pending: 0, kind, finished: false }
    }

    pub fn kind(&self) -> UsslHashKind {
        self.kind
    }

    fn compress(&mut self, block: &[u8; BLOCK]) {
        match self.kind {
            UsslHashKind::Sha256 => {
                let block = sha2::digest::generic_array::GenericArray::from_slice(block);
                sha2::compress256(&mut self.words, core::slice::from_ref(block));
            }
            UsslHashKind::Sha1 => sha1::compress(&mut self.words, block),
            UsslHashKind::Md5 => md5::compress(&mut self.words, block),
        }
    }

    pub fn update(&mut self, data: &[u8]) -> Result<(), UsslResult> {
        if self.finished {
            return Err(UsslResult::HashFinal);
        }
        self.absorb(data);
        Ok(())
    }

    fn absorb(&mut self, mut data: &[u8]) {
        let total = (u64::from(self.count[1]) << 32 | u64::from(self.count[0])).wrapping_add(data.len() as u64);
        self.count = [total as u32, (total >> 32) as u32];
        let mut pending = (self.pending as usize) % BLOCK;
        while !data.is_empty() {
            let take = core::cmp::min(BLOCK - pending, data.len());
            let (head, rest) = data.split_at(take);
            if let Some(dst) = self.block.get_mut(pending..pending + take) {
                dst.copy_from_slice(head);
            }
            pending += take;
            data = rest;
            if pending == BLOCK {
                let block = self.block;
                self.compress(&block);
                pending = 0;
            }
        }
        self.pending = pending as u32;
    }

    /// Writes the digest of what was hashed to `out` (at least `digest_len` bytes) and returns its
    /// length; after it, the hash refuses more (HashFinal).
    pub fn finish(&mut self, out: &mut [u8]) -> Result<usize, UsslResult> {
        if self.finished {
            return Err(UsslResult::HashFinal);
        }
        let len = self.kind.digest_len();
        let out = out.get_mut(..len).ok_or(UsslResult::OutputTooSmall)?;
        self.finished = true;
        let bits = (u64::from(self.count[1]) << 32 | u64::from(self.count[0])).wrapping_mul(8);
        let length = if self.kind == UsslHashKind::Md5 { bits.to_le_bytes() } else { bits.to_be_bytes() };
        let pad_len = if self.pending < 56 { 56 - self.pending } else { 120 - self.pending } as usize;
        let mut pad = [0u8; BLOCK];
        if let Some(first) = pad.first_mut() {
            *first = 0x80;
        }
        // The count is read above; what padding adds to it is never read.
        self.absorb(pad.get(..pad_len).unwrap_or(&[]));
        self.absorb(&length);
        for (word, chunk) in self.words.iter().zip(out.chunks_mut(4)) {
            let bytes = if self.kind == UsslHashKind::Md5 { word.to_le_bytes() } else { word.to_be_bytes() };
            chunk.copy_from_slice(bytes.get(..chunk.len()).unwrap_or(&[]));
        }
        Ok(len)
    }
}
