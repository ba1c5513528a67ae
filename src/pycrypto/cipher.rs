//! AES for `cryptolib.aes`: ECB, CBC and CTR with 128- and 256-bit keys, over the `aes` crate
//! that AES-GCM already links (fixsliced software AES on boards: no tables, constant time).
//! MicroPython's own module's rules, kept here so the shim is glue: a 16- or 32-byte key, a
//! 16-byte IV for CBC and CTR, ECB and CBC in whole blocks, one direction per object (the first
//! call decides), and CTR's keystream carried across calls with a 128-bit big-endian counter
//! (as mbedTLS's `mbedtls_aes_crypt_ctr`).
//!
//! Like a hash, the state lives in the Python object and nothing here allocates.

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use core::mem::ManuallyDrop;

use crate::result::UsslResult;

const BLOCK: usize = 16;

/// The block modes, numbered as MicroPython's (PEP 272's) `MODE_*`.
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UsslAesMode {
    Ecb = 1,
    Cbc = 2,
    Ctr = 6,
}

impl UsslAesMode {
    pub fn from_u32(n: u32) -> Option<Self> {
        match n {
            1 => Some(Self::Ecb),
            2 => Some(Self::Cbc),
            6 => Some(Self::Ctr),
            _ => None,
        }
    }
}

// `aes`'s key types implement Drop (it zeroizes only with a feature we leave off); the shim's
// memory is freed by the garbage collector without running it, so they are held undroppable.
// Not boxed though the variants differ in size (on a board the fixsliced schedules are 352 and
// 480 bytes): a box would be an allocation per object, and the object holds the largest anyway.
#[allow(clippy::large_enum_variant)]
enum Key {
    Aes128(ManuallyDrop<aes::Aes128>),
    Aes256(ManuallyDrop<aes::Aes256>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Unset,
    Encrypt,
    Decrypt,
}

/// An AES object's state.
pub struct Aes {
    key: Key,
    mode: UsslAesMode,
    direction: Direction,
    /// CBC: the chaining value; CTR: the next counter block.
    iv: [u8; BLOCK],
    /// CTR: the current keystream block, of which `used` bytes are spent (16: none left).
    keystream: [u8; BLOCK],
    used: u8,
}

const _: () = assert!(!core::mem::needs_drop::<Aes>());

impl Aes {
    /// `mode` as MicroPython numbers it; `iv` None when the caller passed none.
    pub fn new(key: &[u8], mode: u32, iv: Option<&[u8]>) -> Result<Self, UsslResult> {
        let mode = UsslAesMode::from_u32(mode).ok_or(UsslResult::CipherMode)?;
        // MicroPython's order of checks: mode, key, IV.
        let key = match key.len() {
            16 => Key::Aes128(ManuallyDrop::new(aes::Aes128::new_from_slice(key).map_err(|_| UsslResult::CipherKey)?)),
            32 => Key::Aes256(ManuallyDrop::new(aes::Aes256::new_from_slice(key).map_err(|_| UsslResult::CipherKey)?)),
            _ => return Err(UsslResult::CipherKey),
        };
        let iv = match iv {
            Some(iv) => <[u8; BLOCK]>::try_from(iv).map_err(|_| UsslResult::CipherIv)?,
            None if mode == UsslAesMode::Ecb => [0; BLOCK],
            None => return Err(UsslResult::CipherIv),
        };
        Ok(Self { key, mode, direction: Direction::Unset, iv, keystream: [0; BLOCK], used: BLOCK as u8 })
    }

    fn encrypt_block(&self, block: &mut [u8; BLOCK]) {
        let block = aes::Block::from_mut_slice(block);
        match &self.key {
            Key::Aes128(k) => k.encrypt_block(block),
            Key::Aes256(k) => k.encrypt_block(block),
        }
    }

    fn decrypt_block(&self, block: &mut [u8; BLOCK]) {
        let block = aes::Block::from_mut_slice(block);
        match &self.key {
            Key::Aes128(k) => k.decrypt_block(block),
            Key::Aes256(k) => k.decrypt_block(block),
        }
    }

    /// Checks a call before any byte moves: `len` bytes in, room for `out_cap` out, in the
    /// direction `encrypt` (the first call fixes it). MicroPython's order of checks.
    pub fn begin(&mut self, encrypt: bool, len: usize, out_cap: usize) -> Result<(), UsslResult> {
        if self.mode != UsslAesMode::Ctr && len % BLOCK != 0 {
            return Err(UsslResult::CipherBlockSize);
        }
        if out_cap < len {
            return Err(UsslResult::OutputTooSmall);
        }
        let wanted = if encrypt { Direction::Encrypt } else { Direction::Decrypt };
        match self.direction {
            Direction::Unset => self.direction = wanted,
            d if d != wanted => return Err(UsslResult::CipherDirection),
            _ => {}
        }
        Ok(())
    }

    /// Encrypts or decrypts `chunk` in place, after `begin`: at most one block, and a whole one
    /// in ECB and CBC (the caller walks its buffer in 16-byte pieces, so its input and output
    /// may be the same memory).
    pub fn apply(&mut self, chunk: &mut [u8]) {
        if self.mode == UsslAesMode::Ctr {
            self.ctr(chunk);
            return;
        }
        let Ok(block) = <&mut [u8; BLOCK]>::try_from(chunk) else { return };
        let cbc = self.mode == UsslAesMode::Cbc;
        if self.direction == Direction::Encrypt {
            if cbc {
                xor(block, &self.iv);
            }
            self.encrypt_block(block);
            if cbc {
                self.iv = *block;
            }
        } else {
            let ciphertext = *block;
            self.decrypt_block(block);
            if cbc {
                xor(block, &self.iv);
                self.iv = ciphertext;
            }
        }
    }

    /// `begin`, then `apply` over `input` into `output`: for callers that hold two slices.
    pub fn crypt(&mut self, encrypt: bool, input: &[u8], output: &mut [u8]) -> Result<(), UsslResult> {
        self.begin(encrypt, input.len(), output.len())?;
        let output = output.get_mut(..input.len()).ok_or(UsslResult::OutputTooSmall)?;
        for (inb, outb) in input.chunks(BLOCK).zip(output.chunks_mut(BLOCK)) {
            outb.copy_from_slice(inb);
            self.apply(outb);
        }
        Ok(())
    }

    fn ctr(&mut self, chunk: &mut [u8]) {
        for byte in chunk {
            if usize::from(self.used) >= BLOCK {
                let mut block = self.iv;
                self.encrypt_block(&mut block);
                self.keystream = block;
                self.used = 0;
                // The counter block is one 128-bit big-endian number (mbedTLS's rule).
                for c in self.iv.iter_mut().rev() {
                    *c = c.wrapping_add(1);
                    if *c != 0 {
                        break;
                    }
                }
            }
            *byte ^= self.keystream.get(usize::from(self.used)).copied().unwrap_or(0);
            self.used += 1;
        }
    }
}

fn xor(block: &mut [u8; BLOCK], with: &[u8; BLOCK]) {
    for (b, w) in block.iter_mut().zip(with) {
        *b ^= w;
    }
}
