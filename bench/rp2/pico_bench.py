#!/usr/bin/env python3
"""Handshake and primitive cycle counts inside RPI_PICO_W images in rp2040js (run_image.mjs): ours
(full profile, lean engine) against the stock image with MicroPython's mbedTLS module. Per
handshake: an in-memory client+server pair in one MicroPython (tests_fw/mpy/tlspair.py), contexts
made per handshake, the chain verified and the hostname checked, as the issue measured it; per
primitive: ussl._primitive (ours only). Cycles come from the emulator's exact counter, so one run
of each is enough; the first handshake of a kind is left out (it pays for imports).

    python3 bench/rp2/pico_bench.py [--json OUT] IMAGE_NAME=PATH.uf2 ...

Image names: `ussl` (full), `lean` (primitives only: it has no server side for the pair),
`stock`, `before` (ussl before issue 25: handshakes only) decide what each runs. With --json, the
kinds measured replace theirs in OUT and the others stay (so a one-off `before` run is kept).
Needs CPython's `cryptography` for the test PKI (DER: the stock mbedTLS module reads no PEM)."""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DER = serialization.Encoding.DER

IMAGES = {
    "ussl": "ours, RPI_PICO_W_USSL (make firmware-rp2): the full profile, the thumbv6m engine with "
            "ussl-arith (P-256, X25519, P-384 and RSA arithmetic without __aeabi_lmul; arith/)",
    "lean": "ours, the lean engine (make USSL_ENGINE=lean firmware-rp2): primitives only, it has no "
            "server side for an in-memory pair",
    "stock": "the stock RPI_PICO_W image of MicroPython 1.28 (make firmware-rp2-stock): its mbedTLS 3.6.2 "
             "module as the rp2 port configures it (MBEDTLS_ECP_NIST_OPTIM, TLS 1.2 only, no resumption, "
             "no X25519)",
    "before": "ours before issue 25 (commit 69a8550): P-256 on the p256 crate, X25519 on curve25519-dalek, "
              "P-384 and RSA word products through __aeabi_lmul",
}


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject_key, subject, issuer_key, issuer, ca, hash_alg):
    now = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
         .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now + datetime.timedelta(days=365))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
    return b.sign(issuer_key, hash_alg).public_bytes(DER)


def pki():
    """DER: CA -> leaf for ECDSA P-256 and for RSA-2048 (CA P-256), and Let's Encrypt's ECDSA
    shape: a P-384 root -> P-384 intermediate -> P-256 leaf, signed with SHA-384."""
    pkcs8 = lambda k: k.private_bytes(DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert(ca_key, "bench CA", ca_key, "bench CA", True, hashes.SHA256())
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_key, inter_key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())
    le_key = ec.generate_private_key(ec.SECP256R1())
    return {
        "CA": ca,
        "EC_CHAIN": _cert(ec_key, "localhost", ca_key, "bench CA", False, hashes.SHA256()),
        "EC_KEY": pkcs8(ec_key),
        "RSA_CHAIN": _cert(rsa_key, "localhost", ca_key, "bench CA", False, hashes.SHA256()),
        "RSA_KEY": pkcs8(rsa_key),
        "LE_CA": _cert(root_key, "bench P-384 root", root_key, "bench P-384 root", True, hashes.SHA384()),
        "LE_CHAIN": _cert(le_key, "localhost", inter_key, "bench P-384 E", False, hashes.SHA384())
        + _cert(inter_key, "bench P-384 E", root_key, "bench P-384 root", True, hashes.SHA384()),
        "LE_KEY": pkcs8(le_key),
        # Not sent to the board: the primitives' P-384 signer.
        "LE_INTER_KEY": pkcs8(inter_key),
    }


