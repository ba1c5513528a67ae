//! Known answers for hashlib's and cryptolib's primitives: FIPS 180-4's SHA-1 and SHA-256
//! examples, RFC 1321's MD5 suite, FIPS 197's AES examples and SP 800-38A's ECB, CBC and CTR
//! vectors; the padding edges against digests CPython's hashlib printed; MicroPython's rules.

use super::cipher::Aes;
use super::digest::{Digest, UsslHashKind};
use crate::result::UsslResult;
use alloc::vec;
use alloc::vec::Vec;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn hash(kind: UsslHashKind, pieces: &[&[u8]]) -> Vec<u8> {
    let mut d = Digest::new(kind);
    for p in pieces {
        d.update(p).unwrap();
    }
    let mut out = [0u8; 32];
    let n = d.finish(&mut out).unwrap();
    out[..n].to_vec()
}

const SHA1: &[(&str, &str)] = &[
    ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
];
const SHA256: &[(&str, &str)] = &[
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ),
];
const MD5: &[(&str, &str)] = &[
    ("", "d41d8cd98f00b204e9800998ecf8427e"),
    ("a", "0cc175b9c0f1b6a831c399e269772661"),
    ("abc", "900150983cd24fb0d6963f7d28e17f72"),
    ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
    ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
    ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
    (
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
        "57edf4a22be3c955ac49da2e2107b67a",
    ),
];

#[test]
fn standard_examples() {
    for (kind, table) in [(UsslHashKind::Sha1, SHA1), (UsslHashKind::Sha256, SHA256), (UsslHashKind::Md5, MD5)] {
        for (msg, want) in table {
            assert_eq!(hash(kind, &[msg.as_bytes()]), unhex(want), "{kind:?} {msg:?}");
        }
    }
}

