"""A board whose clock was never set reads a date before 2024: verification then fails with a
text that says so and how to set the clock, instead of "certificate not yet valid". The unix
build runs under faketime (libfaketime) with its wall clock in 2001; the peer's is real."""
import pytest

from helpers import PRELUDE, run_mpy, server_context, verified
from helpers.strict import need_tool


@pytest.fixture(autouse=True)
def faketime():
    need_tool("faketime")

UNSET_CLOCK = ("faketime", "2001-02-03 04:05:06")


def test_unset_clock_says_so_and_how_to_set_it(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(PRELUDE + f"""
import time, tls, socket
print(time.localtime()[0])
print(fails(lambda: {verified(server.port, ca_certs=repr(pki.ca_pem))}))
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.verify_mode = tls.CERT_REQUIRED
ctx.load_verify_locations(cadata=open({pki.ca_pem!r}, 'rb').read())
s = socket.socket(); s.connect(addr({server.port}))
print(fails(lambda: ctx.wrap_socket(s, server_hostname='localhost')))
s.close()
s = connect({server.port}, cert_reqs=ussl.CERT_NONE)
s.write(b'unverified'); print(s.read(10)); s.close()
""", wrapper=UNSET_CLOCK)
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0] == "2001", r
    for line in lines[1:3]:
        assert "the clock is not set" in line and "ntptime.settime()" in line, r
        assert "not yet valid" not in line, r
    assert lines[1].startswith("SSLError"), r
    assert lines[2].startswith("ValueError"), r
    # Without verification the clock does not matter.
    assert lines[3] == "b'unverified'", r
