#!/usr/bin/env python3
"""The heap a script has on the Pico W images, side by side (issue 30's figures; part of `make
bench`): the stock RPI_PICO_W image with MicroPython's mbedTLS module and ours (full; lean when
built), booted in the RP2040 emulator, the same script on each:
  - free at boot: gc.collect(); gc.mem_free() before anything is loaded;
  - free with one open verified client connection: the client of openssl s_server over a UART
    (TLS 1.2 ECDSA P-256, which every image speaks; TLS 1.3 on ours), idle after its handshake,
    a request and the response read (the connection and its context open); and before the
    response was read past its first line (about 4 KB of it waiting in the connection);
  - free with an open in-memory client+server pair (TLS 1.2 ECDSA P-256, verified, the hostname
    checked; TLS 1.3 on ours), both contexts and connections open;
each on a new boot (a power cycle), with the same helpers and DER inputs loaded first.
Beside them, what sizes the engine's workspace (src/runtime/sizes.rs): the deepest engine stack
per handshake kind on the Pico image (by painting, bench/rp2040_bench.py), and from the last
firmware and allocation-walk test runs, when present, the qemu boards' (tests_fw/test_stack.py)
and the most of a reserve a call borrowed (tests_py/test_alloc_faults.py).
Writes bench/results-pico-ram.json (build/firmware/results/pico-ram.json with --smoke: ours only,
TLS 1.2 only)."""
import argparse
import glob
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from rp2040_bench import (IMAGES, KINDS, ROSC, Openssl, Pki, Rp2040, boot, fresh, last_value,  # noqa: E402
                          missing_tools, stack_depths, supports)
from rp2040 import FIRMWARE  # noqa: E402

CLIENT = """
import tls, gc
stream = UartStream(0)
stream.drain()
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(CA)
c = ctx.wrap_socket(stream, server_hostname="localhost")
c.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
ok = c.read(15) == b"HTTP/1.0 200 ok"
gc.collect()
unread = gc.mem_free()
page = read_page(c)
ok = ok and b"</BODY>" in page
page = None
gc.collect()
free = gc.mem_free()
version = c.version() if hasattr(c, "version") else None
c.close()
print(repr({"free": free, "free_with_response_unread": unread, "ok": ok, "version": version}))
"""

PAIR = """
import tls, gc
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY, %(protocol)r)
c, s, ce, se = pair(cctx, sctx)
handshake(c, s)
c.write(b"x"); ok = s.read(1) == b"x"
gc.collect()
free = gc.mem_free()
version = c.version() if hasattr(c, "version") else None
c.close(); s.close()
print(repr({"free": free, "ok": ok, "version": version}))
"""


def heap(image, pki, smoke):
    board = boot(image, pki)
    out = {"boot": board.heap_free_at_boot, "client": {}, "pair": {}}
    try:
        out["loaded"] = board.eval("__import__('gc').collect() or __import__('gc').mem_free()")
        for protocol in ("1.2",) if smoke else ("1.2", "1.3"):
            if supports(image, protocol):
                server = Openssl(pki, "EC", protocol)
                try:
                    fresh(board, pki)
                    board.uart_connect(0, server.port)
                    r = last_value(board.exec(CLIENT, timeout=1800))
                    board.uart_close(0)
                finally:
                    server.stop()
                assert r["ok"], r
                out["client"][protocol] = r
                print(image, "client", protocol, r, flush=True)
            if supports(image, protocol, pair=True):
                fresh(board, pki)
                r = last_value(board.exec(PAIR % dict(protocol=protocol), timeout=1800))
                assert r["ok"], r
                out["pair"][protocol] = r
                print(image, "pair", protocol, r, flush=True)
        if image != "mbedtls":
            out["stack"] = {}
            for label, protocol, key in KINDS:
                if supports(image, protocol, pair=True) and not (smoke and key == "RSA"):
                    fresh(board, pki)
                    out["stack"][label] = e = stack_depths(board, image, protocol, key)
                    print(image, "stack", label, e, flush=True)
    finally:
        board.close()
    return out


def gathered(pattern):
    """The last test runs' result files matching `pattern` (under build/), by name."""
    return {os.path.splitext(os.path.basename(p))[0]: json.load(open(p))
            for p in sorted(glob.glob(os.path.join(ROOT, "build", pattern)))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--gather", action="store_true",
                    help="only take the test runs' figures into the stored results again (after make test)")
    args = ap.parse_args()
    stored = os.path.join(ROOT, "bench", "results-pico-ram.json")
    if args.gather:
        results = json.load(open(stored))
        results.update(qemu_stack=gathered("firmware/results/stack-*.json"),
                       alloc_walk=gathered("results/alloc-walk-*.json"))
        json.dump(results, open(stored, "w"), indent=1)
        return
    missing = missing_tools()
    if missing:
        sys.exit(f"the RP2040 emulator needs {missing}: `make rp2040js` installs it")
    images = ["full"] if args.smoke else ["mbedtls", "full"] + (["lean"] if os.path.exists(IMAGES["lean"]) else [])
    for image in images:
        if not os.path.exists(IMAGES[image]):
            sys.exit(f"{IMAGES[image]} is missing (make firmware-rp2, firmware-rp2-stock)")
    pki = Pki(tempfile.mkdtemp())
    results = {"rosc": ROSC, "images": {image: heap(image, pki, args.smoke) for image in images},
               "qemu_stack": gathered("firmware/results/stack-*.json"),
               "alloc_walk": gathered("results/alloc-walk-*.json")}
    out = os.path.join(FIRMWARE, "results", "pico-ram.json") if args.smoke else stored
    os.makedirs(os.path.dirname(out), exist_ok=True)
    json.dump(results, open(out, "w"), indent=1)
    print(f"pico ram: results in {out}")


if __name__ == "__main__":
    sys.exit(main())
