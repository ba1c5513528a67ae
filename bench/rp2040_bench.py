#!/usr/bin/env python3
"""The RPI_PICO_W images side by side in the RP2040 emulator (part of `make bench`): the stock
image with MicroPython's own mbedTLS module (make firmware-rp2-stock), ours with the full engine
(make firmware-rp2) and with the lean one (make USSL_ENGINE=lean firmware-rp2), on the same
scripts (tests_fw/mpy/tlspair.py, tests_fw/mpy/pico_uart.py), same DER inputs (the stock
configuration parses no PEM; a CA signs each leaf, as a DER chain cannot be loaded into mbedTLS
in one piece), at the emulator's fixed 125 MHz. Cycles are time.ticks_us() x 125 on the board:
the emulator's cycle count, idle waits included (pico_rand's 10 us between oscillator samples);
the oscillator's bits come from a fixed stream, so a run gives the same counts every time.

  - cycles per full handshake of an in-memory client+server pair (contexts made each time), per
    side, and per resumed handshake (ours); the lean engine has no server side: it is measured,
    as every image is, as the client of openssl s_server over a UART (the stream's waits taken out);
  - the least free heap a pair, and a client of openssl, needs (bisection: the heap filled, then
    freed down to the amount tried, each client attempt on a new boot, as qemu_bench.py does:
    a heap that earlier runs have cut up needs more), and what an open client connection holds;
  - how many idle verified connections the heap holds at once: server connections whose clients
    (in-memory peers) finished their handshake and left, and client+server pairs.
Writes build/firmware/results/bench-rp2040.json, and bench/results-rp2040.json unless --smoke.
  --smoke   our full image only, each workload once (CI: the other images are not built there)
  --images  some of the images (mbedtls,full,lean), their results merged into the stored ones
"""
import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests_fw"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from conftest import set_clock_script  # noqa: E402
from qemu_bench import Pki  # noqa: E402
from rp2040 import FIRMWARE, IMAGES, MHZ, Rp2040, missing_tools  # noqa: E402
from test_openssl_uart import free_port, wait_accepting  # noqa: E402
from test_pico_w import symbols  # noqa: E402

MPY = os.path.join(ROOT, "tests_fw", "mpy")
ROSC = "seed:1"
KINDS = [("TLS 1.2 ECDSA P-256", "1.2", "EC"), ("TLS 1.2 RSA-2048", "1.2", "RSA"), ("TLS 1.3 ECDSA P-256", "1.3", "EC")]
NAMES = {"mbedtls": "stock RPI_PICO_W (mbedTLS)", "full": "ussl", "lean": "ussl lean"}


def supports(image, protocol, pair=False):
    if image == "mbedtls":
        return protocol == "1.2"  # MicroPython's mbedTLS configuration has no TLS 1.3
    if image == "lean":
        return protocol == "1.3" and not pair  # TLS 1.3 client only
    return True


def prepare(board, pki):
    board.exec(set_clock_script())
    for name in ("tlspair.py", "pico_uart.py", "stack_probe.py"):
        board.exec(open(os.path.join(MPY, name)).read())
    board.exec(pki.script())


def boot(image, pki):
    board = Rp2040(IMAGES[image], rosc=ROSC)
    try:
        # What a script has before it loads anything.
        board.heap_free_at_boot = board.eval("__import__('gc').collect() or __import__('gc').mem_free()")
        prepare(board, pki)
    except BaseException:
        board.close()
        raise
    return board


def fresh(board, pki):
    """A power cycle: what the heap holds, and how it is cut up, is a new boot's again. Whatever
    needs a large block of the heap at once is measured on a heap that earlier runs have not
    fragmented."""
    board.power_cycle()
    prepare(board, pki)


def last_value(out):
    return ast.literal_eval(out.strip().splitlines()[-1])


PAIR = """
import tls, gc, time
full, resumed, whole = [], [], []
for i in range(%(n)d):
    gc.collect()
    t = time.ticks_us()
    # Fresh contexts: a context keeps sessions, and this measures full handshakes.
    cctx, sctx = contexts(tls, CA, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)
    m = Meter()
    c, s = metered_pair(cctx, sctx, m)[:2]
    handshake(c, s, m)
    version = c.version() if hasattr(c, "version") else None
    c.close(); s.close()
    whole.append(time.ticks_diff(time.ticks_us(), t))
    full.append(m.us)
    if %(resume)r:
        m = Meter()
        c, s = metered_pair(cctx, sctx, m)[:2]
        handshake(c, s, m)
        if c.session_reused:
            resumed.append(m.us)
        c.close(); s.close()
    c = s = cctx = sctx = None

def attempt():
    cctx, sctx = contexts(tls, CA, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)
    c, s, ce, se = pair(cctx, sctx)
    handshake(c, s)
    c.close(); s.close()

failures = []
needed = needed_heap(attempt, failures=failures) if %(heap)r else None
print(repr({"full": full, "resumed": resumed, "whole": whole, "needed_heap": needed, "version": version,
            "low_memory_errors": sorted(set(failures))}))
"""

