#!/usr/bin/env python3
"""Firmware side by side in the emulator (part of `make bench`): the MPS2_AN385 (Cortex-M3) image
with ussl against the same image with MicroPython's own mbedTLS module, and the VIRT_RV32 image
with ussl. For each: flash added over the image without TLS, peak MicroPython heap of a handshake
(an in-memory client+server pair, and a client alone against openssl s_server over a UART), and
instructions per full and per resumed handshake under qemu -icount shift=0 (virtual time advances
1 ns per instruction, so time.ticks_us() differences x 1000 count instructions).

Both engines get the same DER inputs (MicroPython's mbedTLS configuration parses no PEM) and run
the same script (tests_fw/mpy/tlspair.py). Writes build/firmware/results/bench-qemu.json.
  --smoke   one iteration of each, to keep the script working
"""
import argparse
import contextlib
import json
import os
import ssl
import statistics
import subprocess
import sys

import trustme

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests_fw"))
from qemu import FIRMWARE, Qemu  # noqa: E402
from test_openssl_uart import wait_accepting, free_port  # noqa: E402

TLSPAIR = open(os.path.join(ROOT, "tests_fw", "mpy", "tlspair.py")).read()
UART = open(os.path.join(ROOT, "tests_fw", "mpy", "uart_stream.py")).read()
SIZE = {"MPS2_AN385": "arm-none-eabi-size", "VIRT_RV32": "riscv64-unknown-elf-size"}
IMAGES = [("MPS2_AN385", "ussl"), ("MPS2_AN385", "mbedtls"), ("VIRT_RV32", "ussl")]
# The lean engine's image (USSL_ENGINE=lean) has no server side, so no in-memory pair: it is
# measured as a client of openssl s_server over the UART, TLS 1.3 only.
LEAN = ("MPS2_AN385", "lean")
KINDS = [("TLS 1.2 ECDSA P-256", "1.2", "EC"), ("TLS 1.2 RSA-2048", "1.2", "RSA"), ("TLS 1.3 ECDSA P-256", "1.3", "EC")]


def elf(board, engine):
    return os.path.join(FIRMWARE, board if engine == "ussl" else f"{board}-{engine}", "firmware.elf")


def flash(board, engine):
    out = subprocess.run([SIZE[board], elf(board, engine)], capture_output=True, text=True, check=True).stdout
    text, data = (int(x) for x in out.splitlines()[1].split()[:2])
    return text + data


class Pki:
    """A CA signing the leaves directly (a DER chain cannot be loaded into mbedTLS in one piece)."""

    def __init__(self, tmp):
        self.ca = trustme.CA()
        self.values = {"CA": ssl.PEM_cert_to_DER_cert(self.ca.cert_pem.bytes().decode())}
        self.files = {}
        for kind, key_type in (("EC", trustme.KeyType.ECDSA), ("RSA", trustme.KeyType.RSA)):
            leaf = self.ca.issue_cert("localhost", key_type=key_type)
            pem = leaf.cert_chain_pems[0].bytes()
            self.values[f"{kind}_CHAIN"] = ssl.PEM_cert_to_DER_cert(pem.decode())
            from cryptography.hazmat.primitives import serialization
            key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), None)
            self.values[f"{kind}_KEY"] = key.private_bytes(serialization.Encoding.DER,
                                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                                           serialization.NoEncryption())
            cert, keyfile = os.path.join(tmp, f"{kind}.pem"), os.path.join(tmp, f"{kind}.key")
            leaf.cert_chain_pems[0].write_to_path(cert)
            leaf.private_key_pem.write_to_path(keyfile)
            self.files[kind] = (cert, keyfile)

    def script(self):
        return "\n".join(f"{k} = {v!r}" for k, v in self.values.items())


def boot(board, engine, pki, **kw):
    q = Qemu(board, elf=elf(board, engine), **kw)
    q.exec(TLSPAIR)
    q.exec(pki.script())
    return q


