"""The signing hook (mainline's `ecdsa_sign_callback`): the context's ECDSA key is a placeholder
and the certificate's real key lives in a helper process standing in for a secure element,
which signs the digests it is sent over a socket. CPython's ssl is the peer: a server that
requires client certificates, and a client of our server; TLS 1.3 (CertificateVerify) and TLS
1.2 (CertificateVerify, ServerKeyExchange). Mainline's fallback (None: sign with the loaded key),
an exception (printed, as mainline prints it; the handshake fails) and a TLS call from inside the
callback (refused) are checked too."""
import socket
import ssl
import struct
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from helpers import Listener, MICROPYTHON, echo_handler, free_port, in_thread, run_mpy, server_context


class Element:
    """The secure element: signs each 32-byte digest it is sent with the key it holds."""

    def __init__(self, key_pem):
        self.key = serialization.load_pem_private_key(key_pem, None)
        self.signed = 0
        self.listener = Listener(lambda conn: in_thread(self.serve, conn))
        self.port = self.listener.port

    def serve(self, conn):
        conn.settimeout(20)
        with conn:
            while True:
                digest = conn.recv(32)
                if len(digest) != 32:
                    return
                sig = self.key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
                self.signed += 1
                conn.sendall(struct.pack(">H", len(sig)) + sig)

    def stop(self):
        self.listener.stop()


@pytest.fixture
def element(pki):
    elements = []

    def start(key_path):
        e = Element(open(key_path, "rb").read())
        elements.append(e)
        return e

    yield start
    for e in elements:
        e.stop()


@pytest.fixture(scope="module")
def placeholder(tmp_path_factory):
    """A P-256 key that matches no certificate (it names the element's slot), and its scalar."""
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path_factory.mktemp("placeholder") / "slot.key"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    scalar = key.private_numbers().private_value.to_bytes(32, "big").lstrip(b"\0")
    return str(path), scalar


# The callback of a board with an element: asks the element, over a socket, to sign the digest.
SIGNER = """
import socket, struct, gc
calls = []
def sign(key, digest):
    calls.append((bytes(key) == {scalar}, len(digest), type(key).__name__, type(digest).__name__))
    gc.collect()
    junk = [bytearray(100) for _ in range(50)]
    e = socket.socket()
    e.connect(socket.getaddrinfo('127.0.0.1', {element})[0][-1])
    e.write(bytes(digest))
    n = struct.unpack('>H', e.read(2))[0]
    sig = e.read(n)
    e.close()
    return sig
"""

CLIENT = SIGNER + """
import socket, tls
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cafile={ca})
ctx.ecdsa_sign_callback = sign
ctx.load_cert_chain({cert}, {key})
s = socket.socket()
s.connect(socket.getaddrinfo('127.0.0.1', {port})[0][-1])
try:
    s = ctx.wrap_socket(s, server_hostname='localhost')
    s.write(b'ping')
    print('ok', s.read(4), s.version())
    s.close()
except OSError as e:
    print('error', type(e).__name__, e.args[0])
print(calls)
"""


@pytest.mark.parametrize("version", ["1.3", "1.2"])
def test_client_certificate_signed_by_the_element(pki, tls_server, element, placeholder, version):
    key_path, scalar = placeholder
    hsm = element(pki.client_key)
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, version=version, ca=pki.ca_pem, require_client=True))
    r = run_mpy(CLIENT, port=server.port, element=hsm.port, scalar=scalar, ca=pki.ca_pem, cert=pki.client_cert,
                key=key_path, timeout=60)
    assert r.lines() == [f"ok b'ping' TLSv{version}", "[(True, 32, 'bytearray', 'bytearray')]"], r
    assert hsm.signed == 1
    assert [s["commonName"] for s in server.seen] == ["device-42"]


SERVER = SIGNER + """
import tls
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(socket.getaddrinfo('127.0.0.1', {port})[0][-1])
ls.listen(1)
ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
ctx.ecdsa_sign_callback = sign
ctx.load_cert_chain({cert}, {key})
print('ready')
c, _ = ls.accept()
try:
    s = ctx.wrap_socket(c, server_side=True)
    s.write(s.read(4))
    print('ok', s.version())
    s.close()
except OSError as e:
    print('error', type(e).__name__, e.args[0])
    c.close()
print(calls)
"""


@pytest.mark.parametrize("version", ["1.3", "1.2"])
def test_server_key_signed_by_the_element(pki, element, placeholder, version):
    key_path, scalar = placeholder
    hsm = element(pki.ec_key)
    port = free_port()
    script = SERVER
    for name, value in dict(port=port, element=hsm.port, scalar=scalar, cert=pki.ec_cert, key=key_path).items():
        script = script.replace("{" + name + "}", repr(value))
    proc = subprocess.Popen([MICROPYTHON, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        ctx = ssl.create_default_context(cafile=pki.ca_pem)
        if version == "1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"pong")
                assert s.recv(4) == b"pong"
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait(timeout=5)
    assert out.splitlines() == [f"ok TLSv{version}", "[(True, 32, 'bytearray', 'bytearray')]"]
    assert hsm.signed == 1


def test_none_signs_with_the_loaded_key(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, ca=pki.ca_pem, require_client=True))
    r = run_mpy(CLIENT.replace(SIGNER, "calls = []\ndef sign(key, digest):\n    calls.append(len(digest))\n"),
                port=server.port, ca=pki.ca_pem, cert=pki.client_cert, key=pki.client_key, timeout=60)
    assert r.lines() == ["ok b'ping' TLSv1.3", "[32]"], r
    assert [s["commonName"] for s in server.seen] == ["device-42"]


@pytest.mark.parametrize("body, printed", [
    ("raise ValueError('element unplugged')", "ValueError: element unplugged"),
    # A TLS call inside the callback would run in the middle of the engine's step: refused.
    ("tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)", "no TLS call may be made from inside ecdsa_sign_callback"),
    ("return 42", "TypeError"),
])
def test_a_failing_callback_fails_the_handshake_cleanly(pki, tls_server, placeholder, body, printed):
    key_path, _ = placeholder
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, ca=pki.ca_pem, require_client=True))
    signer = "import tls\ncalls = []\ndef sign(key, digest):\n    calls.append(1)\n    " + body + "\n"
    r = run_mpy(CLIENT.replace(SIGNER, signer) + "print(tls.SSLContext(tls.PROTOCOL_TLS_CLIENT))\n",
                port=server.port, ca=pki.ca_pem, cert=pki.client_cert, key=key_path, timeout=60)
    lines = r.lines()
    # Printed as mainline prints it, then the handshake fails; the interpreter goes on.
    assert any(printed in line for line in lines[:-3]), r
    assert lines[-3:] == ["error SSLError 412", "[1]", "<SSLContext client>"], r


def test_without_a_callback_a_placeholder_key_is_refused(pki, placeholder):
    r = run_mpy("""
import tls
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
try:
    ctx.load_cert_chain({cert}, {key})
except ValueError as e:
    print('ValueError', e)
ctx.ecdsa_sign_callback = print
ctx.load_cert_chain({cert}, {key})
print(ctx.ecdsa_sign_callback is print)
""", cert=pki.client_cert, key=placeholder[0])
    assert r.lines() == ["ValueError the private key does not match the certificate", "True"], r
