"""ALPN (RFC 7301): tls's SSLContext.set_alpn_protocols and SSLSocket.selected_alpn_protocol, and
ussl.wrap_socket(alpn_protocols=...), as client and server, against CPython's ssl. AWS IoT serves
MQTT on port 443 only to clients that offer "x-amzn-mqtt-ca"."""
import socket
import ssl

import pytest

from helpers import PRELUDE, run_mpy, server_context
from mpy_server import MpyServer

TLS_CLIENT = PRELUDE + """
import tls
def tls_client(port, protocols):
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata={ca})
    if protocols is not None:
        ctx.set_alpn_protocols(protocols)
    raw = socket.socket()
    raw.connect(addr(port))
    return ctx.wrap_socket(raw, server_hostname='localhost')
"""


def alpn_server(pki, tls_server, protocols, version=None):
    ctx = server_context(pki.ec_cert, pki.ec_key, version=version)
    ctx.set_alpn_protocols(protocols)
    chosen = []

    def handler(server, conn):
        chosen.append(conn.selected_alpn_protocol())
        conn.sendall(conn.recv(4))

    return tls_server(ctx, handler=handler), chosen


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_tls_client_agrees_with_cpython_server(pki, tls_server, version):
    server, chosen = alpn_server(pki, tls_server, ["h2", "http/1.1"], version)
    r = run_mpy(TLS_CLIENT + f"""
for offer in (['x-amzn-mqtt-ca', 'http/1.1'], ['h2'], ['spdy/1'], None):
    s = tls_client({server.port}, offer)
    s.write(b'ping')
    s.read(4)
    print(s.selected_alpn_protocol())
    s.close()
""", ca=pki.ca_pem)
    assert r.rc == 0, r
    # No overlap: CPython's server goes on without ALPN, and both sides see None.
    assert r.lines() == ["http/1.1", "h2", "None", "None"], r
    assert chosen == ["http/1.1", "h2", None, None]


def test_ussl_and_ssl_wrap_socket_take_alpn_protocols(pki, tls_server):
    server, chosen = alpn_server(pki, tls_server, ["x-amzn-mqtt-ca"])
    r = run_mpy(PRELUDE + f"""
import ssl
s = connect({server.port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r}, server_hostname='localhost',
            alpn_protocols=['mqtt', 'x-amzn-mqtt-ca'])
s.write(b'ping'); s.read(4)
print(s.selected_alpn_protocol())
s.close()
raw = socket.socket()
raw.connect(addr({server.port}))
s = ssl.wrap_socket(raw, server_hostname='localhost', alpn_protocols=['x-amzn-mqtt-ca'])
s.write(b'ping'); s.read(4)
print(s.selected_alpn_protocol())
s.close()
""")
    assert r.rc == 0, r
    assert r.lines() == ["x-amzn-mqtt-ca", "x-amzn-mqtt-ca"], r
    assert chosen == ["x-amzn-mqtt-ca", "x-amzn-mqtt-ca"]


def test_our_server_chooses_and_refuses_no_overlap(pki):
    server = MpyServer(f"certfile={pki.ec_cert!r}, keyfile={pki.ec_key!r}, alpn_protocols=['x-amzn-mqtt-ca', 'mqtt']", count=3)
    try:
        results = []
        for offer in (["mqtt", "x-amzn-mqtt-ca"], ["h2"], None):
            ctx = ssl.create_default_context(cafile=pki.ca_pem)
            if offer:
                ctx.set_alpn_protocols(offer)
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
                try:
                    with ctx.wrap_socket(raw, server_hostname="localhost") as t:
                        t.sendall(b"hello")
                        t.recv(5)
                        results.append(t.selected_alpn_protocol())
                except ssl.SSLError as e:
                    results.append(str(e))
        lines = [server.next_line() for _ in range(3)]
    finally:
        server.stop()
    # The server's preference wins; a client offering nothing it has is refused with
    # no_application_protocol (RFC 7301, 3.2); a client offering nothing gets no ALPN.
    assert results[0] == "x-amzn-mqtt-ca" and results[2] is None, results
    assert "no application protocol" in results[1], results
    assert lines[0] == "ok TLSv1.3 False None x-amzn-mqtt-ca", lines
    assert lines[1].startswith("error SSLError") and "no ALPN protocol in common" in lines[1], lines
    assert lines[2] == "ok TLSv1.3 False None", lines


def test_bad_protocol_lists(pki):
    r = run_mpy(PRELUDE + """
import tls
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
print(fails(lambda: ctx.set_alpn_protocols([''])))
print(fails(lambda: ctx.set_alpn_protocols(['x' * 256])))
print(fails(lambda: ctx.set_alpn_protocols(5)))
print(fails(lambda: ctx.set_alpn_protocols([5])))
print(fails(lambda: ussl.wrap_socket(socket.socket(), alpn_protocols=[''])))
ctx.set_alpn_protocols(['x' * 255, 'h2'])
ctx.set_alpn_protocols([])
print('alive')
""")
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0].startswith("ValueError ALPN protocols must be"), lines
    assert lines[1].startswith("ValueError ALPN protocols must be"), lines
    assert lines[2].startswith("TypeError"), lines
    assert lines[3].startswith("TypeError"), lines
    assert lines[4].startswith("ValueError ALPN protocols must be"), lines
    assert lines[5] == "alive"