COUNT = """
import gc, tls
# One server context for every connection (a server's); a client context per connection, so
# each handshake is a full, verified one.
sctx = contexts(tls, CA, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)[1]
kept = []
stopped_by = None
gc.collect()
base = gc.mem_alloc()
while len(kept) < %(limit)d:
    try:
        cctx = contexts(tls, CA, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)[0]
        c, s, ce, se = pair(cctx, sctx)
        handshake(c, s)
        if %(servers)r:
            # The client leaves (its peer never hears of it): an idle server connection stays.
            c.close()
            kept.append((s, se))
        else:
            kept.append((c, s, ce, se, cctx))
    except Exception as e:
        stopped_by = repr(e)
        break
    finally:
        c = s = ce = se = cctx = None
        gc.collect()
held = gc.mem_alloc() - base
print(repr({"count": len(kept), "held": held, "stopped_by": stopped_by, "free_after": gc.mem_free()}))
"""

STACK = """
import tls, gc
gc.collect()
probe = StackProbe(%(top)d, %(engine_base)d, %(engine_size)d, limit=%(bottom)d)
cctx, sctx = contexts(tls, CA, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)
c, s = metered_pair(cctx, sctx, probe)[:2]
handshake(c, s, probe)
c.close(); s.close()
c = s = cctx = sctx = None
print(repr({"c_stack_from_top": probe.deepest, "c_stack_below_caller": probe.c, "engine_stack": probe.e}))
"""

UART_CLIENT = """
import tls, gc, time

class TimedUart(UartStream):
    # Time spent in the stream (waiting for the host's bytes included) is not the client's.
    io = 0

    def readinto(self, buf):
        t = time.ticks_us()
        try:
            return UartStream.readinto(self, buf)
        finally:
            TimedUart.io += time.ticks_diff(time.ticks_us(), t)

    def write(self, buf):
        t = time.ticks_us()
        try:
            return UartStream.write(self, buf)
        finally:
            TimedUart.io += time.ticks_diff(time.ticks_us(), t)

# The stream and its UART's ring buffers (a socket's buffers on a real board are lwIP's, not the
# heap's) are made before anything is counted.
stream = TimedUart(0)

def attempt():
    gc.collect()
    base = gc.mem_alloc()
    TimedUart.io = 0
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(CA)
    t0 = time.ticks_us()
    c = ctx.wrap_socket(stream, server_hostname="localhost")
    us = time.ticks_diff(time.ticks_us(), t0) - TimedUart.io
    c.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
    # Held while the connection is open (with its context and stream objects), after a record.
    head = c.read(15)
    gc.collect()
    held = gc.mem_alloc() - base
    version = c.version() if hasattr(c, "version") else None
    c.close()
    return {"client_us": us, "held_open": held, "ok": head == b"HTTP/1.0 200 ok", "version": version}

failures = []
stream.drain()
ok, r = with_free_heap(%(free)d, attempt, failures=failures) if %(free)d else (True, attempt())
print(repr(dict(r or {}, finished=ok, low_memory_errors=failures)))
"""


class Openssl:
    """openssl s_server with -www, serving every connection until stopped."""

    def __init__(self, pki, kind, protocol):
        cert, key = pki.files[kind]
        self.port = free_port()
        self.proc = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{self.port}", "-cert", cert,
                                      "-key", key, "-www", f"-tls{protocol.replace('.', '_')}"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        wait_accepting(self.proc)

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=5)


def cycles(us):
    return int(us * MHZ)


def side_median(runs, side):
    return cycles(statistics.median(r[side] for r in runs)) if runs else None


def pair_runs(board, image, protocol, key, n, heap):
    r = last_value(board.exec(PAIR % dict(key=key, protocol=protocol, n=n, resume=image != "mbedtls", heap=heap),
                              timeout=7200))
    full = [cycles(x["client"] + x["server"]) for x in r["full"]]
    return {"version": r["version"], "pair_needed_heap": r["needed_heap"], "low_memory_errors": r["low_memory_errors"],
            "full_client_cycles": side_median(r["full"], "client"), "full_server_cycles": side_median(r["full"], "server"),
            "full_cycles_runs": full, "full_cycles": int(statistics.median(full)),
            "whole_cycles": cycles(statistics.median(r["whole"])),
            "resumed_client_cycles": side_median(r["resumed"], "client"),
            "resumed_server_cycles": side_median(r["resumed"], "server"),
            "resumed_cycles": (side_median(r["resumed"], "client") + side_median(r["resumed"], "server"))
            if r["resumed"] else None}


