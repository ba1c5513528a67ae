"""The engine's public-key primitives inside the shipping RPI_PICO_W image, in the RP2040 emulator
(issue 25): known answers against CPython's `cryptography`, and constant time. The emulator's
cycle count is exact and the same on every run, so a primitive that handles a secret (P-256
keys, ECDH and ECDSA signing with their nonces, X25519) must take the same number of cycles
whatever the secret; verification, which handles public data only, must not (that is how we
know the meter sees data-dependent timing where there is some).

The script runs in the image booted by the shared fixture (conftest.boot_pico, the RP2040 harness
tests_fw/rp2040/), which serves the emulator's cycle count at rp2040.CYCLE_COUNTER. Primitives are
reached through ussl._primitive (src/provider/primitives.rs), which calls the handshake's own code."""
import hashlib
import os
import secrets
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils, x25519

from conftest import PICO_IMAGES, boot_pico
from helpers.strict import need_file, need_tool
from rp2040 import CYCLE_COUNTER

IMAGE = PICO_IMAGES["full"]
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
UNCOMPRESSED = (serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)

# Nothing is printed between the two reads of the counter, and the constant-time cases run twice
# with the second count kept: the first pass warms MicroPython's own caches up (its first lookup
# of a name costs more than the next), which would otherwise show up as a difference. The call
# takes its engine workspace from the GC heap, and finding the blocks costs cycles by where the
# heap's free space lies: so each call starts on the same heap, everything kept between calls
# (counts, results) allocated before the first one and written in place, and what a call leaves
# behind freed by the collection before the next.
SCRIPT = r"""
import array, binascii, gc, machine, ussl
def run(cases, counter):
    # Locals only inside the measured window: no global or attribute lookup, whose cost
    # depends on MicroPython's lookup caches.
    mem, prim, collect = machine.mem32, ussl._primitive, gc.collect
    out = bytearray(1024)
    counts = array.array("I", [0] * len(cases))
    lengths = array.array("i", [0] * len(cases))
    results = [bytearray(KEPT) for _ in cases]
    for rep in range(2):
        for i in range(len(cases)):
            name, op, data, timed = cases[i]
            if rep == 0 and not timed:
                continue
            collect()
            t = mem[counter]
            try:
                n = prim(op, data, out)
            except ValueError:
                n = -1
            counts[i] = (mem[counter] - t) & 0xffffffff
            if rep == 1 and 0 <= n <= KEPT:
                results[i][:n] = out[:n]
            lengths[i] = n
    return counts, lengths, results
KEPT = 256
counts, lengths, results = run(CASES, %d)
for i in range(len(CASES)):
    n = lengths[i]
    kept = results[i][:n] if 0 <= n <= KEPT else (b"refused" if n < 0 else b"too long")
    print(CASES[i][0], counts[i], binascii.hexlify(kept).decode())
"""


def measure(board, cases):
    """Runs the cases, (name, op, input, timed), on a booted image (bench/rp2040_bench.py's too);
    returns [(name, cycles, output bytes)] in order."""
    out = board.exec(f"CASES = {cases!r}\n" + SCRIPT % CYCLE_COUNTER, timeout=1800)
    rows = []
    for line in out.splitlines():
        name, n, result = line.split()
        rows.append((name, int(n), bytes.fromhex(result)))
    assert len(rows) == len(cases), out
    return rows


def run_in_image(cases):
    board = boot_pico("full", clock=False)
    try:
        return measure(board, cases)
    finally:
        board.close()


CONSTANT_TIME = ("p256_keygen", "p256_ecdh", "p256_sign", "x25519")
# Timed: those, and verification to show the meter sees variable time.
TIMED = CONSTANT_TIME + ("p256_verify",)


def p256_secrets():
    """Random secrets and the ends of the range [1, n - 1] (and the ones the comb and the
    windowed multiplication treat specially: small, near n)."""
    return [secrets.randbelow(N - 1) + 1 for _ in range(3)] + [1, 2, N - 1, N - 30]


def be32(v):
    return v.to_bytes(32, "big")


def public_point(d):
    return ec.derive_private_key(d, ec.SECP256R1()).public_key().public_bytes(*UNCOMPRESSED)