HANDSHAKES = [
    # (row, CA, chain, key, protocol, resumed)
    ("TLS 1.2 ECDSA P-256", "CA", "EC_CHAIN", "EC_KEY", "1.2", False),
    ("TLS 1.3 ECDSA P-256", "CA", "EC_CHAIN", "EC_KEY", "1.3", False),
    ("TLS 1.2 RSA-2048", "CA", "RSA_CHAIN", "RSA_KEY", "1.2", False),
    ("TLS 1.3 P-384 root and intermediate, P-256 leaf", "LE_CA", "LE_CHAIN", "LE_KEY", "1.3", False),
    ("TLS 1.2 P-384 root and intermediate, P-256 leaf", "LE_CA", "LE_CHAIN", "LE_KEY", "1.2", False),
    ("TLS 1.2 ECDSA P-256, resumed", "CA", "EC_CHAIN", "EC_KEY", "1.2", True),
    ("TLS 1.3 ECDSA P-256, resumed", "CA", "EC_CHAIN", "EC_KEY", "1.3", True),
]

MEASURE = r'''
import gc, machine
# The certificates are valid from 2026-11-01; the emulated RTC starts in 2021.
machine.RTC().datetime((2026, 12, 6, 6, 12, 0, 0, 0))
def cycles():
    return machine.mem32[0x40070000]
def measure(row, ca, chain, key, proto, resumed, runs):
    import tls
    results = []
    for i in range(runs + 1):
        gc.collect()
        t = cycles()
        cctx, sctx = contexts(tls, ca, chain, key, proto)
        c, s, ce, se = pair(cctx, sctx)
        handshake(c, s)
        if resumed:
            c.close(); s.close()
            gc.collect()
            t = cycles()
            c, s, ce, se = pair(cctx, sctx)
            handshake(c, s)
        n = (cycles() - t) & 0xffffffff
        # MicroPython's mbedTLS sockets have neither version() nor cipher().
        how = "%s %s%s" % (c.version() if hasattr(c, "version") else "TLSv1.2",
                           c.cipher()[0] if hasattr(c, "cipher") else "(mbedTLS)",
                           " reused" if getattr(c, "session_reused", False) else "")
        if i:
            results.append(n)
        c.close(); s.close()
    print("ROW", row, "|", how, "|", " ".join(str(r) for r in results))
'''

PRIMITIVES = r'''
import gc, ussl
def cycles():
    return machine.mem32[0x40070000]
OUT = bytearray(1024)
def prim(name, op, data):
    counts = []
    for d in data:
        gc.collect()
        t = cycles()
        ussl._primitive(op, d, OUT)
        counts.append((cycles() - t) & 0xffffffff)
    print("PRIM", name, "|", " ".join(str(c) for c in counts))
'''


def primitive_calls(values, kind="ussl"):
    """A script that times each primitive on the leaf keys of the PKI (ours only; the lean engine
    has no signing and no X25519)."""
    from cryptography.hazmat.primitives.asymmetric import utils
    import hashlib
    ec_key = serialization.load_der_private_key(values["EC_KEY"], None)
    d = ec_key.private_numbers().private_value.to_bytes(32, "big")
    pub = ec_key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    z = hashlib.sha256(b"bench").digest()
    r, s = utils.decode_dss_signature(ec_key.sign(z, ec.ECDSA(utils.Prehashed(hashes.SHA256()))))
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    k = hashlib.sha256(b"nonce").digest()
    rsa_key = serialization.load_der_private_key(values["RSA_KEY"], None)
    n = rsa_key.public_key().public_numbers().n.to_bytes(256, "big")
    from cryptography.hazmat.primitives.asymmetric import padding
    rsa_sig = rsa_key.sign(b"bench", padding.PKCS1v15(), hashes.SHA256())
    p384 = serialization.load_der_private_key(values["LE_INTER_KEY"], None)
    h384 = hashlib.sha384(b"bench").digest()
    der384 = p384.sign(h384, ec.ECDSA(utils.Prehashed(hashes.SHA384())))
    point384 = p384.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    lines = [
        f"prim('P-256 keygen', 1, [{d!r}])",
        f"prim('P-256 ECDH', 2, [{d + pub!r}])",
        f"prim('P-256 sign', 3, [{d + k + z!r}])",
        f"prim('P-256 verify', 4, [{pub + z + sig!r}])",
        f"prim('X25519', 5, [{k + bytes([9] + [0] * 31)!r}])",
        f"prim('RSA-2048 verify (e = 65537)', 6, [{(256).to_bytes(2, 'big') + n + rsa_sig + bytes([1, 0, 1])!r}])",
        f"prim('P-384 verify', 7, [{point384 + h384 + der384!r}])",
    ]
    if kind == "lean":
        lines = [l for l in lines if "sign'" not in l and "X25519" not in l]
    return "\n".join(lines)


