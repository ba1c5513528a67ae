"""ussl's server side against clients nobody here wrote: CPython's ssl, openssl s_client and
gnutls-cli, and our own client."""
import os
import socket
import ssl
import subprocess
import time

import pytest

from helpers import PRELUDE, run_mpy
from helpers.strict import need_tool
from mpy_server import MpyServer


@pytest.fixture
def mpy_server():
    servers = []

    def start(args, count=1, mark=-1):
        s = MpyServer(args, count, mark)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


def server_args(pki, kind="ec", cert_reqs="CERT_NONE", ca=True, chain=False):
    if chain:
        cert, key = pki.chain_pem, pki.chain_key
    else:
        cert, key = (pki.ec_cert, pki.ec_key) if kind == "ec" else (pki.rsa_cert, pki.rsa_key)
    args = f"certfile={cert!r}, keyfile={key!r}, cert_reqs=ussl.{cert_reqs}"
    if ca:
        args += f", ca_certs={pki.ca_pem!r}"
    return args


def client_context(pki, version=None, cert=None, key=None):
    ctx = ssl.create_default_context(cafile=pki.ca_pem)
    if version == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif version == "1.3":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def cpython_client(pki, port, version=None, cert=None, key=None, session=None, ctx=None):
    ctx = ctx or client_context(pki, version, cert, key)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as t:
            t.sendall(b"hello")
            reply = t.recv(5)
            return reply, t.version(), t.session, t.session_reused


@pytest.mark.parametrize("version", ["1.2", "1.3"])
@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_serves_cpython(pki, mpy_server, version, kind):
    server = mpy_server(server_args(pki, kind))
    reply, v, _, _ = cpython_client(pki, server.port, version)
    assert reply == b"HELLO"
    assert v == f"TLSv{version}"
    assert server.next_line() == f"ok TLSv{version} False None"


def test_chain_with_intermediate(pki, mpy_server):
    server = mpy_server(server_args(pki, chain=True))
    reply, _, _, _ = cpython_client(pki, server.port)
    assert reply == b"HELLO"


@pytest.mark.parametrize("mode,with_cert,expected", [
    ("CERT_NONE", False, "ok TLSv1.3 False None"),
    ("CERT_NONE", True, "ok TLSv1.3 False None"),
    ("CERT_OPTIONAL", False, "ok TLSv1.3 False None"),
    ("CERT_OPTIONAL", True, "ok TLSv1.3 False device-42"),
    ("CERT_REQUIRED", True, "ok TLSv1.3 False device-42"),
    ("CERT_REQUIRED", False, "error SSLError"),
])
def test_client_certificate_modes(pki, mpy_server, mode, with_cert, expected):
    server = mpy_server(server_args(pki, cert_reqs=mode), count=2)
    cert = (pki.client_cert, pki.client_key) if with_cert else (None, None)
    try:
        reply, _, _, _ = cpython_client(pki, server.port, "1.3", *cert)
    except (ssl.SSLError, OSError):
        reply = None
    line = server.next_line()
    assert line.startswith(expected), line
    if expected.startswith("ok"):
        assert reply == b"HELLO"
    else:
        assert "certificate" in line, line
    # The listening socket and the interpreter serve the next client.
    reply, _, _, _ = cpython_client(pki, server.port, "1.3", pki.client_cert, pki.client_key)
    assert reply == b"HELLO"
    assert server.next_line().startswith("ok")


@pytest.mark.parametrize("mode", ["CERT_OPTIONAL", "CERT_REQUIRED"])
def test_client_certificate_from_unrelated_ca_is_refused(pki, mpy_server, mode):
    server = mpy_server(server_args(pki, cert_reqs=mode), count=1)
    with pytest.raises((ssl.SSLError, OSError)):
        reply, _, _, _ = cpython_client(pki, server.port, "1.2", pki.client_other_cert, pki.client_other_key)
        assert not reply
    line = server.next_line()
    assert line.startswith("error SSLError") and "unknown issuer" in line, line


def test_our_client_with_rsa_certificate_to_our_server(pki, mpy_server):
    server = mpy_server(server_args(pki, cert_reqs="CERT_REQUIRED"))
    r = run_mpy(PRELUDE + f"""
s = connect({server.port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r}, server_hostname='localhost',
            certfile={pki.client_rsa_cert!r}, keyfile={pki.client_rsa_key!r})
s.write(b'hello'); print(s.read(5)); s.close()
""")
    assert r.lines() == ["b'HELLO'"], r
    assert server.next_line() == "ok TLSv1.3 False device-rsa"


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_cpython_resumes_against_our_server(pki, mpy_server, version):
    server = mpy_server(server_args(pki), count=2)
    ctx = client_context(pki, version)
    _, _, session, reused = cpython_client(pki, server.port, ctx=ctx)
    assert not reused
    assert server.next_line().startswith("ok")
    _, _, _, reused = cpython_client(pki, server.port, session=session, ctx=ctx)
    assert reused
    assert server.next_line() == f"ok TLSv{version} True None"