def primitive_cases():
    """Every case and its expected output: ([(name, op, input, timed)], [output])."""
    peer = ec.generate_private_key(ec.SECP256R1())
    peer_point = peer.public_key().public_bytes(*UNCOMPRESSED)
    z = hashlib.sha256(b"issue 25").digest()
    cases, expected = [], []

    def add(name, op, data, want):
        # The secret-dependent primitives are timed (twice, the first to warm up); the others
        # are known answers only.
        cases.append((name, op, data, name in TIMED))
        expected.append(want)

    for d in p256_secrets():
        add("p256_keygen", 1, be32(d), public_point(d))
    for d in p256_secrets():
        shared = ec.derive_private_key(d, ec.SECP256R1()).exchange(ec.ECDH(), peer.public_key())
        add("p256_ecdh", 2, be32(d) + peer_point, shared)
    # Signing with nonces given: the key and the nonce each vary.
    key_d = secrets.randbelow(N - 1) + 1
    for i, k in enumerate(p256_secrets()):
        d = key_d if i % 2 else secrets.randbelow(N - 1) + 1
        kg = ec.derive_private_key(k, ec.SECP256R1()).public_key().public_numbers()
        r = kg.x % N
        s = pow(k, -1, N) * (int.from_bytes(z, "big") % N + r * d) % N
        add("p256_sign", 3, be32(d) + be32(k) + z, be32(r) + be32(s))
    base = bytes([9]) + bytes(31)
    for k in [secrets.token_bytes(32) for _ in range(3)] + [bytes(32), b"\xff" * 32]:
        pub = x25519.X25519PrivateKey.from_private_bytes(k).public_key().public_bytes_raw()
        add("x25519", 5, k + base, pub)
    # Public data: verification (valid, then a changed hash), RSA and P-384 (known answers).
    for _ in range(3):
        key = ec.generate_private_key(ec.SECP256R1())
        r, s = utils.decode_dss_signature(key.sign(z, ec.ECDSA(utils.Prehashed(hashes.SHA256()))))
        point = key.public_key().public_bytes(*UNCOMPRESSED)
        add("p256_verify", 4, point + z + be32(r) + be32(s), b"\x01")
        add("p256_verify_bad", 4, point + hashlib.sha256(z).digest() + be32(r) + be32(s), b"\x00")
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sig = rsa_key.sign(b"issue 25", padding.PKCS1v15(), hashes.SHA256())
    n = rsa_key.public_key().public_numbers().n
    add("rsa2048_public", 6, (256).to_bytes(2, "big") + n.to_bytes(256, "big") + sig + bytes([1, 0, 1]),
        pow(int.from_bytes(sig, "big"), 65537, n).to_bytes(256, "big"))
    p384 = ec.generate_private_key(ec.SECP384R1())
    h384 = hashlib.sha384(b"issue 25").digest()
    der = p384.sign(h384, ec.ECDSA(utils.Prehashed(hashes.SHA384())))
    point384 = p384.public_key().public_bytes(*UNCOMPRESSED)
    add("p384_verify", 7, point384 + h384 + der, b"\x01")
    add("p384_verify_bad", 7, point384 + hashlib.sha384(h384).digest() + der, b"\x00")
    return cases, expected


@pytest.fixture(scope="module")
def results():
    """Every case in one run of the image: (cases, their expected outputs, rows)."""
    cases, expected = primitive_cases()
    return cases, expected, run_in_image(cases)


def by_name(results, name):
    cases, expected, rows = results
    return [(row, want) for row, want in zip(rows, expected) if row[0] == name]


@pytest.mark.parametrize("name", ["p256_keygen", "p256_ecdh", "p256_sign", "x25519", "p256_verify",
                                  "p256_verify_bad", "rsa2048_public", "p384_verify", "p384_verify_bad"])
def test_known_answers(results, name):
    rows = by_name(results, name)
    assert rows
    for (row_name, cycles, out), want in rows:
        assert out == want, (row_name, out.hex(), want.hex())


@pytest.mark.parametrize("name", CONSTANT_TIME)
def test_secret_dependent_primitives_take_the_same_cycles_for_every_secret(results, name):
    counts = [cycles for (_, cycles, _), _ in by_name(results, name)]
    assert len(counts) >= 5
    assert len(set(counts)) == 1, f"{name}: cycles differ by secret: {counts}"


def test_the_meter_sees_data_dependent_timing(results):
    """Verification is variable time (public data); its cycles differ from signature to
    signature, so equal counts above mean constant time, not a blind meter."""
    counts = [cycles for (_, cycles, _), _ in by_name(results, "p256_verify")]
    assert len(set(counts)) > 1, counts


def test_the_arithmetic_never_calls_the_64_bit_multiply():
    """On the RP2040 a u32 x u32 -> u64 product in Rust is a call to __aeabi_lmul (pico-sdk's
    __wrap___aeabi_lmul), which the curve arithmetic used to spend most of a handshake in: no
    function of ussl-arith, its assembly kernels, the P-384 and RSA code or the key exchange may
    call it. (Ed25519, left to curve25519-dalek, and the date code still do: the check sees them.)"""
    import re
    elf = IMAGE.replace(".uf2", ".elf")
    need_file(elf, "make firmware-rp2")
    need_tool("arm-none-eabi-objdump", how="make firmware-rp2 installs it")
    dis = subprocess.run(["arm-none-eabi-objdump", "-d", "--no-show-raw-insn", "-C", elf], capture_output=True,
                         text=True, check=True).stdout
    callers, current = set(), None
    for line in dis.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            current = m.group(1)
        elif re.search(r"\bbl\s+[0-9a-f]+ <(__wrap___aeabi_lmul|__aeabi_lmul)>", line):
            callers.add(current)
    assert any("curve25519_dalek" in c for c in callers), "the check sees no call at all"
    ours = re.compile(r"ussl_arith|mul256_core|sqr256_core|gf_(add|sub)_inner|ussl::provider::(p384|public_bignum|kx|"
                      r"primitives)|CurveP256|EcdsaP256")
    assert not [c for c in callers if ours.search(c)], sorted(callers)