PAIR = """
import tls, gc
full, resumed = [], []
for i in range(%(n)d):
    # Fresh contexts: a context keeps sessions, and this measures full handshakes.
    cctx, sctx = contexts(tls, CA, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)
    c, s, ce, se = pair(cctx, sctx)
    m = Meter()
    handshake(c, s, m)
    full.append(m.us)
    version = c.version() if hasattr(c, "version") else None
    c.close(); s.close()
    if %(resume)r:
        c, s, ce, se = pair(cctx, sctx)
        m = Meter()
        handshake(c, s, m)
        if c.session_reused:
            resumed.append(m.us)
        c.close(); s.close()
    c = s = ce = se = None

def attempt():
    cctx, sctx = contexts(tls, CA, %(key)s_CHAIN, %(key)s_KEY, %(protocol)r)
    c, s, ce, se = pair(cctx, sctx)
    handshake(c, s)
    c.close(); s.close()

failures = []
needed = needed_heap(attempt, failures=failures) if %(heap)r else None
print(repr({"full": full, "resumed": resumed, "needed_heap": needed, "version": version,
            "low_memory_errors": sorted(set(failures))}))
"""

# TLS 1.3 ECDSA P-256 between our two ends, the client offering the groups given (None: its
# default, X25519MLKEM768 first): instructions per side and the bytes each side sent.
KEY_EXCHANGE = """
import tls
runs = []
for i in range(%(n)d):
    cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY, "1.3")
    if %(groups)r:
        cctx.set_groups(%(groups)r)
    m = Meter()
    c, s, ce, se = metered_pair(cctx, sctx, m)
    handshake(c, s, m)
    runs.append({"client": m.us["client"], "server": m.us["server"], "client_sent": ce.sent,
                 "server_sent": se.sent, "group": c.group()})
    c.close(); s.close()
    c = s = ce = se = None
print(repr(runs))
"""

UART_CLIENT = """
import tls, gc

def attempt():
    gc.collect()
    base = gc.mem_alloc()
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(CA)
    c = ctx.wrap_socket(Uart(UART1), server_hostname="localhost")
    c.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
    # Read the page without keeping it: what is measured is the connection, not the page.
    buf = bytearray(512)
    head = held = None
    for _ in range(400):
        n = c.readinto(buf)
        if n is None:
            continue
        if n == 0:
            break
        if head is None:
            head = bytes(buf[:15])
            # Held while the connection is open (with its context and stream objects).
            gc.collect()
            held = gc.mem_alloc() - base
    c.close()
    return {"held_open": held, "ok": head == b"HTTP/1.0 200 ok"}

failures = []
ok, r = with_free_heap(%(free)d, attempt, failures=failures) if %(free)d else (True, attempt())
print(repr(dict(r or {}, finished=ok, low_memory_errors=failures)))
"""


def pair_runs(board, engine, pki, protocol, key, n, heap):
    """Instructions (icount) per side of n handshakes on one boot, and the least free heap a
    client+server pair needs for a handshake."""
    q = boot(board, engine, pki, icount=True)
    try:
        out = q.exec(PAIR % dict(key=key, protocol=protocol, n=n, resume=engine == "ussl", heap=heap), timeout=900)
    finally:
        q.close()
    import ast
    return ast.literal_eval(out.strip().splitlines()[-1])


@contextlib.contextmanager
def board_with_openssl(board, engine, pki, kind, protocol, icount=False):
    """A fresh boot whose UART1 is joined to an openssl s_server (-www, one connection)."""
    cert, key = pki.files[kind]
    port = free_port()
    proc = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert, "-key", key,
                             "-www", "-naccept", "1", f"-tls{protocol.replace('.', '_')}"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_accepting(proc)
        q = boot(board, engine, pki, icount=icount, extra=["-serial", f"tcp:127.0.0.1:{port}"])
        try:
            q.exec(UART)
            yield q
        finally:
            q.close()
    finally:
        proc.kill()
        proc.wait(timeout=5)


