"""Key-exchange groups: X25519MLKEM768 (the post-quantum hybrid) against tlslite-ng with kyber-py,
a peer nobody here wrote; the choice of groups on a context (set_groups/get_groups, OpenSSL's
names) and the group a handshake agreed on (SSLSocket.group())."""
import os
import socket
import subprocess
import sys

from helpers import MICROPYTHON, free_port, run_mpy, server_context, wait_port

PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers")
ALL_GROUPS = ["X25519MLKEM768", "X25519", "P-256"]

CLIENT = """
import socket, tls
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cadata=open({ca}, 'rb').read())
if {groups} is not None:
    ctx.set_groups({groups})
s = socket.socket()
s.connect(socket.getaddrinfo('127.0.0.1', {port})[0][-1])
try:
    t = ctx.wrap_socket(s, server_hostname='localhost')
    t.write(b'hello')
    print(t.read(5), t.version(), t.group())
    t.close()
except Exception as e:
    print('error', type(e).__name__, e)
print('alive', 6 * 7)
"""


class TlsliteGroupServer:
    """tlslite-ng (peers/tlslite_group_server.py) taking only `groups` (tlslite's names); the port
    probe is one of its `connections`."""

    def __init__(self, pki, groups, connections):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, os.path.join(PEERS, "tlslite_group_server.py"), str(self.port),
                                      pki.ec_cert, pki.ec_key, groups, str(connections)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_port(self.port, self.proc, what="tlslite-ng")

    def lines(self):
        """What it printed, once it has served all its connections (bounded)."""
        out, _ = self.proc.communicate(timeout=60)
        return out.split()

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=5)


def our_client(pki, port, groups=None):
    return run_mpy(CLIENT, ca=pki.ca_pem, port=port, groups=groups)


def test_our_client_agrees_on_the_hybrid_with_tlslite_taking_it_alone(pki):
    server = TlsliteGroupServer(pki, "x25519mlkem768", connections=2)
    try:
        r = our_client(pki, server.port)
        assert r.lines() == ["b'HELLO' TLSv1.3 X25519MLKEM768", "alive 42"], r
        assert server.lines()[-1] == "served"
    finally:
        server.stop()


def test_our_client_without_the_hybrid_fails_cleanly_against_tlslite_taking_it_alone(pki):
    server = TlsliteGroupServer(pki, "x25519mlkem768", connections=2)
    try:
        r = our_client(pki, server.port, groups=["X25519", "P-256"])
        assert r.lines()[0].startswith("error SSLError"), r
        assert r.lines()[-1] == "alive 42", r
    finally:
        server.stop()


def test_our_client_offers_its_x25519_half_to_a_server_without_the_hybrid(pki, tls_server):
    """CPython's server (OpenSSL 3.0) has no ML-KEM: the handshake takes the X25519 share the
    client sends beside the hybrid's."""
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = our_client(pki, server.port)
    assert r.lines() == ["b'hello' TLSv1.3 X25519", "alive 42"], r  # it echoes as it is


SERVER = """
import socket, tls
ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(open({cert}, 'rb').read(), open({key}, 'rb').read())
if {groups} is not None:
    ctx.set_groups({groups})
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(socket.getaddrinfo('127.0.0.1', {port})[0][-1])
s.listen(2)
for i in range(2):
    c, _ = s.accept()
    try:
        t = ctx.wrap_socket(c, server_side=True)
        t.write(t.read(5).upper())
        print('served', t.group())
        t.close()
    except Exception as e:
        print('error', type(e).__name__, e)
        c.close()
"""


def tlslite_client(pki, port, groups):
    """A tlslite-ng client offering `groups` (tlslite's names), each with a key share."""
    from tlslite import HandshakeSettings, TLSConnection, X509CertChain
    settings = HandshakeSettings()
    settings.minVersion = (3, 4)
    settings.eccCurves = list(groups)
    settings.keyShares = list(groups)
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        t = TLSConnection(s)
        t.handshakeClientCert(settings=settings, serverName="localhost")
        chain = X509CertChain()
        chain.parsePemList(open(pki.ec_cert).read())
        assert t.session.serverCertChain.getFingerprint() == chain.getFingerprint()
        t.write(b"hello")
        data = t.read(max=5)
        t.close()
        return data


def run_our_server(pki, groups, clients):
    """Our server (tls module) for two connections: `clients(port)` makes them; returns what it
    printed."""
    port = free_port()
    script = SERVER
    for name, value in dict(cert=pki.ec_cert, key=pki.ec_key, groups=groups, port=port).items():
        script = script.replace("{" + name + "}", repr(value))
    proc = subprocess.Popen([MICROPYTHON, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_port(port, proc, what="our server")  # the probe is its first connection
        clients(port)
        out, _ = proc.communicate(timeout=60)
        return out.splitlines()
    finally:
        proc.kill()
        proc.wait(timeout=5)


def test_tlslite_offering_the_hybrid_alone_gets_it_from_our_server(pki):
    got = []
    lines = run_our_server(pki, None, lambda port: got.append(tlslite_client(pki, port, ["x25519mlkem768"])))
    assert got == [b"HELLO"]
    assert lines[-1] == "served X25519MLKEM768", lines


def test_our_server_prefers_the_hybrid_among_the_shares_offered(pki):
    """tlslite-ng lists X25519 first and sends both shares: our server takes the hybrid."""
    got = []
    lines = run_our_server(pki, None,
                           lambda port: got.append(tlslite_client(pki, port, ["x25519", "x25519mlkem768"])))
    assert got == [b"HELLO"]
    assert lines[-1] == "served X25519MLKEM768", lines


def test_our_server_limited_to_x25519_takes_that_share(pki):
    got = []
    lines = run_our_server(pki, ["X25519"],
                           lambda port: got.append(tlslite_client(pki, port, ["x25519mlkem768", "x25519"])))
    assert got == [b"HELLO"]
    assert lines[-1] == "served X25519", lines


def test_set_groups_takes_openssl_names_and_refuses_unknown_ones():
    r = run_mpy("""
import tls, ssl
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
print(ctx.get_groups())
ctx.set_groups(['prime256v1', '?P-999', 'x25519'])
print(ctx.get_groups())
for bad in (['P-999'], [], 'X25519', [1], None):
    try:
        ctx.set_groups(bad)
        print('no error')
    except Exception as e:
        print(type(e).__name__)
print(ctx.get_groups())
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c.set_groups('X25519:P-256')
print(c.get_groups())
""")
    assert r.lines() == [str(ALL_GROUPS), "['P-256', 'X25519']", "SSLError", "SSLError", "TypeError", "TypeError",
                         "TypeError", "['P-256', 'X25519']", "['X25519', 'P-256']"], r
