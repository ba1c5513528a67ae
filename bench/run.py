#!/usr/bin/env python3
"""make bench: ussl (build/micropython) side by side with MicroPython's own mbedTLS module
(build/micropython-mbedtls), interleaved A B A B against the same local servers, with CPython's
ssl (OpenSSL) as the ceiling of the machine.

  --full    the real run: writes bench/results.json, BENCHMARKS.md and bench/ratios.png
  --smoke   a few iterations of every workload, to keep the script working (part of make test)
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

import trustme

import kx_report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests_py"))
from helpers.loopback import Listener, free_port, in_thread, wait_port  # noqa: E402
OURS = os.path.join(ROOT, "build", "micropython")
MBEDTLS = os.path.join(ROOT, "build", "micropython-mbedtls")
NOTLS = os.path.join(ROOT, "build", "micropython-notls")
# The lean engine (USSL_ENGINE=lean): TLS 1.3 only, so it sits out the TLS 1.2 workloads.
LEAN = os.path.join(ROOT, "build", "micropython-lean")
BINARIES = {"ussl": OURS, "mbedtls": MBEDTLS, "lean": LEAN}
MIB = 1024 * 1024


class Pki:
    def __init__(self, tmp):
        self.ca = trustme.CA()
        self.ca_pem = os.path.join(tmp, "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_pem)
        # MicroPython's mbedTLS build parses DER only (its configuration leaves PEM out).
        self.ca_der = os.path.join(tmp, "ca.der")
        with open(self.ca_der, "wb") as f:
            f.write(ssl.PEM_cert_to_DER_cert(self.ca.cert_pem.bytes().decode()))
        self.files = {}
        for kind, key_type in (("ec", trustme.KeyType.ECDSA), ("rsa", trustme.KeyType.RSA)):
            leaf = self.ca.issue_cert("localhost", "127.0.0.1", key_type=key_type)
            cert, key = os.path.join(tmp, f"{kind}.pem"), os.path.join(tmp, f"{kind}.key")
            leaf.cert_chain_pems[0].write_to_path(cert)
            leaf.private_key_pem.write_to_path(key)
            self.files[kind] = (cert, key)


class OpensslServer:
    """openssl s_server for handshakes: one TLS version and key type, resumption on."""

    def __init__(self, pki, kind, version):
        self.port = free_port()
        cert, key = pki.files[kind]
        self.proc = subprocess.Popen(
            ["openssl", "s_server", "-accept", f"127.0.0.1:{self.port}", "-cert", cert, "-key", key,
             "-quiet", "-naccept", "100000", f"-tls{version.replace('.', '_')}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, self.proc, what="openssl s_server")

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=5)


class BulkServer:
    """CPython's ssl for bulk transfers and memory probes. A client sends 'down N' or 'up N'."""

    def __init__(self, pki, version="1.2", cipher="ECDHE-ECDSA-AES128-GCM-SHA256"):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(*pki.files["ec"])
        if version == "1.2":
            self.ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            self.ctx.set_ciphers(cipher)
        else:
            self.ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        self.listener = Listener(lambda raw: in_thread(self.one, raw))
        self.port = self.listener.port

    def one(self, raw):
        raw.settimeout(120)
        try:
            with self.ctx.wrap_socket(raw, server_side=True) as conn:
                line = b""
                while not line.endswith(b"\n"):
                    chunk = conn.recv(1)
                    if not chunk:
                        return
                    line += chunk
                verb, n = line.split()
                n = int(n)
                if verb == b"down":
                    block = bytes(16384)
                    left = n
                    while left:
                        k = min(left, len(block))
                        conn.sendall(block[:k])
                        left -= k
                    conn.recv(16)  # wait for the client's 'done'
                else:
                    left = n
                    while left:
                        d = conn.recv(min(left, 65536))
                        if not d:
                            return
                        left -= len(d)
                    conn.sendall(b"ok")
        except (OSError, ValueError):
            pass

    def stop(self):
        self.listener.stop()


class CountingRelay:
    """A TCP relay that counts the bytes of each connection in both directions."""

    def __init__(self, target_port):
        self.target = target_port
        self.counts = []
        self.listener = Listener(self.accepted)
        self.port = self.listener.port

    def accepted(self, client):
        upstream = socket.create_connection(("127.0.0.1", self.target))
        count = {"sent": 0, "received": 0}
        self.counts.append(count)
        for a, b, key in ((client, upstream, "sent"), (upstream, client, "received")):
            in_thread(self.pipe, a, b, count, key)

    @staticmethod
    def pipe(a, b, count, key):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                count[key] += len(d)
                b.sendall(d)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.listener.stop()


