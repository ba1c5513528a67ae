#!/usr/bin/env python3
"""hashlib and cryptolib on the RPI_PICO_W images in the RP2040 emulator: cycles per 64-byte hash
block and per 16-byte AES block, each image running the same script (4 KB of zeros, one update or
one encrypt/decrypt call), cycles from the board's time.ticks_us() at the emulator's 125 MHz.
The stock image's are mbedTLS's (its cryptolib has no CTR); ours and the lean image's ussl's
(src/pycrypto). Not part of make bench; run after `make bench-rp2040-images`:
    build/venv/bin/python bench/pico_crypto.py [stock] [ussl] [lean]"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests_fw"))
from rp2040 import IMAGES, Rp2040  # noqa: E402

NAMES = {"stock": "mbedtls", "ussl": "full", "lean": "lean"}

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
    print("ROW", name, cycles(lambda: (h.update(data), h.digest())) // 64)
modes = {"ECB": 1, "CBC": 2, "CTR": 6}
for bits in (128, 256):
    for mode, n in modes.items():
        make = lambda: aes(bytes(bits // 8), n, bytes(16)) if n != 1 else aes(bytes(bits // 8), 1)
        try:
            a = make()
        except ValueError:
            print("ROW", "AES-%d-%s" % (bits, mode), "none", "none")
            continue
        enc = cycles(lambda: a.encrypt(data)) // 256
        a = make()
        print("ROW", "AES-%d-%s" % (bits, mode), enc, cycles(lambda: a.decrypt(data)) // 256)
'''


def run(image):
    board = Rp2040(IMAGES[image], timeout=120)
    try:
        out = board.exec(SCRIPT, timeout=600)
    finally:
        board.close()
    out = out if isinstance(out, str) else out.decode()
    return {p[1]: p[2:] for p in (line.split() for line in out.splitlines()) if p and p[0] == "ROW"}


def main():
    wanted = sys.argv[1:] or list(NAMES)
    results = {name: run(NAMES[name]) for name in wanted}
    rows = list(next(iter(results.values())))
    print("| per block (cycles) | " + " | ".join(wanted) + " |")
    print("|---" * (len(wanted) + 1) + "|")
    for row in rows:
        print(f"| {row} | " + " | ".join(" / ".join(results[n].get(row, ["?"])) for n in wanted) + " |")


if __name__ == "__main__":
    main()
