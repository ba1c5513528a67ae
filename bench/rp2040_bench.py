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
    (in-memory peers) finished their handshake and left, and client+server pairs;
  - the public-key primitives of our images one at a time (ussl._primitive, the handshake's own
    code, with tests_fw/test_primitives.py's inputs), in the emulator's exact cycles (the
    harness's counter, rp2040.CYCLE_COUNTER): no idle time, the same count on every run.
Writes build/firmware/results/bench-rp2040.json, and bench/results-rp2040.json unless --smoke.
  --smoke   our full image only, each workload once (CI: the other images are not built there)
  --cycles  cycles only: pairs (twice each), primitives and one client over the UART, without the
            heap bisections, stack painting and connection counts (which take most of an hour
            per image on a loaded machine); with --images, over the stored results of those
            images, whose memory figures stay
  --images  some of the images (mbedtls,full,lean), their results merged into the stored ones
  --profile KIND  where our full image's cycles go in one pair of that handshake (a row of
            PAIR_KINDS, e.g. "TLS 1.2 ECDSA P-256"), by function: printed, nothing stored
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
from conftest import p384_chain, set_clock_script  # noqa: E402
from qemu_bench import Pki  # noqa: E402
from rp2040 import CYCLE_COUNTER, FIRMWARE, IMAGES, MHZ, Rp2040, missing_tools  # noqa: E402
from test_openssl_uart import free_port, wait_accepting  # noqa: E402
from test_pico_w import symbols  # noqa: E402
from test_primitives import measure as measure_primitives, primitive_cases  # noqa: E402

MPY = os.path.join(ROOT, "tests_fw", "mpy")
ROSC = "seed:1"
KINDS = [("TLS 1.2 ECDSA P-256", "1.2", "EC"), ("TLS 1.2 RSA-2048", "1.2", "RSA"), ("TLS 1.3 ECDSA P-256", "1.3", "EC")]
# Let's Encrypt's ECDSA shape: a P-384 root signs a P-384 intermediate, which signs the P-256
# leaf (two P-384 verifications); in-memory pairs only.
P384_KINDS = [("TLS 1.3 P-384 root and intermediate, P-256 leaf", "1.3", "P384"),
              ("TLS 1.2 P-384 root and intermediate, P-256 leaf", "1.2", "P384")]
PAIR_KINDS = KINDS + P384_KINDS
NAMES = {"mbedtls": "stock RPI_PICO_W (mbedTLS)", "full": "ussl", "lean": "ussl lean"}
# The smoke run's pairs: one of each script (the RSA pair and the second P-384 one add minutes, no code).
SMOKE_LEAVES_OUT = ("TLS 1.2 RSA-2048", P384_KINDS[1][0])


def supports(image, protocol, pair=False, key=None):
    if image == "mbedtls":
        # MicroPython's mbedTLS configuration has no TLS 1.3, and its module loads one DER
        # certificate as a server's chain: it sends no intermediate.
        return protocol == "1.2" and key != "P384"
    if image == "lean":
        return protocol == "1.3" and not pair  # TLS 1.3 client only
    return True


class PicoPki(Pki):
    """qemu_bench's PKI and the P-384 chain (DER, as every input here)."""

    def __init__(self, tmp):
        super().__init__(tmp)
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        der = serialization.Encoding.DER
        ca, chain, key = p384_chain(intermediate=True)
        self.values["P384_CA"] = x509.load_pem_x509_certificate(ca).public_bytes(der)
        self.values["P384_CHAIN"] = b"".join(c.public_bytes(der) for c in x509.load_pem_x509_certificates(chain))
        self.values["P384_KEY"] = serialization.load_pem_private_key(key, None).private_bytes(
            der, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())


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
    cctx, sctx = contexts(tls, %(ca)s, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)
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
    cctx, sctx = contexts(tls, %(ca)s, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)
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
probe = StackProbe(%(top)d, %(meters)d, limit=%(bottom)d)
cctx, sctx = contexts(tls, CA, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)
c, s = metered_pair(cctx, sctx, probe)[:2]
handshake(c, s, probe)
# Then records on the established connection, and close.
c, s = Probed(c, probe, "client"), Probed(s, probe, "server")
transfer(c, s, 4096); transfer(s, c, 4096)
c.close(); s.close()
c = s = cctx = sctx = None
print(repr({"c_stack_from_top": probe.deepest, "c_stack_below_caller": probe.c, "engine_stack": probe.e,
            "engine_stack_light": probe.light,
            "sizes": probe.sizes() if %(meters)d else (0, 0)}))
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


def ca_of(key):
    return "P384_CA" if key == "P384" else "CA"


def pair_runs(board, image, protocol, key, n, heap):
    r = last_value(board.exec(PAIR % dict(key=key, ca=ca_of(key), protocol=protocol, n=n,
                                          resume=image != "mbedtls", heap=heap), timeout=7200))
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
    meters = syms.get("ussl_engine_meters", (0, 0))[0]
    r = last_value(board.exec(STACK % dict(top=syms["__StackTop"][0], bottom=syms["__StackBottom"][0],
                                           meters=meters, key=key, protocol=protocol),
                              timeout=7200))
    r["engine_stack_size"], r["engine_stack_light_size"] = r.pop("sizes")
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


# The lean engine's ussl._primitive has no signing and no X25519 (it signs nothing, and its key
# exchange is P-256 alone).
LEAN_PRIMITIVES = ("p256_keygen", "p256_ecdh", "p256_verify", "rsa2048_public", "p384_verify")


def primitives(board, image):
    """{primitive: cycles}, one input of each of tests_fw/test_primitives.py's (each run twice,
    the second count kept), its known answer checked."""
    cases, expected = primitive_cases()
    chosen = {}
    for (name, op, data, _), want in zip(cases, expected):
        if name.endswith("_bad") or name in chosen or (image == "lean" and name not in LEAN_PRIMITIVES):
            continue
        chosen[name] = ((name, op, data, True), want)
    rows = measure_primitives(board, [case for case, _ in chosen.values()])
    out = {}
    for (name, cycles, result), (_, want) in zip(rows, chosen.values()):
        assert result == want, f"{image}: {name} gave {result.hex()}, not {want.hex()}"
        out[name] = cycles
    return out


PROFILED = """
import tls, machine
for i in range(2):
    cctx, sctx = contexts(tls, %(ca)s, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)
    # The second pair is profiled: the first pays for imports and MicroPython's first lookups.
    machine.mem32[%(counter)d] = i
    c, s = pair(cctx, sctx)[:2]
    handshake(c, s)
    machine.mem32[%(counter)d] = 0
    c.close(); s.close()
"""


def profile(kind, pki, top=40):
    """Where our full image's cycles go in a pair's handshake (contexts excluded), by function."""
    import bisect
    label, protocol, key = next(k for k in PAIR_KINDS if k[0] == kind)
    path = os.path.join(FIRMWARE, "results", "profile-rp2040.json")
    board = Rp2040(IMAGES["full"], rosc=ROSC, profile=path)
    try:
        prepare(board, pki)
        board.exec(PROFILED % dict(ca=ca_of(key), key=key, protocol=protocol, counter=CYCLE_COUNTER), timeout=7200)
    finally:
        board.close()
    elf = os.path.join(os.path.dirname(IMAGES["full"]), "firmware.elf")
    nm = subprocess.run(["arm-none-eabi-nm", "-C", "-n", elf], capture_output=True, text=True, check=True).stdout
    funcs = [(int(a, 16) & ~1, name) for a, t, name in (line.split(" ", 2) for line in nm.splitlines()
                                                        if line.count(" ") >= 2) if t in "tTwW"]
    starts = [a for a, _ in funcs]
    by_name = {}
    for pc, n in json.load(open(path)):
        i = bisect.bisect_right(starts, pc) - 1
        name = funcs[i][1] if i >= 0 else "?"
        by_name[name] = by_name.get(name, 0) + n
    total = sum(by_name.values())
    print(f"{label}: {total:,} cycles in the pair's handshake")
    for name, n in sorted(by_name.items(), key=lambda x: -x[1])[:top]:
        print(f"{100 * n / total:5.1f}% {n:>12,}  {name}")


def measure(image, pki, smoke, cycles_only=False):
    n = 1 if smoke else 2
    # What the heap bisections, the stack painting and the connection counts add.
    memory = not smoke and not cycles_only
    res = {"pairs": {}, "uart_client": {}, "connections": {}}
    board = boot(image, pki)
    try:
        res["heap_free_at_boot"] = board.heap_free_at_boot
        if image != "mbedtls":
            fresh(board, pki)
            res["primitives"] = e = primitives(board, image)
            print(image, "primitives", e, flush=True)
        for label, protocol, key in PAIR_KINDS:
            if not supports(image, protocol, pair=True, key=key) or (smoke and label in SMOKE_LEAVES_OUT):
                continue
            fresh(board, pki)
            # What the heap bisection adds to the P-384 chain is the ECDSA rows' (same engine paths).
            res["pairs"][label] = e = pair_runs(board, image, protocol, key, n, heap=memory and key != "P384")
            print(image, "pair", label, e, flush=True)
            if memory and key != "P384":
                res.setdefault("stack", {})[label] = e = stack_depths(board, image, protocol, key)
                print(image, "stack", label, e, flush=True)
        for label, protocol, key in KINDS:
            if supports(image, protocol) and not (smoke and protocol == "1.2"):
                server = Openssl(pki, key, protocol)
                try:
                    res["uart_client"][label] = e = uart_runs(board, server, pki, not memory)
                finally:
                    server.stop()
                print(image, "uart client", label, e, flush=True)
        for label, protocol, key in KINDS if smoke or memory else []:
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


def overlay(old, new):
    """new's measurements over old's, dict by dict; where new has None (not measured), old's stays."""
    out = dict(old)
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(old.get(k), dict):
            out[k] = overlay(old[k], v)
        elif v is not None or k not in old:
            out[k] = v
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--cycles", action="store_true")
    ap.add_argument("--images", help="a comma-separated subset of mbedtls,full,lean, merged into the stored results")
    ap.add_argument("--profile", metavar="KIND", choices=[k[0] for k in PAIR_KINDS])
    args = ap.parse_args()
    missing = missing_tools()
    if missing:
        sys.exit(f"the RP2040 emulator needs {missing}: `make rp2040js` installs it")
    if args.profile:
        return profile(args.profile, PicoPki(tempfile.mkdtemp()))
    images = args.images.split(",") if args.images else ["full"] if args.smoke else ["mbedtls", "full", "lean"]
    for image in images:
        if not os.path.exists(IMAGES[image]):
            sys.exit(f"{IMAGES[image]} is missing (make firmware-rp2, firmware-rp2-stock, USSL_ENGINE=lean firmware-rp2)")
    pki = PicoPki(tempfile.mkdtemp())
    stored = os.path.join(ROOT, "bench", "results-rp2040.json")
    results = {"mhz": MHZ, "rosc": ROSC, "images": {}, "firmware_bin": {}}
    if args.images and not args.smoke and os.path.exists(stored):
        results = json.load(open(stored))
    os.makedirs(os.path.join(FIRMWARE, "results"), exist_ok=True)
    out = os.path.join(FIRMWARE, "results", "bench-rp2040-smoke.json" if args.smoke else "bench-rp2040.json")
    if args.cycles:
        results["cycles_only"] = sorted(set(results.get("cycles_only", [])) | set(images))
    for image in images:
        results["firmware_bin"][image] = os.path.getsize(os.path.join(os.path.dirname(IMAGES[image]), "firmware.bin"))
        new = measure(image, pki, args.smoke, args.cycles)
        results["images"][image] = overlay(results["images"].get(image, {}), new) if args.cycles else new
        json.dump(results, open(out, "w"), indent=1)
    if args.smoke:
        full = results["images"]["full"]
        assert full["pairs"] and full["uart_client"] and full["connections"] and full["primitives"], full
    else:
        json.dump(results, open(stored, "w"), indent=1)
    print(f"rp2040 bench: results in {out}")


if __name__ == "__main__":
    sys.exit(main())