def run_mpy(binary, script, env=None, timeout=600):
    r = subprocess.run([binary, "-c", script], capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, **(env or {})))
    if r.returncode != 0:
        raise RuntimeError(f"{os.path.basename(binary)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


HANDSHAKE = """
import socket, ssl, time, json
ca = open(%(ca)r, 'rb').read()
addr = socket.getaddrinfo('127.0.0.1', %(port)d)[0][-1]
times = []
for i in range(%(n)d):
    # A fresh context each time: a context keeps sessions, and this measures full handshakes.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=ca)
    s = socket.socket()
    if %(nodelay)r:
        s.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
    t0 = time.ticks_us()
    s.connect(addr)
    t = ctx.wrap_socket(s, server_hostname='localhost')
    times.append(time.ticks_diff(time.ticks_us(), t0) / 1000)
    t.close()
print(json.dumps(times))
"""

RESUMED = """
import socket, ussl, time, json, select
addr = socket.getaddrinfo('127.0.0.1', %(port)d)[0][-1]
FROM_BYTES = %(from_bytes)r
def once(ses):
    s = socket.socket()
    if %(nodelay)r:
        s.setsockopt(6, 1, 1)
    t0 = time.ticks_us()
    if FROM_BYTES and ses is not None:
        # As after a deep sleep: the session comes back from its bytes (SSLSession.serialize()).
        ses = ussl.SSLSession(ses)
    s.connect(addr)
    t = ussl.wrap_socket(s, cert_reqs=ussl.CERT_REQUIRED, ca_certs=CA, server_hostname='localhost', saved_session=ses)
    dt = time.ticks_diff(time.ticks_us(), t0) / 1000
    # A TLS 1.3 server sends its ticket after the handshake: give it a moment to arrive.
    p = select.poll()
    p.register(t, select.POLLIN)
    p.poll(500)
    new = ussl.save_session(t)
    if FROM_BYTES:
        new = new.serialize()
    reused = t.session_reused
    t.close()
    return dt, new, reused
CA = open(%(ca)r, 'rb').read()
_, ses, _ = once(None)
times = []
for i in range(%(n)d):
    dt, ses, reused = once(ses)
    assert reused
    times.append(dt)
print(json.dumps(%(report)s))
"""

BULK = """
import socket, ssl, time, json
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cafile=%(ca)r)
s = socket.socket()
s.connect(socket.getaddrinfo('127.0.0.1', %(port)d)[0][-1])
t = ctx.wrap_socket(s, server_hostname='localhost')
n = %(size)d
buf = bytearray(16384)
t0 = time.ticks_us()
if %(down)r:
    t.write(b'down %%d\\n' %% n)
    got = 0
    while got < n:
        k = t.readinto(buf)
        if not k:
            break
        got += k
    t.write(b'done')
else:
    t.write(b'up %%d\\n' %% n)
    sent = 0
    while sent < n:
        sent += t.write(buf)
    assert t.read(2) == b'ok'
dt = time.ticks_diff(time.ticks_us(), t0) / 1e6
t.close()
print(json.dumps(n / dt / 1e6))
"""

MEMORY = """
import socket, ssl, gc, json, ffi
lib = ffi.open(%(mc)r)
mc_current = lib.func('l', 'mc_current', '')
mc_peak = lib.func('l', 'mc_peak', '')
mc_reset = lib.func('v', 'mc_reset_peak', '')
try:
    import ussl
    engine = ussl._memory
except (ImportError, AttributeError):
    engine = None
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cafile=%(ca)r)
addr = socket.getaddrinfo('127.0.0.1', %(port)d)[0][-1]
buf = bytearray(16384)
def connection():
    s = socket.socket()
    s.connect(addr)
    t = ctx.wrap_socket(s, server_hostname='localhost')
    t.write(b'down 16384\\n')
    got = 0
    while got < 16384:
        got += t.readinto(buf, 16384 - got)
    t.write(b'done')
    return t
# One connection first, so what the context builds once (configs, trust anchors) is not counted.
connection().close()
gc.collect()
gc0, c0 = gc.mem_alloc(), mc_current()
mc_reset()
e0 = engine(True)[0] if engine else 0
t = connection()
gc.collect()
held_gc, held_c = gc.mem_alloc() - gc0, mc_current() - c0
peak_c = mc_peak() - c0
peak_engine = engine()[1] - e0 if engine else 0
held_engine = engine()[0] - e0 if engine else 0
t.close()
print(json.dumps(dict(held_gc=held_gc, held_c=held_c, peak_c=peak_c, peak_engine=peak_engine, held_engine=held_engine)))
"""


def cpython_handshakes(ca, port, n, nodelay):
    ctx = ssl.create_default_context(cadata=open(ca, "rb").read())
    times = []
    for _ in range(n):
        s = socket.socket()
        if nodelay:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t0 = time.perf_counter()
        s.connect(("127.0.0.1", port))
        t = ctx.wrap_socket(s, server_hostname="localhost")
        times.append((time.perf_counter() - t0) * 1000)
        t.close()
    return times


def children_cpu_s():
    import resource
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def mpy_client_cpu_ms(binary, params, n):
    """CPU time (user + system) of a MicroPython client per full handshake: a run of n handshakes
    less a run of none (interpreter start, imports), over n."""
    def cpu(count):
        before = children_cpu_s()
        run_mpy(binary, HANDSHAKE % dict(params, n=count))
        return children_cpu_s() - before
    return [(cpu(n) - cpu(0)) * 1000 / n]


def cpython_client_cpu_ms(ca, port, n, nodelay):
    """The same for CPython's ssl, in this process (a context per connection, as the script does)."""
    t0 = time.process_time()
    for _ in range(n):
        ctx = ssl.create_default_context(cadata=open(ca, "rb").read())
        s = socket.socket()
        if nodelay:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.connect(("127.0.0.1", port))
        ctx.wrap_socket(s, server_hostname="localhost").close()
    return [(time.process_time() - t0) * 1000 / n]


def cpython_bulk(ca, port, size, down):
    ctx = ssl.create_default_context(cadata=open(ca, "rb").read())
    with socket.create_connection(("127.0.0.1", port)) as s, ctx.wrap_socket(s, server_hostname="localhost") as t:
        buf = bytearray(16384)
        t0 = time.perf_counter()
        if down:
            t.sendall(b"down %d\n" % size)
            got = 0
            while got < size:
                got += t.recv_into(buf)
            t.sendall(b"done")
        else:
            t.sendall(b"up %d\n" % size)
            sent = 0
            while sent < size:
                t.sendall(buf)
                sent += len(buf)
            t.recv(2)
        return size / (time.perf_counter() - t0) / 1e6


def summary(samples):
    if not samples:
        return None
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


def interleaved(rounds, jobs):
    """jobs: {name: callable() -> list of samples}; runs A B A B ... and pools the samples."""
    pooled = {name: [] for name in jobs}
    for _ in range(rounds):
        for name, job in jobs.items():
            if job is not None:
                pooled[name].extend(job())
    return {name: summary(s) if jobs[name] is not None else None for name, s in pooled.items()}


def text_size(path):
    out = subprocess.run(["size", path], capture_output=True, text=True, check=True).stdout
    return int(out.splitlines()[1].split()[0])


def code_sizes():
    base = text_size(NOTLS)
    ours = text_size(OURS) - base
    glue = text_size(MBEDTLS) - base
    libs = subprocess.run(["ldd", MBEDTLS], capture_output=True, text=True).stdout
    lib_paths = [l.split("=>")[1].split()[0] for l in libs.splitlines() if "libmbed" in l and "=>" in l]
    lib_text = sum(text_size(p) for p in lib_paths)
    return {"ussl_text": ours, "lean_text": text_size(LEAN) - base, "mbedtls_module_text": glue,
            "mbedtls_libraries_text": lib_text,
            "mbedtls_total_text": glue + lib_text, "mbedtls_libraries": [os.path.basename(p) for p in lib_paths]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--report", action="store_true", help="rewrite BENCHMARKS.md and the chart from results.json")
    args = ap.parse_args()
    if args.report:
        results = json.load(open(os.path.join(ROOT, "bench", "results.json")))
        write_markdown(results)
        write_chart(results)
        return
    smoke = not args.full
    n, rounds = (2, 1) if smoke else (10, 3)
    bulk_size = 256 * 1024 if smoke else 32 * MIB
    bulk_rounds = 1 if smoke else 3
    results = {"date": datetime.date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
               f"{platform.system()} {platform.release()}", "command": "make bench" if not smoke else "make bench-smoke",
               "handshake_ms": {}, "resumed_ms": {}, "bytes": {}, "bulk_mb_s": {}, "memory": {}, "memory_tls13": {},
               "size": {}}
    tmp = tempfile.mkdtemp()
    mc = os.path.join(tmp, "libmalloc_count.so")
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", mc, os.path.join(ROOT, "bench", "malloc_count.c"), "-ldl"],
                   check=True)
    pki = Pki(tmp)
    ca = pki.ca_der
    try:
        for label, kind, version in (("TLS 1.2 ECDSA P-256", "ec", "1.2"), ("TLS 1.2 RSA-2048", "rsa", "1.2"),
                                     ("TLS 1.3 ECDSA P-256", "ec", "1.3")):
            server = OpensslServer(pki, kind, version)
            try:
                for nodelay in (True, False):
                    key = f"{label}, {'TCP_NODELAY' if nodelay else 'Nagle on'}"
                    params = dict(ca=ca, port=server.port, n=n, nodelay=nodelay)
                    jobs = {name: (lambda b=b: run_mpy(b, HANDSHAKE % params)) for name, b in BINARIES.items()}
                    if version == "1.3":
                        jobs["mbedtls"] = None  # mbedTLS 2.28 has no TLS 1.3
                    else:
                        jobs["lean"] = None
                    jobs["cpython"] = lambda: cpython_handshakes(ca, server.port, n, nodelay)
                    results["handshake_ms"][key] = interleaved(rounds, jobs)
                    if nodelay:
                        cpu_n = 4 if smoke else 40
                        cpu_jobs = {name: (lambda b=b: mpy_client_cpu_ms(b, params, cpu_n)) for name, b in BINARIES.items()}
                        if version == "1.3":
                            cpu_jobs["mbedtls"] = None
                        else:
                            cpu_jobs["lean"] = None
                        cpu_jobs["cpython"] = lambda: cpython_client_cpu_ms(ca, server.port, cpu_n, nodelay)
                        results.setdefault("client_cpu_ms", {})[label] = interleaved(rounds, cpu_jobs)
                        params_r = dict(ca=ca, port=server.port, n=n, nodelay=nodelay, report="times")
                        results["resumed_ms"][key] = interleaved(rounds, {
                            "ussl": lambda: run_mpy(OURS, RESUMED % dict(params_r, from_bytes=False)),
                            "ussl from bytes": lambda: run_mpy(OURS, RESUMED % dict(params_r, from_bytes=True)),
                            "mbedtls": None})
                        results.setdefault("session_bytes", {})[label] = run_mpy(
                            OURS, RESUMED % dict(params_r, n=0, from_bytes=True, report="len(ses)"))
                # Bytes on the wire, full and resumed, through a counting relay.
                relay = CountingRelay(server.port)
                try:
                    run_mpy(OURS, RESUMED % dict(ca=ca, port=relay.port, n=1, nodelay=True, from_bytes=True,
                                                 report="times"))
                    time.sleep(0.3)
                    full, resumed = relay.counts[0], relay.counts[1]
                    entry = {"ussl full": full, "ussl resumed": resumed}
                    if version != "1.3":
                        run_mpy(MBEDTLS, HANDSHAKE % dict(ca=ca, port=relay.port, n=1, nodelay=True))
                        time.sleep(0.3)
                        entry["mbedtls full"] = relay.counts[2]
                    results["bytes"][label] = entry
                finally:
                    relay.stop()
            finally:
                server.stop()

        for version in ("1.2", "1.3"):
            server = BulkServer(pki, version=version)
            try:
                for down in (True, False):
                    key = f"{'download' if down else 'upload'} {bulk_size // MIB or bulk_size // 1024}" \
                          f"{' MiB' if bulk_size >= MIB else ' KiB'}, TLS {version}, 16 KiB reads/writes"
                    params = dict(ca=ca, port=server.port, size=bulk_size, down=down)
                    jobs = {name: (lambda b=b: [run_mpy(b, BULK % params)]) for name, b in BINARIES.items()}
                    if version == "1.3":
                        jobs["mbedtls"] = None
                    else:
                        jobs["lean"] = None
                    jobs["cpython"] = lambda: [cpython_bulk(ca, server.port, bulk_size, down)]
                    results["bulk_mb_s"][key] = interleaved(bulk_rounds, jobs)
                # TLS 1.2 for ours and mbedTLS's; TLS 1.3 for ours and the lean engine's.
                names = ("ussl", "mbedtls") if version == "1.2" else ("ussl", "lean")
                for name in names:
                    results["memory" if version == "1.2" else "memory_tls13"][name] = run_mpy(
                        BINARIES[name], MEMORY % dict(mc=mc, ca=ca, port=server.port), env={"LD_PRELOAD": mc})
            finally:
                server.stop()
        results["size"] = code_sizes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if smoke:
        check_complete(results)
        out = os.path.join(ROOT, "build", "bench-smoke.json")
        json.dump(results, open(out, "w"), indent=2)
        print(f"bench-smoke: every workload ran; results in {out}")
        return
    json.dump(results, open(os.path.join(ROOT, "bench", "results.json"), "w"), indent=2)
    write_markdown(results)
    write_chart(results)
    print(open(os.path.join(ROOT, "BENCHMARKS.md")).read())


def check_complete(results):
    for section in ("handshake_ms", "resumed_ms", "bulk_mb_s"):
        assert results[section], section
        for key, per in results[section].items():
            assert per["ussl"] and per["ussl"]["median"] > 0, (section, key)
    for name in ("ussl", "mbedtls"):
        assert results["memory"][name]["held_gc"] > 0, name
    for name in ("ussl", "lean"):
        assert results["memory_tls13"][name]["held_gc"] > 0, name
    assert any(per.get("lean") for per in results["handshake_ms"].values())
    assert results["size"]["ussl_text"] > 0


def lean_cell(per):
    if "lean" not in per:
        return "not measured yet"  # results from before the lean engine
    s = per["lean"]
    return f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f})" if s else "no TLS 1.2"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "n/a"


