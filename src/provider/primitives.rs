//! The public-key primitives one at a time, on bytes: `ussl._primitive(op, data, out)` in
//! MicroPython, for the known-answer and constant-time tests that run inside the firmware images
//! in the emulator (tests_fw/test_primitives.py), where the emulator's cycle count of each call is
//! exact. They run the very functions the handshakes use, and allocate nothing (but the RSA
//! operation), so that a call's cycles are the primitive's alone and not the heap's. Inputs are
//! big-endian, laid end to end:
//!
//! | op | data | result |
//! |---|---|---|
//! | 1 P-256 public key | d (32) | SEC1 uncompressed point (65) |
//! | 2 P-256 ECDH | d (32), peer point (65) | x (32) |
//! | 3 P-256 ECDSA sign | d (32), nonce k (32), hash z (32) | r, s (64) |
//! | 4 P-256 ECDSA verify | point (65), z (32), r (32), s (32) | 1 or 0 (1) |
//! | 5 X25519 | scalar (32), u (32) (both little-endian, RFC 7748) | (32) |
//! | 6 RSA public operation | k (2 bytes), n (k bytes), s (k bytes), e (the rest) | s^e mod n (k) |
//! | 7 ECDSA P-384 verify | point (97), hash (48), DER signature (the rest) | 1 or 0 (1) |
//!
//! P-256 and X25519 are there on ussl-arith builds (ARMv6-M), and only those the build's engine
//! itself uses (the lean engine has no signing and no X25519: the hook would link them for nothing);
//! otherwise, and for input of the wrong shape, an op answers None.

#[cfg(ussl_arith)]
fn split<const N: usize>(data: &[u8]) -> Option<([u8; N], &[u8])> {
    let (head, rest) = data.split_at_checked(N)?;
    Some((head.try_into().ok()?, rest))
}

/// Copies `result` to the start of `out`; its length, or None when it does not fit.
fn put(out: &mut [u8], result: &[u8]) -> Option<usize> {
    out.get_mut(..result.len())?.copy_from_slice(result);
    Some(result.len())
}

/// Runs primitive `op` on `data`, writing its result to `out`; the result's length, or None for
/// an unknown op, input of the wrong shape, a primitive that refused it (a scalar out of range,
/// a point off the curve) or a result longer than `out`.
pub fn run(op: u32, data: &[u8], out: &mut [u8]) -> Option<usize> {
    match op {
        #[cfg(ussl_arith)]
        1..=5 => arith(op, data, out),
        #[cfg(feature = "rsa")]
        6 => {
            let (k, rest) = data.split_at_checked(2)?;
            let k = usize::from(u16::from_be_bytes(k.try_into().ok()?));
            let (n, rest) = rest.split_at_checked(k)?;
            let (s, e) = rest.split_at_checked(k)?;
            put(out, &super::public_bignum::mod_pow(s, e, n)?)
        }
        #[cfg(feature = "p384")]
        7 => {
            let (point, rest) = data.split_at_checked(97)?;
            let (hash, sig) = rest.split_at_checked(48)?;
            put(out, &[u8::from(super::p384::verify_prehash(point, hash, sig))])
        }
        _ => None,
    }
}

#[cfg(ussl_arith)]
fn arith(op: u32, data: &[u8], out: &mut [u8]) -> Option<usize> {
    use ussl_arith::p256;
    match op {
        1 => put(out, &p256::public_key(&data.try_into().ok()?)?),
        2 => {
            let (d, peer) = split::<32>(data)?;
            put(out, &p256::ecdh(&d, peer)?)
        }
        #[cfg(feature = "engine-rustls")]
        3 => {
            let (d, rest) = split::<32>(data)?;
            let (k, z) = split::<32>(rest)?;
            let (r, s) = p256::sign(&d, &k, &z.try_into().ok()?)?;
            put(out, &r)?;
            put(out.get_mut(32..)?, &s)?;
            Some(64)
        }
        4 => {
            let (point, rest) = split::<65>(data)?;
            let (z, rest) = split::<32>(rest)?;
            let (r, s) = split::<32>(rest)?;
            put(out, &[u8::from(p256::verify(&point, &z, &r, &s.try_into().ok()?))])
        }
        #[cfg(feature = "x25519")]
        5 => {
            let (k, u) = split::<32>(data)?;
            put(out, &ussl_arith::x25519::x25519(&k, &u.try_into().ok()?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(op: u32, data: &[u8]) -> Option<alloc::vec::Vec<u8>> {
        let mut out = [0u8; 1024];
        run(op, data, &mut out).map(|n| out[..n].to_vec())
    }

    #[test]
    fn wrong_shapes_are_refused() {
        for op in 0..9 {
            assert_eq!(call(op, &[]), None, "op {op}");
            assert_eq!(call(op, &[1, 2, 3]), None, "op {op}");
        }
    }

    #[cfg(feature = "rsa")]
    #[test]
    fn rsa_public_operation() {
        // 4^13 mod 497 = 445 (n = 0x01f1, s = 0x0004, e = 13).
        assert_eq!(call(6, &[0, 2, 0x01, 0xf1, 0x00, 0x04, 13]), Some(alloc::vec![0x01, 0xbd]));
        assert_eq!(run(6, &[0, 2, 0x01, 0xf1, 0x00, 0x04, 13], &mut [0u8; 1]), None, "too long for out");
        assert_eq!(call(6, &[0, 3, 0x01, 0xf1, 0x00, 0x04, 13]), None);
    }

    #[cfg(all(ussl_arith, feature = "x25519"))]
    #[test]
    fn p256_and_x25519_answer() {
        let mut d = [0u8; 32];
        d[31] = 1;
        let g = call(1, &d).unwrap();
        assert_eq!(g.len(), 65);
        assert_eq!(call(2, &[&d[..], &g[..]].concat()).unwrap(), g[1..33].to_vec());
        let z = [5u8; 32];
        let mut k = [0u8; 32];
        k[31] = 7;
        let rs = call(3, &[&d[..], &k[..], &z[..]].concat()).unwrap();
        assert_eq!(call(4, &[&g[..], &z[..], &rs[..]].concat()), Some(alloc::vec![1]));
        let mut u = [0u8; 32];
        u[0] = 9;
        assert_eq!(call(5, &[&[3u8; 32][..], &u[..]].concat()).unwrap().len(), 32);
    }
}