#[test]
fn a_million_a() {
    let chunk = [b'a'; 1000];
    let pieces: Vec<&[u8]> = (0..1000).map(|_| &chunk[..]).collect();
    assert_eq!(hash(UsslHashKind::Sha1, &pieces), unhex("34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
    assert_eq!(
        hash(UsslHashKind::Sha256, &pieces),
        unhex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    );
    assert_eq!(hash(UsslHashKind::Md5, &pieces), unhex("7707d6ae4e027c70eea2a935c2296f21"));
}

/// Lengths around the padding's edges (one length block fits or not), bytes i % 251; the
/// digests were printed by CPython's hashlib.
#[test]
fn padding_edges() {
    const EDGES: &[(usize, &str, &str)] = &[
        (55, "8ae2d46729cfe68ff927af5eec9c7d1b66d65ac2", "6912ee65fff2d9f9ce2508cddf8bcda0"),
        (56, "636e2ec698dac903498e648bd2f3af641d3c88cb", "51fdd1acda72405dfdfa03fcb85896d7"),
        (63, "6d942da0c4392b123528f2905c713a3ce28364bd", "48a6295221902e8e0938f773a7185e72"),
        (64, "c6138d514ffa2135bfce0ed0b8fac65669917ec7", "b2d3f56bc197fd985d5965079b5e7148"),
        (65, "69bd728ad6e13cd76ff19751fde427b00e395746", "8bd7053801c768420faf816fadba971c"),
        (119, "41c89d06001bab4ab78736b44efe7ce18ce6ae08", "1c772251899a7ff007400b888d6b2042"),
        (120, "d3dbd653bd8597b7475321b60a36891278e6a04a", "b7ba1efc6022e9ed272f00b8831e26e6"),
        (128, "e6434bc401f98603d7eda504790c98c67385d535", "37eff01866ba3f538421b30b7cbefcac"),
    ];
    for &(n, sha1, md5) in EDGES {
        let msg: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
        // Whole, and cut at every place: the framing must not care.
        for cut in 0..=n {
            let pieces = [&msg[..cut], &msg[cut..]];
            assert_eq!(hash(UsslHashKind::Sha1, &pieces), unhex(sha1), "sha1 {n} cut {cut}");
            assert_eq!(hash(UsslHashKind::Md5, &pieces), unhex(md5), "md5 {n} cut {cut}");
        }
    }
    // SHA-256 against the sha2 crate's own framing, every length to three blocks.
    use sha2::Digest as _;
    let msg: Vec<u8> = (0..200).map(|i| (i * 7) as u8).collect();
    for n in 0..msg.len() {
        assert_eq!(
            hash(UsslHashKind::Sha256, &[&msg[..n / 3], &msg[n / 3..n]]),
            sha2::Sha256::digest(&msg[..n]).to_vec()
        );
    }
}

/// RFC 1321's table is floor(|sin(i + 1)| * 2^32): recomputed, so a typo cannot hide in it.
#[test]
fn md5_table_is_the_sines() {
    for i in 0..64u32 {
        let want = (f64::from(i + 1).sin().abs() * 4_294_967_296.0) as u32;
        assert_eq!(super::md5::sine(i as usize), want, "entry {i}");
    }
}

#[test]
fn one_digest_per_object() {
    let mut d = Digest::new(UsslHashKind::Sha256);
    d.update(b"123").unwrap();
    let mut out = [0u8; 32];
    assert_eq!(d.finish(&mut out[..31]), Err(UsslResult::OutputTooSmall));
    d.finish(&mut out).unwrap();
    assert_eq!(d.finish(&mut out), Err(UsslResult::HashFinal));
    assert_eq!(d.update(b"4"), Err(UsslResult::HashFinal));
}

const SP800_38A_PLAIN: &str = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51\
30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
const KEY128: &str = "2b7e151628aed2a6abf7158809cf4f3c";
const KEY256: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
const IV: &str = "000102030405060708090a0b0c0d0e0f";

/// SP 800-38A F.1.1, F.2.1, F.2.5, F.5.1: (key, mode, IV, ciphertext).
const SP800_38A: &[(&str, u32, Option<&str>, &str)] = &[
    (KEY128, 1, None, "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4"),
    (KEY128, 2, Some(IV), "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"),
    (KEY256, 2, Some(IV), "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"),
    (KEY128, 6, Some("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"),
];

fn run(key: &str, mode: u32, iv: Option<&str>, encrypt: bool, input: &[u8], cuts: &[usize]) -> Vec<u8> {
    let iv = iv.map(unhex);
    let mut aes = Aes::new(&unhex(key), mode, iv.as_deref()).unwrap();
    let mut out = vec![0u8; input.len()];
    let mut at = 0;
    for &cut in cuts.iter().chain([input.len()].iter()) {
        aes.crypt(encrypt, &input[at..cut], &mut out[at..cut]).unwrap();
        at = cut;
    }
    out
}

#[test]
fn sp800_38a() {
    let plain = unhex(SP800_38A_PLAIN);
    for &(key, mode, iv, cipher) in SP800_38A {
        let cipher = unhex(cipher);
        // Whole, and in calls cut at block edges (CTR: anywhere, the keystream carries over).
        let cuts: &[usize] = if mode == 6 { &[1, 15, 17, 33, 47] } else { &[16, 48] };
        assert_eq!(run(key, mode, iv, true, &plain, &[]), cipher, "mode {mode} encrypt");
        assert_eq!(run(key, mode, iv, true, &plain, cuts), cipher, "mode {mode} encrypt in pieces");
        assert_eq!(run(key, mode, iv, false, &cipher, cuts), plain, "mode {mode} decrypt in pieces");
    }
}

#[test]
fn fips197_examples() {
    let plain = unhex("00112233445566778899aabbccddeeff");
    let key256: Vec<u8> = (0..32).collect();
    for (key, want) in
        [(&key256[..16], "69c4e0d86a7b0430d8cdb78070b4c55a"), (&key256[..], "8ea2b7ca516745bfeafc49904b496089")]
    {
        let mut aes = Aes::new(key, 1, None).unwrap();
        let mut out = [0u8; 16];
        aes.crypt(true, &plain, &mut out).unwrap();
        assert_eq!(out.to_vec(), unhex(want));
        let mut aes = Aes::new(key, 1, None).unwrap();
        let mut back = [0u8; 16];
        aes.crypt(false, &out, &mut back).unwrap();
        assert_eq!(back.to_vec(), plain);
    }
}

/// The counter is one 128-bit number: its low 64 bits carry into the high ones (mbedTLS's and
/// OpenSSL's rule; printed by CPython's `cryptography`).
#[test]
fn ctr_counter_carries() {
    let out = run(KEY128, 6, Some("0000000000000000ffffffffffffffff"), true, &[0u8; 48], &[]);
    assert_eq!(
        out,
        unhex("ef8737b783c4fa88e687ee9467073f6edc0a3bc38609c26f6f2a63a39cf7ee93c5eb9614bd235873ff3771254315047c")
    );
}

#[test]
fn micropython_rules() {
    let key = unhex(KEY128);
    let iv = unhex(IV);
    assert!(matches!(Aes::new(&key, 3, None), Err(UsslResult::CipherMode)));
    assert!(matches!(Aes::new(&key[..15], 1, None), Err(UsslResult::CipherKey)));
    assert!(matches!(Aes::new(&unhex(&[KEY128, "0011223344556677"].concat()), 1, None), Err(UsslResult::CipherKey)));
    assert!(matches!(Aes::new(&key, 2, None), Err(UsslResult::CipherIv)));
    assert!(matches!(Aes::new(&key, 6, None), Err(UsslResult::CipherIv)));
    assert!(matches!(Aes::new(&key, 2, Some(&iv[..15])), Err(UsslResult::CipherIv)));
    // ECB takes an IV and ignores it, as MicroPython's module does.
    assert!(Aes::new(&key, 1, Some(&iv)).is_ok());

    let mut ecb = Aes::new(&key, 1, None).unwrap();
    let mut out = [0u8; 32];
    assert_eq!(ecb.crypt(true, &[0; 15], &mut out), Err(UsslResult::CipherBlockSize));
    assert_eq!(ecb.crypt(true, &[0; 32], &mut out[..16]), Err(UsslResult::OutputTooSmall));
    ecb.crypt(true, &[0; 16], &mut out).unwrap();
    assert_eq!(ecb.crypt(false, &[0; 16], &mut out), Err(UsslResult::CipherDirection));
    // CTR takes any length, and keeps to one direction too.
    let mut ctr = Aes::new(&key, 6, Some(&iv)).unwrap();
    ctr.crypt(false, &[0; 5], &mut out).unwrap();
    assert_eq!(ctr.crypt(true, &[0; 5], &mut out), Err(UsslResult::CipherDirection));
}