def write_markdown(r):
    lines = ["# Benchmarks: ussl vs MicroPython's mbedTLS module", "",
             f"Measured by `{r['command']}` on {r['date']} ({r['machine']}). Both binaries are built from the same "
             f"MicroPython {r.get('micropython', '1.28.0')} tree (unix port); the reference is MicroPython's own mbedTLS "
             "module with the tree's Mbed TLS 3.6.2 as MicroPython configures it (TLS 1.2 only, linked in), "
             "ours the Rust engine. Runs are interleaved (ussl, mbedTLS, CPython; repeated), against the same "
             "local servers (openssl s_server for handshakes, CPython's ssl for transfers). Medians with min-max. "
             "Ratio is ours over mbedTLS: below 1 is better for times and memory, above 1 for throughput.", "",
             "The lean column is ussl's lean engine (USSL_ENGINE=lean: embedded-tls, TLS 1.3 only; README).", "",
             "## Handshakes (connect + full handshake with verification), ms", "",
             "| workload | ussl | mbedTLS | ratio | ussl lean | CPython (OpenSSL) |", "|---|---|---|---|---|---|"]

    def cell(s):
        return f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f})" if s else "n/a"

    for key, per in r["handshake_ms"].items():
        m = per.get("mbedtls")
        lines.append(f"| {key} | {cell(per['ussl'])} | {cell(m) if m else 'no TLS 1.3'} | "
                     f"{ratio(per['ussl']['median'], m['median']) if m else 'n/a'} | {lean_cell(per)} | "
                     f"{cell(per['cpython'])} |")
    if r.get("client_cpu_ms"):
        lines += ["", "## Client CPU per full handshake (user + system), ms", "",
                  "| handshake (TCP_NODELAY) | ussl | mbedTLS | ratio | ussl lean | CPython (OpenSSL) | ussl / CPython |",
                  "|---|---|---|---|---|---|---|"]
        for key, per in r["client_cpu_ms"].items():
            m = per.get("mbedtls")
            lines.append(f"| {key} | {cell(per['ussl'])} | {cell(m) if m else 'no TLS 1.3'} | "
                         f"{ratio(per['ussl']['median'], m['median']) if m else 'n/a'} | {lean_cell(per)} | "
                         f"{cell(per['cpython'])} | {ratio(per['ussl']['median'], per['cpython']['median'])} |")
        lines += ["", "Each includes making the client context and loading its CA, as the scripts do per connection; "
                  "MicroPython's: a run of N handshakes less a run of none, over N (getrusage of the child)."]
    lines += ["", "## Resumed handshakes (ussl.save_session / saved_session), ms", "",
              "\"From bytes\" rebuilds the session from `SSLSession.serialize()`'s bytes first (`ussl.SSLSession(data)`, "
              "timed with the handshake), as a board does after a deep sleep.", "",
              "| workload | ussl resumed | ussl resumed from bytes | ussl full | resumed/full | mbedTLS |",
              "|---|---|---|---|---|---|"]
    for key, per in r["resumed_ms"].items():
        full = r["handshake_ms"][key]["ussl"]
        lines.append(f"| {key} | {cell(per['ussl'])} | {cell(per.get('ussl from bytes'))} | {cell(full)} | "
                     f"{ratio(per['ussl']['median'], full['median'])} | no resumption in the module |")
    if r.get("session_bytes"):
        lines += ["", "Serialized session (`len(SSLSession.serialize())`, the server's leaf certificate included): " +
                  ", ".join(f"{k} {v} B" for k, v in r["session_bytes"].items()) + "."]
    lines += ["", "## Bytes on the wire per handshake (client sent / received)", "",
              "The resumed column is a session rebuilt from its bytes (the same ClientHello as a saved one).", "",
              "| protocol | ussl full | ussl resumed | mbedTLS full |", "|---|---|---|---|"]
    for key, e in r["bytes"].items():
        f = lambda c: f"{c['sent']} / {c['received']}" if c else "n/a"
        lines.append(f"| {key} | {f(e['ussl full'])} | {f(e['ussl resumed'])} | {f(e.get('mbedtls full'))} |")
    lines += ["", "## Bulk transfer, MB/s", "", "| workload | ussl | mbedTLS | ratio | ussl lean | CPython (OpenSSL) |",
              "|---|---|---|---|---|---|"]
    for key, per in r["bulk_mb_s"].items():
        m = per.get("mbedtls")
        lines.append(f"| {key} | {cell(per['ussl'])} | {cell(m) if m else 'no TLS 1.3'} | "
                     f"{ratio(per['ussl']['median'], m['median']) if m else 'n/a'} | {lean_cell(per)} | "
                     f"{cell(per['cpython'])} |")
    mu, mm = r["memory"]["ussl"], r["memory"]["mbedtls"]
    lines += ["", "## Memory, bytes (one client connection, TLS 1.2 ECDSA, after a 16 KiB record)", "",
              "| | ussl | mbedTLS | ratio |", "|---|---|---|---|",
              f"| held by the idle connection: MicroPython heap | {mu['held_gc']} | {mm['held_gc']} | {ratio(mu['held_gc'], mm['held_gc'])} |",
              f"| held by the idle connection: C heap (malloc) | {mu['held_c']} | {mm['held_c']} | |",
              f"| held by the idle connection: total | {mu['held_gc'] + mu['held_c']} | {mm['held_gc'] + mm['held_c']} | "
              f"{ratio(mu['held_gc'] + mu['held_c'], mm['held_gc'] + mm['held_c'])} |",
              f"| peak of the TLS engine during handshake + record (ours: engine allocations on the MicroPython heap; "
              f"mbedTLS: malloc) | {mu['peak_engine']} | {mm['peak_c']} | {ratio(mu['peak_engine'], mm['peak_c'])} |",
              "", "The C heap is counted by an LD_PRELOAD malloc counter (bench/malloc_count.c); the MicroPython heap by "
              "gc.mem_alloc(); ours also by the engine's allocator (ussl._memory()).", ""]
    if r.get("memory_tls13"):
        u, l = r["memory_tls13"]["ussl"], r["memory_tls13"]["lean"]
        lines += ["### The same over TLS 1.3: ussl and its lean engine (mbedTLS's module has no TLS 1.3)", "",
                  "| | ussl | ussl lean | lean / ussl |", "|---|---|---|---|",
                  f"| held by the idle connection: MicroPython heap | {u['held_gc']} | {l['held_gc']} | "
                  f"{ratio(l['held_gc'], u['held_gc'])} |",
                  f"| peak of the TLS engine during handshake + record | {u['peak_engine']} | {l['peak_engine']} | "
                  f"{ratio(l['peak_engine'], u['peak_engine'])} |", ""]
    s = r["size"]
    lines += ["## Code size (text, bytes)", "", "| | ussl | mbedTLS | ratio |", "|---|---|---|---|",
              f"| added to the unix binary (x86_64, vs the same build without TLS) | {s['ussl_text']} | "
              f"{s['mbedtls_module_text']} module + {s['mbedtls_libraries_text']} shared libraries = {s['mbedtls_total_text']} | "
              f"{ratio(s['ussl_text'], s['mbedtls_total_text'])} |"]
    if s.get("lean_text"):
        lines.append(f"| the lean engine's, the same way | {s['lean_text']} | | "
                     f"{ratio(s['lean_text'], s['mbedtls_total_text'])} |")
    lines += ["", "The unix build is at opt-level 3 (Cargo.toml, [profile.release]): 305 KB more x86 text than at "
              "\"s\" (the binary's text 1,413,817 -> 1,719,165 B, `size build/micropython`), for about twice the "
              "download and upload throughput (TLS 1.2: 246 -> 512 MB/s down, 186 -> 372 up, then 700 up with the "
              "outgoing buffer kept across full-record writes) and faster handshakes (TLS 1.3: 1.48 -> 1.14 ms). Firmware keeps its own "
              "levels (the `firmware` profile: \"z\", the curve arithmetic at \"s\"; chosen by flash and qemu "
              "instruction counts, BENCHMARKS.md's firmware tables)."]
    lines.append("")
    qemu = os.path.join(ROOT, "bench", "results-qemu.json")
    if os.path.exists(qemu):
        lines += firmware_markdown(json.load(open(qemu)))
    pico = os.path.join(ROOT, "bench", "results-rp2040.json")
    if os.path.exists(pico):
        from pico_report import pico_markdown
        lines += pico_markdown(json.load(open(pico)))
    ram = os.path.join(ROOT, "bench", "results-pico-ram.json")
    if os.path.exists(ram):
        from pico_ram_report import ram_markdown
        lines += ram_markdown(json.load(open(ram)))
    crypto = os.path.join(ROOT, "bench", "results-pico-crypto.json")
    if os.path.exists(crypto):
        from pico_crypto import crypto_markdown
        lines += crypto_markdown(json.load(open(crypto)))
    sizes = os.path.join(ROOT, "bench", "results-size.json")
    if os.path.exists(sizes):
        lines += size_markdown(json.load(open(sizes)))
    open(os.path.join(ROOT, "BENCHMARKS.md"), "w").write("\n".join(lines))