def last_value(out):
    import ast
    return ast.literal_eval(out.strip().splitlines()[-1])


def uart_client(board, engine, pki, kind, protocol, free=0):
    """One client connection against openssl s_server on a fresh boot, with `free` bytes of
    heap left (0: all of it). Returns whether it finished and what it held while open."""
    with board_with_openssl(board, engine, pki, kind, protocol) as q:
        return last_value(q.exec(UART_CLIENT % dict(free=free), timeout=300))


UART_HANDSHAKE = """
import tls, time

class TimedUart(Uart):
    # Time spent in the stream (waiting for the host's bytes included) is not the client's: it
    # is taken out. Reads wait here for their bytes, so the shim never polls (whose loop would
    # count the wait).
    io = 0

    def readinto(self, buf):
        t = time.ticks_us()
        try:
            while True:
                n = Uart.readinto(self, buf)
                if n:
                    return n
        finally:
            TimedUart.io += time.ticks_diff(time.ticks_us(), t)

    def write(self, buf):
        t = time.ticks_us()
        try:
            return Uart.write(self, buf)
        finally:
            TimedUart.io += time.ticks_diff(time.ticks_us(), t)

ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(CA)
t0 = time.ticks_us()
c = ctx.wrap_socket(TimedUart(UART1), server_hostname="localhost")
total = time.ticks_diff(time.ticks_us(), t0)
# MicroPython's mbedTLS module's sockets have no version().
print(repr({"client_insns": (total - TimedUart.io) * 1000, "version": c.version() if hasattr(c, "version") else None}))
c.close()
"""


def uart_handshake_insns(board, engine, pki, kind, protocol, n):
    """Instructions (icount) the client spends in one full handshake against openssl s_server
    over the UART, the stream's own time taken out; the median of n boots."""
    runs = []
    for _ in range(n):
        with board_with_openssl(board, engine, pki, kind, protocol, icount=True) as q:
            r = last_value(q.exec(UART_HANDSHAKE, timeout=300))
        assert r["version"] in (f"TLSv{protocol}", None), r
        runs.append(r["client_insns"])
    return int(statistics.median(runs))


def uart_needed_heap(board, engine, pki, kind, protocol, lo=2048, hi=128 * 1024, step=1024):
    """The least free heap with which a client connection to openssl s_server finishes, and the
    errors other than MemoryError seen on the way."""
    errors = set()
    while hi - lo > step:
        mid = (lo + hi) // 2
        r = uart_client(board, engine, pki, kind, protocol, free=mid)
        errors.update(r["low_memory_errors"])
        if r["finished"]:
            hi = mid
        else:
            lo = mid
    return hi, sorted(errors)


def uart_heap(board, engine, pki, kind, protocol, smoke):
    """One client connection to openssl s_server, and (unless smoke) the least heap it needs."""
    r = uart_client(board, engine, pki, kind, protocol)
    assert r["finished"] and r["ok"], r
    if not smoke:
        r["needed_heap"], r["low_memory_errors"] = uart_needed_heap(board, engine, pki, kind, protocol)
    print(board, engine, "uart", kind, protocol, r, flush=True)
    return r


def key_exchange(board, pki, n):
    """{group: medians of KEY_EXCHANGE's figures} for the hybrid (the default) and X25519 alone."""
    out = {}
    for groups in (None, ["X25519"]):
        q = boot(board, "ussl", pki, icount=True)
        try:
            runs = last_value(q.exec(KEY_EXCHANGE % dict(n=n, groups=groups), timeout=900))
        finally:
            q.close()
        group = runs[0]["group"]
        assert all(r["group"] == group for r in runs) and group == (groups[0] if groups else "X25519MLKEM768"), runs
        out[group] = {k: int(statistics.median(r[k] for r in runs)) for k in ("client_sent", "server_sent")}
        out[group].update({f"{side}_insns": side_median(runs, side) for side in ("client", "server")})
        print(board, "key exchange", group, out[group], flush=True)
    return out