def stack_depths(board, image, protocol, key):
    """The deepest C stack (from its top, the 8 KB of core 0) and engine stack a pair's handshake
    reaches, by painting (tests_fw/mpy/stack_probe.py)."""
    syms = symbols(IMAGES[image])
    engine = syms.get("ussl_engine_stack", (0, 0))
    r = last_value(board.exec(STACK % dict(top=syms["__StackTop"][0], bottom=syms["__StackBottom"][0],
                                           engine_base=engine[0], engine_size=engine[1], key=key, protocol=protocol),
                              timeout=7200))
    r["engine_stack_size"] = engine[1]
    r["c_stack_size"] = syms["__StackTop"][0] - syms["__StackBottom"][0]
    return r


def count_connections(board, protocol, key, servers, limit):
    return last_value(board.exec(COUNT % dict(key=key, protocol=protocol, servers=servers, limit=limit), timeout=7200))


def uart_client(board, server, pki, free=0):
    fresh(board, pki)
    board.uart_connect(0, server.port)
    try:
        return last_value(board.exec(UART_CLIENT % dict(free=free), timeout=1800))
    finally:
        board.uart_close(0)


def uart_runs(board, server, pki, smoke, lo=2048, hi=96 * 1024, step=1024):
    r = uart_client(board, server, pki)
    assert r["finished"] and r["ok"], r
    out = {"client_cycles": cycles(r["client_us"]), "held_open": r["held_open"], "version": r["version"]}
    if not smoke:
        out["client_cycles_again"] = cycles(uart_client(board, server, pki)["client_us"])
        errors = set()
        while hi - lo > step:
            mid = (lo + hi) // 2
            t = uart_client(board, server, pki, free=mid)
            errors.update(t["low_memory_errors"])
            if t["finished"]:
                hi = mid
            else:
                lo = mid
        out["needed_heap"], out["low_memory_errors"] = hi, sorted(errors)
    return out


def measure(image, pki, smoke):
    n = 1 if smoke else 2
    res = {"pairs": {}, "uart_client": {}, "connections": {}}
    board = boot(image, pki)
    try:
        res["heap_free_at_boot"] = board.heap_free_at_boot
        for label, protocol, key in KINDS:
            if not supports(image, protocol, pair=True) or (smoke and key == "RSA"):
                continue
            fresh(board, pki)
            res["pairs"][label] = e = pair_runs(board, image, protocol, key, n, heap=not smoke)
            print(image, "pair", label, e, flush=True)
            if not smoke:
                res.setdefault("stack", {})[label] = e = stack_depths(board, image, protocol, key)
                print(image, "stack", label, e, flush=True)
        for label, protocol, key in KINDS:
            if supports(image, protocol) and not (smoke and protocol == "1.2"):
                server = Openssl(pki, key, protocol)
                try:
                    res["uart_client"][label] = e = uart_runs(board, server, pki, smoke)
                finally:
                    server.stop()
                print(image, "uart client", label, e, flush=True)
        for label, protocol, key in KINDS:
            if key == "EC" and supports(image, protocol, pair=True):
                for servers in (True, False):
                    what = "servers" if servers else "pairs"
                    fresh(board, pki)
                    e = count_connections(board, protocol, key, servers, 2 if smoke else 64)
                    res["connections"].setdefault(label, {})[what] = e
                    print(image, "connections", label, what, e, flush=True)
                if smoke:
                    break
        res["stats"] = board.stats()
    finally:
        board.close()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--images", help="a comma-separated subset of mbedtls,full,lean, merged into the stored results")
    args = ap.parse_args()
    missing = missing_tools()
    if missing:
        sys.exit(f"the RP2040 emulator needs {missing}: `make rp2040js` installs it")
    images = args.images.split(",") if args.images else ["full"] if args.smoke else ["mbedtls", "full", "lean"]
    for image in images:
        if not os.path.exists(IMAGES[image]):
            sys.exit(f"{IMAGES[image]} is missing (make firmware-rp2, firmware-rp2-stock, USSL_ENGINE=lean firmware-rp2)")
    pki = Pki(tempfile.mkdtemp())
    stored = os.path.join(ROOT, "bench", "results-rp2040.json")
    results = {"mhz": MHZ, "rosc": ROSC, "images": {}, "firmware_bin": {}}
    if args.images and not args.smoke and os.path.exists(stored):
        results = json.load(open(stored))
    os.makedirs(os.path.join(FIRMWARE, "results"), exist_ok=True)
    out = os.path.join(FIRMWARE, "results", "bench-rp2040-smoke.json" if args.smoke else "bench-rp2040.json")
    for image in images:
        results["firmware_bin"][image] = os.path.getsize(os.path.join(os.path.dirname(IMAGES[image]), "firmware.bin"))
        results["images"][image] = measure(image, pki, args.smoke)
        json.dump(results, open(out, "w"), indent=1)
    if args.smoke:
        full = results["images"]["full"]
        assert full["pairs"] and full["uart_client"] and full["connections"], full
    else:
        json.dump(results, open(stored, "w"), indent=1)
    print(f"rp2040 bench: results in {out}")


if __name__ == "__main__":
    sys.exit(main())