def size_markdown(z):
    """The flash-by-crate table, from bench/size.py (make size)."""
    rp2 = z.get("RPI_PICO_W")
    z = {k: v for k, v in z.items() if k != "RPI_PICO_W"}
    targets = list(z)
    lines = ["## Flash by crate (make size)", "",
             "What ussl adds to each firmware image (text + data, bytes): the image with ussl minus the same "
             "image without TLS, and within that the symbols grouped by crate (`nm -S`, demangled). "
             "\"unattributed\" is rodata without symbols (string and constant tables) and what MicroPython itself "
             "grows by (qstrs, the frozen ssl.py).", "",
             "| crate | " + " | ".join(f"{t} ({z[t]['board']})" for t in targets) + " |",
             "|---|" + "---|" * len(targets)]
    crates = sorted({c for t in targets for c in z[t]["crates"]}, key=lambda c: -max(z[t]["crates"].get(c, 0) for t in targets))
    for c in crates:
        if max(z[t]["crates"].get(c, 0) for t in targets) < 1024:
            continue
        lines.append(f"| {c} | " + " | ".join(str(z[t]["crates"].get(c, 0)) for t in targets) + " |")
    small = {t: sum(v for c, v in z[t]["crates"].items() if max(z[u]["crates"].get(c, 0) for u in targets) < 1024) for t in targets}
    lines.append("| (crates under 1 KB) | " + " | ".join(str(small[t]) for t in targets) + " |")
    lines.append("| unattributed | " + " | ".join(str(z[t]["rest"]) for t in targets) + " |")
    lines.append("| **TLS share** | " + " | ".join(f"**{z[t]['tls_share']}**" for t in targets) + " |")
    lines.append("| the whole image | " + " | ".join(str(z[t]["image"]) for t in targets) + " |")
    lines.append("")
    if rp2 and "ussl" in rp2:
        lines += ["### RPI_PICO_W (firmware.bin, bytes)", "",
                  "| image | size | of the firmware region |", "|---|---|---|",
                  f"| stock RPI_PICO_W, MicroPython's mbedTLS module | {rp2.get('mbedtls', 'n/a')} | "
                  f"{rp2['mbedtls'] / rp2['region']:.1%} |" if "mbedtls" in rp2 else "| stock | n/a | |",
                  f"| RPI_PICO_W_USSL, ussl ({rp2.get('profile', '?')} profile) | {rp2['ussl']} | "
                  f"{rp2['ussl'] / rp2['region']:.1%} |",
                  f"| RPI_PICO_W_USSL, ussl's lean engine (USSL_ENGINE=lean, embedded-tls) | {rp2['lean']} | "
                  f"{rp2['lean'] / rp2['region']:.1%} |" if "lean" in rp2 else "| lean | n/a | |",
                  f"| the firmware region (2 MB flash less the 848 KB filesystem) | {rp2['region']} | |", ""]
    return lines


