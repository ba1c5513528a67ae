"""verify_callback with mainline MicroPython's meaning: `ctx.verify_callback = f`; f(cert, depth)
runs for each certificate the peer presented, top of the chain first, after the engine verified
them (the callback is called from C, never from a Rust frame); a non-zero return fails the
handshake, and an exception in it fails the handshake and reaches the caller.
MicroPython's own multi_net/sslcontext_verify_callback.py runs in test_micropython_suite.py."""
import hashlib
import socket
import ssl
import subprocess
import time

import pytest

from helpers import MICROPYTHON, PRELUDE, free_port, run_mpy, server_context

CLIENT = PRELUDE + """
import tls, socket, hashlib, binascii
seen = []
def record(cert, depth):
    seen.append((depth, type(cert).__name__, binascii.hexlify(hashlib.sha256(cert).digest()).decode()))
    return 0
def tls_connect(port, callback, ca, hostname='localhost'):
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=open(ca, 'rb').read())
    ctx.verify_callback = callback
    s = socket.socket()
    s.connect(addr(port))
    return ctx.wrap_socket(s, server_hostname=hostname)
"""


def sha256_hex(der):
    return hashlib.sha256(der).hexdigest()


def chain_ders(pki):
    return [ssl.PEM_cert_to_DER_cert(p.bytes().decode()) for p in pki.chained_leaf.cert_chain_pems]


def test_called_for_each_certificate_top_first(pki, tls_server):
    server = tls_server(server_context(pki.chain_pem, pki.chain_key))
    r = run_mpy(CLIENT + f"""
s = tls_connect({server.port}, record, {pki.ca_pem!r})
s.write(b'ping'); print(s.read(4)); s.close()
for depth, kind, digest in seen:
    print(depth, kind, digest)
""")
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0] == "b'ping'", r
    leaf, intermediate = chain_ders(pki)
    assert lines[1:] == [f"1 bytes {sha256_hex(intermediate)}", f"0 bytes {sha256_hex(leaf)}"], r


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_non_zero_refuses_and_the_next_handshake_works(pki, tls_server, version):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, version=version))
    r = run_mpy(CLIENT + f"""
def refuse(cert, depth):
    seen.append(depth)
    return 1
print(fails(lambda: tls_connect({server.port}, refuse, {pki.ca_pem!r})), seen)
s = tls_connect({server.port}, lambda cert, depth: 0, {pki.ca_pem!r})
s.write(b'again'); print(s.read(5)); s.close()
""")
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0].startswith("ValueError") and "verify_callback refused" in lines[0], r
    assert lines[0].endswith("[0]"), r
    assert lines[1] == "b'again'", r
    # The refused handshake's last flight never left: the server saw it fail, not succeed.
    deadline = time.time() + 5
    while not server.errors and time.time() < deadline:
        time.sleep(0.05)
    assert len(server.errors) == 1, server.errors


def test_exception_in_the_callback_reaches_the_caller(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(CLIENT + f"""
def boom(cert, depth):
    raise RuntimeError('no thanks')
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cadata=open({pki.ca_pem!r}, 'rb').read())
ctx.verify_callback = boom
print(ctx.verify_callback is boom)
s = socket.socket(); s.connect(addr({server.port}))
t = ctx.wrap_socket(s, server_hostname='localhost', do_handshake_on_connect=False)
print(fails(lambda: t.write(b'x')))
print(fails(lambda: t.write(b'x')))
t.close()
""")
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0] == "True", r
    assert lines[1] == "RuntimeError no thanks", r
    # Sticky afterwards: the connection failed with the callback's refusal.
    assert "verify_callback refused" in lines[2], r


def test_not_called_when_verification_fails(pki, tls_server):
    """The engine's checks come first: a chain it refuses never reaches the callback."""
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(CLIENT + f"""
print(fails(lambda: tls_connect({server.port}, record, {pki.other_ca_pem!r})), seen)
""")
    assert r.rc == 0, r
    assert r.lines()[0].startswith("ValueError") and r.lines()[0].endswith("[]"), r


def test_through_ssl_and_asyncio(pki, tls_server):
    """ssl.py's SSLContext forwards it, and asyncio's non-blocking handshake runs it too."""
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(f"""
import ssl, asyncio
seen = []
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_verify_locations(cafile={pki.ca_pem!r})
ctx.verify_callback = lambda cert, depth: seen.append(depth) or 0
async def main():
    r, w = await asyncio.open_connection('127.0.0.1', {server.port}, ssl=ctx, server_hostname='localhost')
    w.write(b'async'); await w.drain()
    print(await r.read(5))
    w.close(); await w.wait_closed()
asyncio.run(main())
print(seen)
""")
    assert r.rc == 0, r
    assert r.lines() == ["b'async'", "[0]"], r


def test_server_side_sees_the_client_certificate(pki):
    port = free_port()
    script = PRELUDE + f"""
import tls, socket, hashlib, binascii
ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(open({pki.ec_cert!r}, 'rb').read(), open({pki.ec_key!r}, 'rb').read())
ctx.load_verify_locations(cadata=open({pki.ca_pem!r}, 'rb').read())
ctx.verify_mode = tls.CERT_REQUIRED
seen = []
ctx.verify_callback = lambda cert, depth: seen.append((depth, binascii.hexlify(hashlib.sha256(cert).digest()).decode())) or 0
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(addr({port})); ls.listen(1)
print('listening')
c, _ = ls.accept()
t = ctx.wrap_socket(c, server_side=True)
t.write(t.read(5)); t.close(); ls.close()
print(seen)
"""
    proc = subprocess.Popen([MICROPYTHON, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "listening"
        ctx = ssl.create_default_context(cafile=pki.ca_pem)
        ctx.load_cert_chain(pki.client_cert, pki.client_key)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as t:
                t.sendall(b"hello")
                assert t.recv(5) == b"hello"
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    client_der = ssl.PEM_cert_to_DER_cert(open(pki.client_cert).read())
    ca_der = ssl.PEM_cert_to_DER_cert(pki.ca.cert_pem.bytes().decode())
    # OpenSSL sends the CA's certificate after the client's, since it is in its store.
    expected = [(1, sha256_hex(ca_der)), (0, sha256_hex(client_der))]
    assert out.strip() in (str(expected), str(expected[1:])), out + err
