"""tls.SSLContext.get_ciphers() and set_ciphers(): the calls of MicroPython's
extmod/tls_sslcontext_ciphers.py (which prints mbedTLS's CBC suites by mbedTLS's names, so it
cannot run as written here), with our suites, and a handshake that negotiates the one suite set."""
import pytest

from helpers import PRELUDE, run_mpy, server_context


def test_get_ciphers_and_set_ciphers_as_mainline_calls_them():
    r = run_mpy("""
import tls
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ciphers = ctx.get_ciphers()
print(len(ciphers), ciphers[0])
ctx.set_ciphers(ciphers[:1])
try:
    ctx.set_ciphers(ciphers[0])
except TypeError as e:
    print(e)
try:
    ctx.set_ciphers(["BAR"])
except OSError as e:
    print(type(e).__name__, isinstance(e, tls.SSLError), e.args[0])
""")
    assert r.rc == 0, r
    lines = r.lines()
    assert len(lines) == 3, r
    count, first = lines[0].split()
    assert int(count) >= 3 and first.startswith("TLS_AES_"), lines
    # mainline's text for a str, and a TLS error (an OSError) for an unknown name.
    assert lines[1] == "object 'str' isn't a tuple or list", lines
    assert lines[2] == "SSLError True 104", lines


@pytest.mark.parametrize("version,suite", [
    ("1.3", "TLS_CHACHA20_POLY1305_SHA256"),
    ("1.3", "TLS_AES_256_GCM_SHA384"),
    ("1.2", "ECDHE-ECDSA-AES256-GCM-SHA384"),
    ("1.2", "ECDHE-ECDSA-CHACHA20-POLY1305"),
])
def test_the_suite_set_is_the_suite_negotiated(pki, tls_server, version, suite):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, version=version))
    r = run_mpy(PRELUDE + f"""
import tls
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cadata={open(pki.ca_pem, 'rb').read()!r})
ctx.set_ciphers([{suite!r}])
s = socket.socket()
s.connect(addr({server.port}))
s = ctx.wrap_socket(s, server_hostname='localhost')
s.write(b'ping')
print(s.read(4), s.cipher()[0], s.version())
s.close()
""")
    assert r.rc == 0, r
    assert r.lines() == [f"b'ping' {suite} TLSv{version}"], r
