"""The `client` build profile (build/micropython-client, `make USSL_PROFILE=client`): what it
leaves out raises NotImplementedError naming the engine feature; what it keeps works. Runs with
MICROPYTHON pointing at the client build (make test-profiles); skipped on a full build."""
import pytest

from helpers import CLIENT_PROFILE, PRELUDE, run_mpy, server_context, verified

pytestmark = pytest.mark.skipif(not CLIENT_PROFILE, reason="needs the client profile build")


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
    assert len(r.lines()) == 2, r
    for line in r.lines():
        assert line.startswith("NotImplementedError") and "`server`" in line, r


@pytest.mark.parametrize("version", ["1.2", "1.3"])
@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_client_handshake_with_certinfo_left_out(pki, tls_server, kind, version):
    cert, key = (pki.ec_cert, pki.ec_key) if kind == "ec" else (pki.rsa_cert, pki.rsa_key)
    server = tls_server(server_context(cert, key, version=version))
    r = run_mpy(PRELUDE + f"""
s = {verified(server.port, ca_certs=repr(pki.ca_pem))}
print(s.version(), len(s.getpeercert(True)) > 100)
print(fails(lambda: s.getpeercert()))
s.write(b'ping'); print(s.read(4))
s.close()
""")
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0] == f"TLSv{version} True", r
    assert lines[1].startswith("NotImplementedError") and "`certinfo`" in lines[1], r
    assert lines[2] == "b'ping'", r


def test_rsa_private_key_names_rsa_sign(pki, tls_server):
    """RSA servers are verified (test_client.py); an RSA key of our own needs `rsa-sign`."""
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, ca=pki.ca_pem, require_client=True))
    r = run_mpy(PRELUDE + f"""
import tls
print(fails(lambda: connect({server.port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r},
                            certfile={pki.client_rsa_cert!r}, keyfile={pki.client_rsa_key!r})))
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
print(fails(lambda: ctx.load_cert_chain({pki.client_rsa_cert!r}, {pki.client_rsa_key!r})))
s = connect({server.port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r},
            certfile={pki.client_cert!r}, keyfile={pki.client_key!r})
s.write(b'ec'); print(s.read(2)); s.close()
""")
    assert r.rc == 0, r
    lines = r.lines()
    for line in lines[:2]:
        assert line.startswith("NotImplementedError") and "`rsa-sign`" in line, r
    assert lines[2] == "b'ec'", r


def test_x25519_only_server_names_what_the_build_leaves_out(pki, openssl_server):
    """The client offers P-256 only (TLS 1.3's mandatory group); a server that takes X25519 alone
    fails the handshake, and the error says the build leaves X25519 out."""
    port = openssl_server("-groups", "X25519", "-tls1_3")
    r = run_mpy(PRELUDE + f"""
print(fails(lambda: {verified(port, ca_certs=repr(pki.ca_pem))}))
""")
    assert r.rc == 0, r
    line = r.lines()[0]
    assert line.startswith("SSLError") and "x25519" in line and "leaves out" in line, r


@pytest.mark.parametrize("args", [["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"],
                                  ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"]], ids=["tls13", "tls12"])
def test_aes256_only_server_names_what_the_build_leaves_out(pki, openssl_server, args):
    """The client offers AES-128-GCM and ChaCha20-Poly1305; a server that takes AES-256-GCM
    alone fails the handshake, the error names aes256, and asking for the suite by name is an
    unknown suite."""
    port = openssl_server(*args)
    r = run_mpy(PRELUDE + f"""
print(fails(lambda: {verified(port, ca_certs=repr(pki.ca_pem))}))
import tls
print(fails(lambda: tls.SSLContext(tls.PROTOCOL_TLS_CLIENT).set_ciphers(['TLS_AES_256_GCM_SHA384'])))
""")
    assert r.rc == 0, r
    handshake, by_name = r.lines()
    assert handshake.startswith("SSLError") and "aes256" in handshake and "leaves out" in handshake, r
    assert by_name.startswith("SSLError 104"), r