def firmware_markdown(q):
    """The firmware section, from bench/qemu_bench.py's results."""
    f = q["flash"]
    m = f["MPS2_AN385"]
    lines = ["## Firmware in qemu: MPS2_AN385 (Cortex-M3) and VIRT_RV32 (rv32imac)", "",
             "The same MicroPython 1.28.0 qemu images with ussl, with MicroPython's own mbedTLS module (MPS2_AN385; "
             "its configuration, entropy and clock hooks are in bench/qemu/), and with no TLS. Inputs are DER (the "
             "mbedTLS build parses no PEM); the script is the same for both (tests_fw/mpy/tlspair.py). Instructions "
             "are counted under `qemu -icount shift=0` (time.ticks_us() x 1000), median of the runs, per side of an "
             "in-memory client+server pair in one MicroPython.", "",
             "Which configuration each column is: **ussl** is the thumbv7m (Cortex-M3) engine of the `full` profile "
             "(P-256 and X25519 from the p256 and curve25519-dalek crates: Cortex-M3 has the 32x32->64 multiply, "
             "so ussl-arith's ARMv6-M code is not used there). **mbedTLS** is Mbed TLS 3.6.2 configured as "
             "MicroPython's rp2 port configures it: the bare-metal common configuration plus "
             "MBEDTLS_ECP_NIST_OPTIM, which ESP-IDF also enables (bench/qemu/mbedtls_port). Before issue 25 it "
             "was built without MBEDTLS_ECP_NIST_OPTIM, which made its TLS 1.2 ECDSA client 661.0 M instructions "
             "instead of 71.5 M (and its RSA client 309.7 M instead of 44.7 M): the 0.04 ratio this table showed "
             "then was against that slower build.", "",
             "### Flash (text + data, bytes)", "",
             "| image | total | TLS share (over the image without TLS) | ratio to mbedTLS |", "|---|---|---|---|",
             f"| MPS2_AN385, no TLS | {m['notls']} | | |",
             f"| MPS2_AN385, mbedTLS | {m['mbedtls']['image']} | {m['mbedtls']['tls_share']} | 1.00 |",
             f"| MPS2_AN385, ussl | {m['ussl']['image']} | {m['ussl']['tls_share']} | "
             f"{ratio(m['ussl']['tls_share'], m['mbedtls']['tls_share'])} |",
             *([f"| MPS2_AN385, ussl's lean engine (USSL_ENGINE=lean) | {m['lean']['image']} | {m['lean']['tls_share']} | "
                f"{ratio(m['lean']['tls_share'], m['mbedtls']['tls_share'])} |"] if "lean" in m else []),
             f"| VIRT_RV32, no TLS | {f['VIRT_RV32']['notls']} | | |",
             f"| VIRT_RV32, ussl | {f['VIRT_RV32']['ussl']['image']} | {f['VIRT_RV32']['ussl']['tls_share']} | |",
             "", "### Instructions per handshake (millions; client / server)", "",
             "| board, handshake | ussl full | mbedTLS full | ratio (client) | ussl resumed |", "|---|---|---|---|---|"]
    mb = q["handshakes"].get("MPS2_AN385 mbedtls", {})
    mio = lambda v: f"{v / 1e6:.1f}" if v else "n/a"
    for board in ("MPS2_AN385", "VIRT_RV32"):
        for label, e in q["handshakes"][f"{board} ussl"].items():
            b = mb.get(label) if board == "MPS2_AN385" else None
            lines.append(f"| {board}, {label} | {mio(e['full_client_insns'])} / {mio(e['full_server_insns'])} | "
                         f"{(mio(b['full_client_insns']) + ' / ' + mio(b['full_server_insns'])) if b else 'n/a'} | "
                         f"{ratio(e['full_client_insns'], b['full_client_insns']) if b else 'n/a'} | "
                         f"{mio(e['resumed_client_insns'])} / {mio(e['resumed_server_insns'])} |")
    ui = q.get("uart_handshake_insns")
    if ui:
        lines += ["", "### Instructions per client handshake against openssl s_server (millions; MPS2_AN385, over the UART)",
                  "", "The client's instructions from wrap_socket() to its return, less those spent in the UART stream "
                  "(waiting for the host included); the only measure that takes the lean engine, which has no server "
                  "side for the in-memory pair.", "",
                  "| handshake | ussl | mbedTLS | ussl lean | lean / ussl |", "|---|---|---|---|---|"]
        for label in ui.get("ussl", {}):
            u, b, l = ui["ussl"].get(label), ui.get("mbedtls", {}).get(label), ui.get("lean", {}).get(label)
            lines.append(f"| {label} | {mio(u)} | {mio(b) if b else 'no TLS 1.3'} | {mio(l) if l else 'no TLS 1.2'} | "
                         f"{ratio(l, u) if l else 'n/a'} |")
    lines += ["", "MicroPython's mbedTLS module has no session resumption.", "",
              "### Heap (bytes of the MicroPython heap)", "",
              "| MPS2_AN385, handshake | ussl | mbedTLS | ratio |", "|---|---|---|---|"]
    u_uart, m_uart = q["uart_client"].get("ussl", {}), q["uart_client"].get("mbedtls", {})
    for label, e in q["handshakes"]["MPS2_AN385 ussl"].items():
        b = mb.get(label)
        lines.append(f"| {label}: least free heap a client+server pair needs | {e['pair_needed_heap']} | "
                     f"{b['pair_needed_heap'] if b else 'n/a'} | {ratio(e['pair_needed_heap'], b['pair_needed_heap']) if b else 'n/a'} |")
    for label, e in u_uart.items():
        b = m_uart.get(label)
        lines.append(f"| {label}: least free heap one client connection to openssl s_server needs | "
                     f"{e.get('needed_heap')} | {b.get('needed_heap') if b else 'n/a'} | "
                     f"{ratio(e.get('needed_heap'), b.get('needed_heap')) if b else 'n/a'} |")
        lines.append(f"| {label}: held by that open connection (and its context) | {e['held_open']} | "
                     f"{b['held_open'] if b else 'n/a'} | {ratio(e['held_open'], b['held_open']) if b else 'n/a'} |")
    for label, e in q["uart_client"].get("lean", {}).items():
        lines.append(f"| {label}, the lean engine: least free heap one client connection to openssl s_server needs | "
                     f"{e.get('needed_heap')} | | |")
        lines.append(f"| {label}, the lean engine: held by that open connection (and its context) | {e['held_open']} | | |")
    lines += ["", "The least free heap is found by bisection: the heap is filled, then freed down to the amount tried.",
              "", "### Stack (bytes, deepest use in a handshake, by painting)", "",
              "| board, handshake | C stack below the Python caller, client / server | engine stack, client / server "
              "(of its size) |", "|---|---|---|"]
    for board, cases in q.get("stack", {}).items():
        for case, r in cases.items():
            lines.append(f"| {board}, {case} | {r['c_stack']['client']} / {r['c_stack']['server']} | "
                         f"{r['engine_stack']['client']} / {r['engine_stack']['server']} ({r['engine_stack_size']}) |")
    lines += ["", "On boards the engine runs on its own stack (src/runtime/engine_stack.rs); the C stack below the "
              "shim holds the trampoline and MicroPython's allocator (and any collection it starts). The budget the "
              "tests enforce: 6 KB of C stack, and 2 KB left unused on the engine stack.", ""]
    return lines + kx_report.lines(q)


