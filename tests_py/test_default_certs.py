"""The default trust store: ssl.create_default_context() (a client context that verifies: CERT_REQUIRED
and the server name required) and load_default_certs() on tls and ssl contexts. The unix build
trusts Mozilla's root set (feature roots-mozilla), boards a compact set (feature roots; the real
chains of amazon.com, google.com and others verify against it in tests/x509_limbo.rs)."""
from helpers import PRELUDE, run_mpy, server_context

SCRIPT = PRELUDE + """
import ssl, tls, socket
def attempt(ctx, port, hostname='localhost'):
    s = socket.socket()
    s.connect(addr(port))
    try:
        t = ctx.wrap_socket(s, server_hostname=hostname)
        t.write(b'hi'); r = t.read(2); t.close()
        return r
    finally:
        s.close()
"""


def test_create_default_context_verifies_against_the_built_in_roots(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(SCRIPT + f"""
ctx = ssl.create_default_context()
print(ctx.verify_mode == ssl.CERT_REQUIRED)
# The test CA is not among the built-in roots.
print(fails(lambda: attempt(ctx, {server.port})))
# The name is required, as mainline's tls requires it of a verifying client.
print(fails(lambda: attempt(ctx, {server.port}, None)))
print(attempt(ssl.create_default_context(cafile={pki.ca_pem!r}), {server.port}))
print(attempt(ssl.create_default_context(cadata=open({pki.ca_pem!r}, 'rb').read()), {server.port}))
""")
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0] == "True", r
    assert lines[1].startswith("ValueError") and "unknown issuer" in lines[1], r
    assert lines[2].startswith("ValueError") and "server_hostname" in lines[2], r
    assert lines[3:] == ["b'hi'", "b'hi'"], r


def test_load_default_certs_adds_to_a_context(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(SCRIPT + f"""
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
print(fails(lambda: attempt(ctx, {server.port})))
ctx.load_default_certs()
print(fails(lambda: attempt(ctx, {server.port})))
ctx.load_verify_locations(cafile={pki.ca_pem!r})
print(attempt(ctx, {server.port}))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
ctx.load_verify_locations(cafile={pki.ca_pem!r})
print(attempt(ctx, {server.port}))
""")
    assert r.rc == 0, r
    lines = r.lines()
    # No CA at all, then the built-in roots only, then those and the test CA.
    assert lines[0].startswith("ValueError") and "load_default_certs()" in lines[0], r
    assert lines[1].startswith("ValueError") and "unknown issuer" in lines[1], r
    assert lines[2:] == ["b'hi'", "b'hi'"], r