def run(image, script, limit_mcycles=60000):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        p = subprocess.run(["node", os.path.join(HERE, "run_image.mjs"), image, path, str(limit_mcycles)],
                           capture_output=True, text=True)
    finally:
        os.unlink(path)
    return p.returncode, p.stdout, p.stderr


def bench(kind, image, values, runs, only=None):
    with open(os.path.join(ROOT, "tests_fw", "mpy", "tlspair.py")) as f:
        helpers = f.read()
    consts = "\n".join(f"{k} = {v!r}" for k, v in values.items() if k != "LE_INTER_KEY")
    out = {}
    for row, ca, chain, key, proto, resumed in HANDSHAKES:
        if only and only not in row:
            continue
        if kind == "stock" and (resumed or proto == "1.3"):
            continue
        if kind == "lean":
            continue
        if kind == "before" and resumed:
            continue
        script = "\n".join([helpers, consts, MEASURE, f"measure({row!r}, {ca}, {chain}, {key}, {proto!r}, {resumed}, {runs})"])
        code, stdout, stderr = run(image, script)
        line = next((l for l in stdout.splitlines() if l.startswith("ROW")), None)
        if code != 0 or line is None:
            out[row] = {"error": (stderr or stdout).strip().splitlines()[-1:] }
        else:
            _, rest = line.split(" ", 1)
            name, how, counts = (x.strip() for x in rest.split("|"))
            out[row] = {"negotiated": how, "cycles": [int(c) for c in counts.split()]}
        print(kind, row, out[row], file=sys.stderr)
    if kind in ("ussl", "lean") and (not only or only == "primitive"):
        script = "\n".join(["import machine", PRIMITIVES, primitive_calls(values, kind)])
        code, stdout, stderr = run(image, script)
        for line in stdout.splitlines():
            if line.startswith("PRIM"):
                name, counts = (x.strip() for x in line[5:].split("|"))
                out["primitive " + name] = {"cycles": [int(c) for c in counts.split()]}
        if code != 0:
            out["primitives error"] = (stderr or stdout).strip().splitlines()[-1:]
        print(kind, {k: v for k, v in out.items() if k.startswith("primitive")}, file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--only", help="rows whose name contains this (and no primitives unless it is 'primitive')")
    ap.add_argument("--smoke", action="store_true",
                    help="each workload of ours once (the TLS 1.2 ECDSA pair and the primitives), nothing written: "
                         "make bench-smoke keeps the script from rotting")
    ap.add_argument("images", nargs="+", help="KIND=PATH.uf2 with KIND ussl, lean or stock")
    args = ap.parse_args()
    values = pki()
    if args.smoke:
        for spec in args.images:
            kind, path = spec.split("=", 1)
            if kind == "ussl":
                out = bench(kind, path, values, 1, "TLS 1.2 ECDSA P-256")
                out.update(bench(kind, path, values, 1, "primitive"))
                bad = [k for k, v in out.items() if "cycles" not in v]
                assert not bad and len(out) >= 8, out
        print("bench-rp2 smoke: every workload ran")
        return
    doc = {"results": {}}
    if args.json and os.path.exists(args.json):
        with open(args.json) as f:
            doc = json.load(f)
    doc["date"] = datetime.date.today().isoformat()
    doc["images"] = {k: v for k, v in IMAGES.items() if k in doc["results"] or any(s.startswith(k + "=") for s in args.images)}
    for spec in args.images:
        kind, path = spec.split("=", 1)
        fresh = bench(kind, path, values, args.runs, args.only)
        doc["results"].setdefault(kind, {}).update(fresh)
    text = json.dumps(doc, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
