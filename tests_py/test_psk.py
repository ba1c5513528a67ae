"""TLS-PSK against peers we did not write: our client against `openssl s_server -psk -nocert`,
our server against `openssl s_client -psk`, in TLS 1.3 (external PSK, psk_dhe_ke) and TLS 1.2
(PSK-AES128-GCM-SHA256, the suite mainline's mbedTLS module and OpenSSL share). Wrong keys,
unknown identities and failing lookups fail the handshake on both ends, without a hang.
MicroPython master's own PSK tests run in test_micropython_suite.py (both ends ours)."""
import subprocess

import pytest

from helpers import MICROPYTHON, free_port, run_mpy

IDENTITY = b"micropython"
KEY = b"secret-shared-key"


@pytest.fixture
def psk_server(openssl_server):
    """openssl s_server with a PSK and no certificate; echoes lines reversed (-rev)."""
    return lambda key=KEY, identity=IDENTITY, version="1.3": openssl_server(
        "-rev", "-tls" + version.replace(".", "_"), psk=(identity, key))


CLIENT = """
import socket, tls
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.psk_identity = {identity}
ctx.psk_key = {key}
s = socket.socket()
s.connect(socket.getaddrinfo('127.0.0.1', {port})[0][-1])
try:
    s = ctx.wrap_socket(s, server_hostname='localhost')
    s.write(b'hello\\n')
    print('ok', s.read(6), s.cipher()[1], s.cipher()[0], s.getpeercert(True))
except OSError as e:
    print('error', type(e).__name__, e.args[0])
s.close()
"""


SUITE = {"1.3": "TLS_AES_128_GCM_SHA256", "1.2": "PSK-AES128-GCM-SHA256"}


@pytest.mark.parametrize("version", ["1.3", "1.2"])
def test_client_connects_to_openssl_with_psk(psk_server, version):
    port = psk_server(version=version)
    r = run_mpy(CLIENT, port=port, identity=IDENTITY, key=KEY, timeout=30)
    # No certificate in a PSK handshake: getpeercert(True) has none to give.
    assert r.lines() == [f"ok b'olleh\\n' TLSv{version} {SUITE[version]} None"], r


def test_client_with_a_str_identity_and_a_48_byte_key(psk_server):
    port = psk_server(key=bytes(range(48)), identity=b"sensor-7")
    r = run_mpy(CLIENT, port=port, identity="sensor-7", key=bytes(range(48)), timeout=30)
    assert r.lines()[0].startswith("ok b'olleh\\n' TLSv1.3"), r


@pytest.mark.parametrize("version", ["1.3", "1.2"])
def test_client_with_the_wrong_key_fails_cleanly(psk_server, version):
    port = psk_server(version=version)
    r = run_mpy(CLIENT, port=port, identity=IDENTITY, key=b"wrong-key", timeout=30)
    # TLS 1.3: OpenSSL checks the binder with its key and refuses (decrypt_error); TLS 1.2: our
    # Finished does not verify under its key (decrypt_error, or bad_record_mac).
    assert r.lines() == ["error SSLError 400"], r


def test_client_refuses_a_server_that_does_not_take_the_psk(openssl_server):
    """A certificate server ignores the PSK; our client does not fall back to certificates."""
    port = openssl_server("-tls1_3")
    r = run_mpy(CLIENT, port=port, identity=IDENTITY, key=KEY, timeout=30)
    assert r.lines() == ["error SSLError 410"], r


SERVER = """
import socket, tls
class Keys:
    def get(self, identity):
        print('lookup', identity)
        return {answer}
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(socket.getaddrinfo('127.0.0.1', {port})[0][-1])
ls.listen(1)
print('ready')
c, _ = ls.accept()
ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
ctx.server_psk_keys = Keys()
try:
    s = ctx.wrap_socket(c, server_side=True)
    print('ok', s.read(6), s.version())
    s.write(b'pong\\n')
    s.close()
except OSError as e:
    print('error', type(e).__name__, e.args[0])
    c.close()
ls.close()
"""


def serve_openssl_client(answer, identity=IDENTITY, key=KEY, version="1.3"):
    """Our server (answering lookups with `answer`, an expression) and openssl s_client; returns
    our server's lines and the client's output."""
    port = free_port()
    script = SERVER.replace("{port}", str(port)).replace("{answer}", answer)
    server = subprocess.Popen([MICROPYTHON, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        client = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-psk", key.hex(),
                                 "-psk_identity", identity.decode(), "-tls" + version.replace(".", "_"),
                                 "-quiet", "-ign_eof"],
                                input=b"hello\n", capture_output=True, timeout=30)
        out, _ = server.communicate(timeout=30)
    finally:
        server.kill()
        server.wait(timeout=5)
    return out.strip().splitlines(), client.stdout + client.stderr


@pytest.mark.parametrize("version", ["1.3", "1.2"])
def test_server_serves_openssl_with_psk(version):
    lines, client = serve_openssl_client("{b'micropython': b'secret-shared-key'}.get(identity)", version=version)
    assert lines == ["lookup b'micropython'", f"ok b'hello\\n' TLSv{version}"]
    assert b"pong" in client


@pytest.mark.parametrize("version", ["1.3", "1.2"])
def test_server_refuses_an_unknown_identity(version):
    lines, client = serve_openssl_client("{b'micropython': b'secret-shared-key'}.get(identity)", identity=b"stranger",
                                         version=version)
    assert lines == ["lookup b'stranger'", "error SSLError 409"]
    assert b"unknown psk identity" in client


def test_server_refuses_a_client_with_the_wrong_key():
    lines, client = serve_openssl_client("b'secret-shared-key'", key=b"wrong-key")
    # The client's binder does not verify (RFC 8446 section 4.2.11: decrypt_error).
    assert lines == ["lookup b'micropython'", "error SSLError 402"]
    assert b"decrypt error" in client


def test_server_refuses_a_tls12_client_with_the_wrong_key():
    lines, client = serve_openssl_client("b'secret-shared-key'", key=b"wrong-key", version="1.2")
    # The client's Finished does not decrypt under our key (bad_record_mac).
    assert lines == ["lookup b'micropython'", "error SSLError 403"]


@pytest.mark.parametrize("version", ["1.3", "1.2"])
@pytest.mark.parametrize("answer", ["1 / 0", "12345", "b'x' * 49", "b''"])
def test_a_lookup_that_fails_fails_that_handshake_only(answer, version):
    lines, client = serve_openssl_client(answer, version=version)
    assert lines == ["lookup b'micropython'", "error SSLError 411"]
    assert b"unknown psk identity" in client


def test_psk_attributes_and_their_errors():
    r = run_mpy("""
import tls
c = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
s = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
for ctx, attr, value in ((c, 'psk_identity', b''), (s, 'psk_identity', b'x'), (c, 'psk_identity', b'x' * 257)):
    ctx.psk_identity = None
    ctx.psk_key = b'k'
    try:
        setattr(ctx, attr, value)
        print('no error')
    except Exception as e:
        print(type(e).__name__)
c.psk_identity = None
c.psk_key = b'x' * 49
print('a half None: nothing applied')
c.psk_key = b'k'
c.psk_identity = b'x'
try:
    c.psk_key = 5
except TypeError:
    print('TypeError')
""")
    assert r.lines() == ["SSLError", "ValueError", "SSLError", "a half None: nothing applied", "TypeError"], r