def test_our_server_keeps_the_state_of_the_settings_it_served_with_lately(pki, mpy_server):
    """wrap_socket(server_side=True) makes a context per connection; those of the same settings
    share ticket keys. States for four settings are kept (the ALPN list tells them apart here):
    beyond that the one served with longest ago is dropped, and clients of the others resume."""
    order = "abcdaea"
    server = mpy_server(server_args(pki) + f", alpn_protocols=[{order!r}[i]]", count=len(order))
    ctx = client_context(pki, "1.3")
    session, reused = None, []
    for settings in order:
        _, _, new, r = cpython_client(pki, server.port, session=session if settings == "a" else None, ctx=ctx)
        assert server.next_line().startswith("ok")
        reused.append(r)
        if settings == "a":
            session = new
    assert reused == [False, False, False, False, True, False, True]


@pytest.mark.parametrize("flag", ["-tls1_2", "-tls1_3"])
def test_openssl_s_client_resumes(pki, mpy_server, tmp_path, flag):
    server = mpy_server(server_args(pki), count=2)
    sess = str(tmp_path / "sess.pem")
    base = ["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", "-CAfile", pki.ca_pem,
            "-servername", "localhost", "-ign_eof", flag]
    first = subprocess.run(base + ["-sess_out", sess], input=b"hello", capture_output=True, timeout=20)
    assert b"HELLO" in first.stdout, first
    assert server.next_line().startswith("ok")
    second = subprocess.run(base + ["-sess_in", sess], input=b"hello", capture_output=True, timeout=20)
    assert b"Reused," in second.stdout, second.stdout[-800:]
    assert server.next_line().endswith("True None")


def test_gnutls_cli(pki, mpy_server):
    need_tool("gnutls-cli")
    server = mpy_server(server_args(pki), count=2)
    r = subprocess.run(["gnutls-cli", "--x509cafile", pki.ca_pem, "-p", str(server.port), "--resume",
                        "localhost"], input=b"hello", capture_output=True, timeout=30)
    out = r.stdout.decode(errors="replace")
    assert "This is a resumed session" in out, out[-1500:]
    assert server.next_line().startswith("ok")
    assert server.next_line().startswith("ok TLSv1.3 True")


def test_misbehaving_clients_do_not_stop_the_server(pki, mpy_server):
    server = mpy_server(server_args(pki), count=4)
    # Garbage, a client that hangs up, a client that never speaks (the 3 s timeout ends it).
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
    assert "not TLS" in server.next_line()
    socket.create_connection(("127.0.0.1", server.port)).close()
    assert "connection closed during handshake" in server.next_line()
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        line = server.next_line(timeout=10)
    assert "handshake timed out" in line
    reply, _, _, _ = cpython_client(pki, server.port)
    assert reply == b"HELLO"


def test_fifty_clients_in_a_row_without_heap_growth(pki, mpy_server):
    server = mpy_server(server_args(pki), count=55, mark=5)
    for i in range(5):
        cpython_client(pki, server.port)
        server.next_line()
    before = int(server.next_line().split()[1])
    t0 = time.time()
    for i in range(50):
        reply, _, _, _ = cpython_client(pki, server.port)
        assert reply == b"HELLO"
        assert server.next_line().startswith("ok")
    after = int(server.next_line().split()[1])
    elapsed_ms = int(server.next_line().split()[1])
    print(f"\n50 handshakes served: {elapsed_ms / 50:.2f} ms each (server side, incl. client time); "
          f"heap before {before} after {after}")
    assert after - before < 2048


def test_four_threads_of_twenty_five_clients(pki, tls_server):
    from helpers import server_context
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(PRELUDE + f"""
import _thread, time
results = []
lock = _thread.allocate_lock()
ca = open({pki.ca_pem!r}, 'rb').read()
def worker(n):
    ok = 0
    for i in range(25):
        try:
            s = connect({server.port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs=ca, server_hostname='localhost')
            msg = b'w%d-%d' % (n, i)
            s.write(msg)
            if s.read(len(msg)) == msg:
                ok += 1
            s.close()
        except Exception as e:
            print('worker error', n, e)
    with lock:
        results.append(ok)
def main():
    # In a function: without a GIL, module-level assignments would change the globals dict
    # while the workers read it.
    for n in range(4):
        _thread.start_new_thread(worker, (n,))
    deadline = time.time() + 120
    while len(results) < 4 and time.time() < deadline:
        time.sleep(0.05)
    print(sorted(results))
main()
""", timeout=150)
    assert r.rc == 0, r
    assert r.lines()[-1] == "[25, 25, 25, 25]", r
