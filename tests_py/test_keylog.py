"""The key log: `SSLContext.keylog_filename` (CPython's name) on tls and ssl contexts and
`ussl.wrap_socket(..., keylog_filename=...)` append NSS key log lines (CLIENT_RANDOM for TLS 1.2,
the TLS 1.3 traffic secrets). tshark, given the file, decrypts a capture of the connection; without
it, the capture stays opaque. Off by default."""
import os
import re
import secrets
import shutil
import subprocess
import time

import pytest

from helpers import PRELUDE, free_port, run_mpy, server_context, verified
from helpers.strict import need_tool

TSHARK = shutil.which("tshark")


def marker_echo(server, conn):
    data = conn.recv(100)
    conn.sendall(b"reply:" + data)


class Capture:
    """tshark on the loopback interface, for one port, into a file (bounded to 60 s)."""

    def __init__(self, port, path):
        self.path = path
        self.proc = subprocess.Popen([TSHARK, "-i", "lo", "-f", f"tcp port {port}", "-w", path, "-a", "duration:60"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        line = ""
        while time.time() < deadline and "Capturing on" not in line:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                raise RuntimeError("tshark did not start")
        # "Capturing on" comes a little before the capture does: on a loaded machine 0.3 s
        # once missed a whole connection.
        time.sleep(1.0)

    def stop(self):
        time.sleep(0.5)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def decrypted(self, keylog):
        args = [TSHARK, "-r", self.path, "-q", "-z", "follow,tls,ascii,0"]
        if keylog:
            args[1:1] = ["-o", f"tls.keylog_file:{keylog}"]
        return subprocess.run(args, capture_output=True, text=True, timeout=60).stdout


@pytest.mark.parametrize("api", ["tls", "ssl", "ussl"])
@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_tshark_decrypts_with_the_key_log(pki, tls_server, tmp_path, version, api):
    need_tool("tshark")
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, version=version), handler=marker_echo)
    keylog = str(tmp_path / "keys.log")
    marker = "ussl-keylog-" + secrets.token_hex(8)
    if api == "tls":
        connect = f"""
import tls, socket
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cadata=open({pki.ca_pem!r}, 'rb').read())
print(ctx.keylog_filename)
ctx.keylog_filename = {keylog!r}
print(ctx.keylog_filename == {keylog!r})
s = socket.socket(); s.connect(addr({server.port}))
s = ctx.wrap_socket(s, server_hostname='localhost')
"""
    elif api == "ssl":
        connect = f"""
import ssl, socket
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_verify_locations(cafile={pki.ca_pem!r})
print(ctx.keylog_filename)
ctx.keylog_filename = {keylog!r}
print(ctx.keylog_filename == {keylog!r})
s = socket.socket(); s.connect(addr({server.port}))
s = ctx.wrap_socket(s, server_hostname='localhost')
"""
    else:
        connect = f"""
print(None)
print(True)
s = {verified(server.port, ca_certs=repr(pki.ca_pem), keylog_filename=repr(keylog))}
"""
    capture = Capture(server.port, str(tmp_path / "tls.pcapng"))
    try:
        r = run_mpy(PRELUDE + connect + f"""
s.write({marker!r}.encode()); print(s.read(100)); s.close()
""")
    finally:
        capture.stop()
    assert r.rc == 0, r
    assert r.lines() == ["None", "True", f"b'reply:{marker}'"], r
    lines = open(keylog).read().splitlines()
    labels = {line.split()[0] for line in lines}
    if version == "1.2":
        assert labels == {"CLIENT_RANDOM"}, lines
    else:
        assert {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
                "SERVER_TRAFFIC_SECRET_0"} <= labels, lines
    for line in lines:
        assert re.fullmatch(r"[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,128}", line), line
    assert marker in capture.decrypted(keylog)
    assert marker not in capture.decrypted(None), "the capture must be opaque without the key log"


def test_key_log_appends_and_is_off_by_default(pki, tls_server, tmp_path):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key), handler=marker_echo)
    keylog = str(tmp_path / "keys.log")
    with open(keylog, "w") as f:
        f.write("# kept\n")
    r = run_mpy(PRELUDE + f"""
def one(**kw):
    s = connect({server.port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r}, server_hostname='localhost', **kw)
    s.write(b'x'); s.read(10); s.close()
one()
one(keylog_filename={keylog!r})
one(keylog_filename={keylog!r})
print(fails(lambda: one(keylog_filename=42)))
""")
    assert r.rc == 0, r
    lines = open(keylog).read().splitlines()
    assert lines[0] == "# kept", lines
    # Two connections logged (TLS 1.3: five secrets each), the first none.
    randoms = {line.split()[1] for line in lines[1:]}
    assert len(randoms) == 2, lines
    assert r.lines()[-1].startswith("TypeError"), r
    assert not os.path.exists(str(tmp_path / "None"))


def test_resumed_connection_is_logged(pki, tls_server, tmp_path):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, version="1.2"), handler=marker_echo)
    keylog = str(tmp_path / "keys.log")
    r = run_mpy(PRELUDE + f"""
def one(session=None):
    s = connect({server.port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r}, server_hostname='localhost',
                keylog_filename={keylog!r}, saved_session=session)
    s.write(b'x'); s.read(10)
    print(s.session_reused)
    saved = ussl.save_session(s)
    s.close()
    return saved
one(one())
""")
    assert r.rc == 0, r
    assert r.lines() == ["False", "True"], r
    lines = open(keylog).read().splitlines()
    assert len(lines) == 2 and len({line.split()[1] for line in lines}) == 2, lines
