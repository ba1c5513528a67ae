#!/usr/bin/env python3
"""hashlib and cryptolib on the RPI_PICO_W images in the RP2040 emulator (make bench): cycles per
64-byte hash block and per 16-byte AES block, every image running the same script (4 KB of zeros,
one update or one encrypt/decrypt call), from the board's time.ticks_us() at the emulator's fixed
125 MHz. The stock image's are mbedTLS's (its cryptolib has no CTR); ours and the lean image's are
ussl's (src/pycrypto). Writes bench/results-pico-crypto.json (with --smoke: ours only, into
build/firmware/results/, and checks that every row was measured); bench/run.py --report turns it
into BENCHMARKS.md's table."""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE_ORDER = ["mbedtls", "full", "lean"]

SCRIPT = r'''
import time, hashlib
from cryptolib import aes
data = bytes(4096)
def cycles(f):
    t = time.ticks_us()
    f()
    return time.ticks_diff(time.ticks_us(), t) * 125
for name in ("sha256", "sha1", "md5"):
    h = getattr(hashlib, name)()
    print("ROW", name.upper().replace("SHA", "SHA-"), cycles(lambda: (h.update(data), h.digest())) // 64)
for bits in (128, 256):
    for mode, n in (("ECB", 1), ("CBC", 2), ("CTR", 6)):
        make = lambda: aes(bytes(bits // 8), n, bytes(16)) if n != 1 else aes(bytes(bits // 8), 1)
        try:
            a = make()
        except ValueError:
            continue
        enc = cycles(lambda: a.encrypt(data)) // 256
        a = make()
        print("ROW", "AES-%d-%s" % (bits, mode), enc, cycles(lambda: a.decrypt(data)) // 256)
'''


def measure(image):
    """{row: [cycles...]} for one image."""
    sys.path.insert(0, os.path.join(ROOT, "tests_fw"))
    from rp2040 import IMAGES, Rp2040
    board = Rp2040(IMAGES[image], timeout=120)
    try:
        out = board.exec(SCRIPT, timeout=600)
    finally:
        board.close()
    out = out if isinstance(out, str) else out.decode()
    return {p[1]: [int(x) for x in p[2:]] for p in (line.split() for line in out.splitlines()) if p and p[0] == "ROW"}


def crypto_markdown(c):
    """BENCHMARKS.md's section, from the stored results."""
    images = [i for i in IMAGE_ORDER if i in c["images"]]
    rows = list(dict.fromkeys(r for i in images for r in c["images"][i]))
    heads = {"mbedtls": "stock (mbedTLS)", "full": "ussl", "lean": "ussl lean"}

    def cell(image, row):
        v = c["images"][image].get(row)
        return "not in the module" if v is None else " / ".join(f"{x:,}" for x in v)

    lines = ["### hashlib and cryptolib (cycles per block)", "",
             "bench/pico_crypto.py: 4 KB of zeros through one `update()` (cycles per 64-byte block) or one "
             "`encrypt()` / `decrypt()` (per 16-byte block), every image running the same script. ussl's are "
             "src/pycrypto: SHA-256 is the sha2 crate's compression function (the engine's own), SHA-1 and MD5 "
             "rolled loops of ours, AES the aes crate's fixsliced software AES (constant time, no tables; on the "
             "Cortex-M0+ its compact form), one block per call. mbedTLS's SHA-1 and MD5 are unrolled and its AES is "
             "table-driven (its lookups' addresses depend on the key and data).", "",
             "| per block | " + " | ".join(heads[i] for i in images) + " |", "|---" * (len(images) + 1) + "|"]
    for row in rows:
        lines.append(f"| {row}{' (encrypt / decrypt)' if row.startswith('AES') else ''} | "
                     + " | ".join(cell(i, row) for i in images) + " |")
    return lines + [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(ROOT, "tests_fw"))
    from rp2040 import IMAGES
    images = ["full"] if args.smoke else [i for i in IMAGE_ORDER if os.path.exists(IMAGES[i])]
    results = {"mhz": 125, "images": {image: measure(image) for image in images}}
    if args.smoke:
        rows = results["images"]["full"]
        assert {"SHA-256", "SHA-1", "MD5", "AES-128-ECB", "AES-256-CTR"} <= set(rows), rows
        out = os.path.join(ROOT, "build", "firmware", "results", "pico-crypto.json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
    else:
        out = os.path.join(ROOT, "bench", "results-pico-crypto.json")
    json.dump(results, open(out, "w"), indent=1)
    print(f"pico crypto bench: results in {out}")


if __name__ == "__main__":
    main()