def write_firmware_chart(q):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    mb = q["handshakes"].get("MPS2_AN385 mbedtls", {})
    labels, values = [], []
    for label, e in q["handshakes"]["MPS2_AN385 ussl"].items():
        b = mb.get(label)
        if b:
            short = label.replace("TLS 1.2 ", "").replace(" P-256", "").replace("-2048", "")
            labels.append(f"instructions\nclient {short}")
            values.append(e["full_client_insns"] / b["full_client_insns"])
            labels.append(f"instructions\nserver {short}")
            values.append(e["full_server_insns"] / b["full_server_insns"])
            labels.append(f"heap needed\npair {short}")
            values.append(e["pair_needed_heap"] / b["pair_needed_heap"])
    f = q["flash"]["MPS2_AN385"]
    labels.append("flash\n(TLS share)")
    values.append(f["ussl"]["tls_share"] / f["mbedtls"]["tls_share"])
    fig, ax = plt.subplots(figsize=(10, 4.5))
    ax.bar(range(len(values)), values, color=["#2a9d8f" if v < 1 else "#e76f51" for v in values])
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(values)))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("ussl / mbedTLS (log; lower is better)")
    ax.set_title("MPS2_AN385 (Cortex-M3) in qemu: ussl vs MicroPython's mbedTLS module", fontsize=9)
    for i, v in enumerate(values):
        ax.text(i, v, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "bench", "firmware.png"), dpi=120)


