//! ussl-arith (the engine's ARMv6-M arithmetic): the kernels against the portable Rust on
//! random inputs, the primitives' known answers, and their cycles.
use crate::{check, data, each, hex, hex32};
use alloc::vec::Vec;
use ussl_arith::{ct, mul, p256 as ours, x25519};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as u32
    }
    fn words(&mut self) -> [u32; 8] {
        core::array::from_fn(|_| self.next())
    }
}

pub fn run(secrets: &[p256::SecretKey], digest: &[u8]) {
    // Profiling one primitive (run.mjs's PROFILE): only it.
    let keys: Vec<[u8; 32]> = secrets.iter().map(|s| s.to_bytes().into()).collect();
    if crate::selected("keygenonly") {
        each("ours p256 keygen", &keys[..2], |k| ours::public_key(k));
        return;
    }
    if crate::selected("verifyonly") {
        let z: [u8; 32] = digest.try_into().unwrap();
        let s = hex(data::P256_SIGS[0]);
        let (r, s): ([u8; 32], [u8; 32]) = (s[..32].try_into().unwrap(), s[32..].try_into().unwrap());
        let p = hex(data::P256_PUBLICS[0]);
        each("ours p256 verify", &[0], |_| ours::verify(&p, &z, &r, &s));
        return;
    }
    if crate::selected("ctx25519") {
        let mut rng = Rng(12345);
        let u = hex32(data::X25519_U[0]);
        let ks: Vec<[u8; 32]> = (0..24).map(|_| ct::to_le_bytes(&rng.words())).collect();
        each("ours x25519", &ks, |k| x25519::x25519(k, &u));
        return;
    }
    if crate::selected("x25519only") {
        let u = hex32(data::X25519_U[0]);
        each("ours x25519", &keys[..1], |k| x25519::x25519(k, &u));
        return;
    }
    // The assembly kernels against the portable product, on random and extreme inputs.
    let mut rng = Rng(99);
    let mut ok = true;
    for n in 0..300 {
        let (a, b) = if n == 0 { ([u32::MAX; 8], [u32::MAX; 8]) } else { (rng.words(), rng.words()) };
        ok &= mul::mul256(&a, &b) == mul::mul256_portable(&a, &b);
        ok &= mul::sqr256(&a) == mul::mul256_portable(&a, &a);
    }
    check("mul256/sqr256 kernels", ok);
    // The P-256 and 2^255-19 field kernels against the portable Rust, random and edge values.
    let p = ours::field::P;
    let edges: [[u32; 8]; 5] = [
        [0; 8],
        [1, 0, 0, 0, 0, 0, 0, 0],
        ct::sub(&p, &[1, 0, 0, 0, 0, 0, 0, 0]).0,
        ct::sub(&p, &[2, 0, 0, 0, 0, 0, 0, 0]).0,
        [0, 0, 0, 0, 0, 0, 0, 0x8000_0000],
    ];
    let mut ok = true;
    for n in 0..400 {
        let below = |w: [u32; 8]| if ct::less_vartime(&w, &p) { w } else { ct::sub(&w, &p).0 };
        let a = if n < 25 { edges[n % 5] } else { below(rng.words()) };
        let b = if n < 25 { edges[n / 5] } else { below(rng.words()) };
        let (fa, fb) = (ours::field::Fe(a), ours::field::Fe(b));
        ok &= fa.mul(&fb) == fa.mul_portable(&fb);
        ok &= fa.square() == fa.mul_portable(&fa);
        ok &= fa.add(&fb) == fa.add_portable(&fb);
        ok &= fa.sub(&fb) == fa.sub_portable(&fb);
        let (ga, gb) = if n < 25 { (a, b) } else { (rng.words(), rng.words()) };
        let canon = |x: [u32; 8]| x25519::canonical_for_tests(&x);
        ok &= canon(x25519::add(&ga, &gb)) == canon(x25519::add_portable(&ga, &gb));
        ok &= canon(x25519::sub(&ga, &gb)) == canon(x25519::sub_portable(&ga, &gb));
    }
    check("p256/gf25519 field kernels", ok);
    let count = if crate::selected("ctfield") { 24 } else { 4 };
    let xs: Vec<[u32; 8]> = (0..count).map(|_| rng.words()).collect();
    let pairs: Vec<([u32; 8], [u32; 8])> = (0..count).map(|i| (xs[i], xs[(i + 1) % count])).collect();
    each("nothing", &pairs, |(a, _)| a[0]);
    each("mul256 (asm)", &pairs, |(a, b)| mul::mul256(a, b));
    each("sqr256 (asm)", &xs, |a| mul::sqr256(a));
    let fes: Vec<ours::field::Fe> =
        xs.iter().map(|x| ours::field::Fe::from_words(&ct::sub(x, &[0, 0, 0, 0, 0, 0, 0, 0x1000]).0)).collect();
    let fpairs: Vec<(ours::field::Fe, ours::field::Fe)> = (0..count).map(|i| (fes[i], fes[(i + 1) % count])).collect();
    each("ours fe_mul", &fpairs, |(a, b)| a.mul(b));
    each("ours fe_square", &fes, |a| a.square());
    each("ours fe_add", &fpairs, |(a, b)| a.add(b));
    each("ours fe_sub", &fpairs, |(a, b)| a.sub(b));
    if count > 4 {
        let scs: Vec<ours::scalar::Sc> = xs.iter().map(ours::scalar::Sc::from_words_reduced).collect();
        each("ours scalar_mul", &scs, |a| a.mul(&scs[0]));
        let pts: Vec<ours::point::Jac> = fes.iter().map(|f| ours::point::Jac { x: *f, y: fes[0], z: *f }).collect();
        each("ours jac double", &pts, |a| a.double());
        each("ours jac add", &pts, |a| a.add(&pts[0]));
        return;
    }
    each("ours fe_invert", &fes, |a| a.invert());
    let scs: Vec<ours::scalar::Sc> = xs.iter().map(ours::scalar::Sc::from_words_reduced).collect();
    each("ours scalar_mul", &[(scs[0], scs[1]), (scs[2], scs[3])], |(a, b)| a.mul(b));
    each("ours scalar_invert", &scs, |a| a.invert());
    each("ours scalar_inv_vartime", &scs, |a| ours::scalar::invert_vartime(&a.to_words()));

    // P-256: keygen, ECDH, sign, verify, with the same keys as the p256 crate's rows.
    each("ours p256 keygen", &keys, |k| ours::public_key(k));
    for (k, want) in keys.iter().zip(data::P256_PUBLICS) {
        check("ours p256 keygen", ours::public_key(k).map(|p| p.to_vec()) == Some(hex(want)));
    }
    let peer = hex(data::P256_PEER[0]);
    each("ours p256 ecdh", &keys, |k| ours::ecdh(k, &peer));
    for (k, want) in keys.iter().zip(data::P256_SHARED) {
        check("ours p256 ecdh", ours::ecdh(k, &peer).map(|s| s.to_vec()) == Some(hex(want)));
    }
    let z: [u8; 32] = digest.try_into().unwrap();
    let nonces: Vec<([u8; 32], [u8; 32])> = keys.iter().map(|k| (*k, ct::to_be_bytes(&rng.words()))).collect();
    each("ours p256 sign", &nonces, |(d, k)| ours::sign(d, k, &z));
    let rfc_d = hex32("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    let rfc_k = hex32("a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60");
    let rfc_z = hex32("af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf");
    let rfc_rs = ours::sign(&rfc_d, &rfc_k, &rfc_z).map(|(r, s)| [r, s].concat());
    check("ours sign rfc6979", rfc_rs == Some(hex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")));
    let sigs: Vec<(Vec<u8>, [u8; 32], [u8; 32])> = data::P256_PUBLICS
        .iter()
        .zip(data::P256_SIGS)
        .map(|(p, s)| {
            let s = hex(s);
            (hex(p), s[..32].try_into().unwrap(), s[32..].try_into().unwrap())
        })
        .collect();
    each("ours p256 verify", &sigs, |(p, r, s)| ours::verify(p, &z, r, s));
    for (p, r, s) in &sigs {
        check("ours p256 verify", ours::verify(p, &z, r, s));
        let mut z2 = z;
        z2[0] ^= 1;
        check("ours p256 verify refuses", !ours::verify(p, &z2, r, s));
    }

    // X25519.
    let u = hex32(data::X25519_U[0]);
    let ks: Vec<[u8; 32]> = data::X25519_SCALARS.iter().map(|s| hex32(s)).collect();
    each("ours x25519", &ks, |k| x25519::x25519(k, &u));
    for (k, want) in ks.iter().zip(data::X25519_SHARED) {
        check("ours x25519", x25519::x25519(k, &u).to_vec() == hex(want));
    }
}
