//! hashlib's and cryptolib's C contract (src/ffi/pycrypto.rs), as pyhashlib.c and pycryptolib.c
//! rely on it: states in caller memory at any word address (the engine aligns inside them),
//! NULL refused, in-place AES, nothing written on a refused call.
use core::ptr;

use ussl::ffi::*;
use ussl::pycrypto::digest::UsslHashKind;
use ussl::result::UsslResult;

const NULL_ARGUMENT: u32 = UsslResult::NullArgument as u32;

/// Word-aligned memory of `n` bytes at an offset of `shift` words into a larger buffer, as an
/// object's state follows its header.
fn state_buffer(n: usize, shift: usize, backing: &mut Vec<u64>) -> *mut u8 {
    *backing = vec![0u64; n / 8 + 4];
    // SAFETY: `shift` * 4 + n fits in the buffer made just above.
    unsafe { (backing.as_mut_ptr() as *mut u8).add(shift * 4) }
}

#[test]
fn hashes_at_any_word_address() {
    for shift in 0..4 {
        let mut backing = Vec::new();
        let state = state_buffer(ussl_hash_state_size(), shift, &mut backing);
        let mut out = [0u8; 32];
        let mut len = 0usize;
        // SAFETY: `state` has ussl_hash_state_size() bytes; the data and outputs are valid.
        unsafe {
            assert_eq!(ussl_hash_init(UsslHashKind::Sha1 as u32, state), 0);
            assert_eq!(ussl_hash_update(state, b"ab".as_ptr(), 2), 0);
            assert_eq!(ussl_hash_update(state, ptr::null(), 0), 0);
            assert_eq!(ussl_hash_update(state, b"c".as_ptr(), 1), 0);
            assert_eq!(ussl_hash_digest(state, out.as_mut_ptr(), out.len(), &mut len), 0);
        }
        assert_eq!(&out[..len], &hex("a9993e364706816aba3e25717850c26c9cd0d89d")[..]);
        // SAFETY: as above.
        unsafe {
            assert_eq!(ussl_hash_update(state, b"x".as_ptr(), 1), UsslResult::HashFinal as u32);
            len = 99;
            assert_eq!(ussl_hash_digest(state, out.as_mut_ptr(), out.len(), &mut len), UsslResult::HashFinal as u32);
        }
        assert_eq!(len, 99, "a refused call writes nothing");
    }
}

#[test]
fn null_and_unknown_are_refused() {
    let mut backing = Vec::new();
    let state = state_buffer(ussl_hash_state_size().max(ussl_aes_state_size()), 0, &mut backing);
    let mut len = 0usize;
    // SAFETY: every pointer is NULL or valid; NULL is what is being tested.
    unsafe {
        assert_eq!(ussl_hash_init(0, ptr::null_mut()), NULL_ARGUMENT);
        assert_eq!(ussl_hash_init(7, state), UsslResult::InvalidArgument as u32);
        assert_eq!(ussl_hash_update(ptr::null_mut(), ptr::null(), 0), NULL_ARGUMENT);
        assert_eq!(ussl_hash_init(0, state), 0);
        assert_eq!(ussl_hash_update(state, ptr::null(), 3), NULL_ARGUMENT);
        assert_eq!(ussl_hash_digest(state, ptr::null_mut(), 32, &mut len), NULL_ARGUMENT);
        let mut small = [0u8; 31];
        assert_eq!(ussl_hash_digest(state, small.as_mut_ptr(), 31, &mut len), UsslResult::OutputTooSmall as u32);
        assert_eq!(ussl_aes_init(ptr::null_mut(), [0u8; 16].as_ptr(), 16, 1, ptr::null(), 0), NULL_ARGUMENT);
        assert_eq!(ussl_aes_init(state, ptr::null(), 16, 1, ptr::null(), 0), NULL_ARGUMENT);
        assert_eq!(ussl_aes_init(state, [0u8; 16].as_ptr(), 16, 2, ptr::null(), 0), UsslResult::CipherIv as u32);
        assert_eq!(ussl_aes_init(state, [0u8; 16].as_ptr(), 16, 1, ptr::null(), 0), 0);
        assert_eq!(ussl_aes_crypt(state, true, ptr::null(), 16, [0u8; 16].as_mut_ptr(), 16), NULL_ARGUMENT);
        assert_eq!(ussl_aes_crypt(ptr::null_mut(), true, ptr::null(), 0, ptr::null_mut(), 0), NULL_ARGUMENT);
    }
}

/// cryptolib's `encrypt(buf, buf)`: the same memory in and out, and the result as from two
/// buffers (SP 800-38A F.2.1, CBC-AES128).
#[test]
fn aes_in_place() {
    let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
    let iv = hex("000102030405060708090a0b0c0d0e0f");
    let buf = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
    for shift in 0..4 {
        let mut backing = Vec::new();
        let state = state_buffer(ussl_aes_state_size(), shift, &mut backing);
        let mut data = buf.clone();
        // SAFETY: `state` has ussl_aes_state_size() bytes; `data` is both input and output.
        unsafe {
            assert_eq!(ussl_aes_init(state, key.as_ptr(), 16, UsslAesMode::Cbc as u32, iv.as_ptr(), 16), 0);
            let p = data.as_mut_ptr();
            assert_eq!(ussl_aes_crypt(state, true, p, 32, p, 32), 0);
            // A refused call leaves the output as it was.
            let before = data.clone();
            assert_eq!(ussl_aes_crypt(state, false, p, 32, p, 32), UsslResult::CipherDirection as u32);
            assert_eq!(data, before);
        }
        assert_eq!(data, hex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"));
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    // ok-panic: test
}