def write_chart(r):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing: no chart")
        return
    labels, values = [], []
    for key, per in r["handshake_ms"].items():
        if per.get("mbedtls"):
            short = key.replace("TLS 1.2 ", "").replace(" P-256", "").replace("-2048", "").replace("TCP_NODELAY", "nodelay")
            labels.append("handshake\n" + short.replace(", ", "\n"))
            values.append(per["ussl"]["median"] / per["mbedtls"]["median"])
    for key, per in r["bulk_mb_s"].items():
        if per.get("mbedtls"):
            labels.append(key.split(",")[0] + "\n(time)")
            values.append(per["mbedtls"]["median"] / per["ussl"]["median"])
    mu, mm = r["memory"]["ussl"], r["memory"]["mbedtls"]
    labels.append("memory held\nidle connection")
    values.append((mu["held_gc"] + mu["held_c"]) / (mm["held_gc"] + mm["held_c"]))
    labels.append("TLS engine\npeak")
    values.append(mu["peak_engine"] / mm["peak_c"])
    labels.append("code size\n(unix text)")
    values.append(r["size"]["ussl_text"] / r["size"]["mbedtls_total_text"])
    fig, ax = plt.subplots(figsize=(12, 5))
    colors = ["#2a9d8f" if v < 1 else "#e76f51" for v in values]
    ax.bar(range(len(values)), values, color=colors)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(values)))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("ussl / mbedTLS (lower is better)")
    ax.set_title(f"ussl vs MicroPython's mbedTLS module ({r['date']}, {r['machine']})", fontsize=9)
    for i, v in enumerate(values):
        ax.text(i, v, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "bench", "ratios.png"), dpi=120)
    qemu = os.path.join(ROOT, "bench", "results-qemu.json")
    if os.path.exists(qemu):
        write_firmware_chart(json.load(open(qemu)))
    pico = os.path.join(ROOT, "bench", "results-rp2040.json")
    if os.path.exists(pico):
        from pico_report import write_pico_chart
        write_pico_chart(json.load(open(pico)))


if __name__ == "__main__":
    sys.exit(main())