def side_median(runs, side):
    return int(statistics.median(r[side] for r in runs) * 1000) if runs else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    n = 1 if args.smoke else 5
    import tempfile
    tmp = tempfile.mkdtemp()
    pki = Pki(tmp)
    results = {"flash": {}, "handshakes": {}, "uart_client": {}}
    for board in ("MPS2_AN385", "VIRT_RV32"):
        base = flash(board, "notls")
        results["flash"][board] = {"notls": base}
        for b, engine in IMAGES:
            if b == board:
                total = flash(board, engine)
                results["flash"][board][engine] = {"image": total, "tls_share": total - base}
    for board, engine in IMAGES:
        for label, protocol, key in KINDS:
            if engine == "mbedtls" and protocol == "1.3":
                continue  # MicroPython's mbedTLS configuration has no TLS 1.3
            r = pair_runs(board, engine, pki, protocol, key, n, heap=not args.smoke)
            entry = {"version": r["version"], "pair_needed_heap": r["needed_heap"],
                     "low_memory_errors": r.get("low_memory_errors"),
                     "full_client_insns": side_median(r["full"], "client"),
                     "full_server_insns": side_median(r["full"], "server"),
                     "resumed_client_insns": side_median(r["resumed"], "client"),
                     "resumed_server_insns": side_median(r["resumed"], "server")}
            results["handshakes"].setdefault(f"{board} {engine}", {})[label] = entry
            print(board, engine, label, entry, flush=True)
        if board == "MPS2_AN385":
            for label, protocol, key in KINDS:
                if engine == "mbedtls" and protocol == "1.3":
                    continue
                results["uart_client"].setdefault(engine, {})[label] = uart_heap(board, engine, pki, key, protocol,
                                                                                  args.smoke)
    # The post-quantum hybrid against X25519 alone, on the Cortex-M3.
    results["key_exchange"] = {"MPS2_AN385": key_exchange("MPS2_AN385", pki, n)}
    # Clients of openssl s_server over the UART: instructions per handshake for each engine.
    board = "MPS2_AN385"
    lean_elf = elf(*LEAN)
    results["flash"][board]["lean"] = {"image": flash(*LEAN), "tls_share": flash(*LEAN) - results["flash"][board]["notls"]}
    for engine in ("ussl", "mbedtls", "lean"):
        for label, protocol, key in KINDS:
            if (engine == "mbedtls" and protocol == "1.3") or (engine == "lean" and protocol == "1.2"):
                continue
            if args.smoke and (engine == "mbedtls" or protocol == "1.2"):
                continue  # the smoke run takes each measurement once, not every case
            insns = uart_handshake_insns(board, engine, pki, key, protocol, n)
            results.setdefault("uart_handshake_insns", {}).setdefault(engine, {})[label] = insns
            print(board, engine, "uart handshake", label, insns, flush=True)
        if engine == "lean":
            for label, protocol, key in KINDS:
                if protocol != "1.3":
                    continue
                results["uart_client"].setdefault(engine, {})[label] = uart_heap(board, engine, pki, key, protocol,
                                                                                  args.smoke)
    assert os.path.exists(lean_elf)
    # The deepest stacks of a handshake (the same measurement as tests_fw/test_stack.py).
    import conftest
    import test_stack
    stack_pki = conftest.Pki()
    results["stack"] = {board: test_stack.measure(board, stack_pki) for board in ("MPS2_AN385", "VIRT_RV32")}
    os.makedirs(os.path.join(FIRMWARE, "results"), exist_ok=True)
    out = os.path.join(FIRMWARE, "results", "bench-qemu-smoke.json" if args.smoke else "bench-qemu.json")
    json.dump(results, open(out, "w"), indent=1)
    if not args.smoke:
        json.dump(results, open(os.path.join(ROOT, "bench", "results-qemu.json"), "w"), indent=1)
    print(f"qemu bench: results in {out}")


if __name__ == "__main__":
    sys.exit(main())
