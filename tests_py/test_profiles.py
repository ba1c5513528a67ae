"""The `client` build profile (build/micropython-client, `make USSL_PROFILE=client`): what it
leaves out raises NotImplementedError naming the engine feature; what it keeps works. Runs with
MICROPYTHON pointing at the client build (make test-profiles); skipped on a full build."""
import pytest

from helpers import MICROPYTHON, PRELUDE, run_mpy, server_context, verified

pytestmark = pytest.mark.skipif(not MICROPYTHON.endswith("-client"), reason="needs the client profile build")


def test_server_side_names_the_missing_feature(pki):
    r = run_mpy(PRELUDE + f"""
import socket, tls
s = socket.socket()
print(fails(lambda: ussl.wrap_socket(s, server_side=True, certfile={pki.ec_cert!r}, keyfile={pki.ec_key!r})))
ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain({pki.ec_cert!r}, {pki.ec_key!r})
print(fails(lambda: ctx.wrap_socket(s, server_side=True)))
s.close()
""")
    assert r.rc == 0, r
    for line in r.lines():
        assert line.startswith("NotImplementedError") and "`server`" in line, r


def test_client_handshake_and_getpeercert(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(PRELUDE + f"""
s = {verified(server.port, ca_certs=repr(pki.ca_pem))}
print(s.version(), len(s.getpeercert(True)) > 100)
print(fails(lambda: s.getpeercert()))
s.write(b'ping'); print(s.read(4))
s.close()
""")
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0] == "TLSv1.3 True", r
    assert lines[1].startswith("NotImplementedError") and "`certinfo`" in lines[1], r
    assert lines[2] == "b'ping'", r
