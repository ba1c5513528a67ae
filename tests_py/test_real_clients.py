"""Client libraries nobody here wrote, fetched as sdists at test time, over our TLS: umqtt.simple
with a client certificate to mosquitto, and micropython-urequests and the tree's own requests
to nginx, verified and with CERT_NONE."""
import os
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from helpers import LEAN_PROFILE, MPY_DIR, ROOT, Listener, free_port, in_thread, run_mpy, wait_port
from sdists import fetch_sdist

# micropython-lib's requests: python-ecosys/ in the full tree, micropython/ in Debian's 1.25.
REQUESTS_DIR = next((d for d in (os.path.join(MPY_DIR, "lib", "micropython-lib", sub, "requests")
                                 for sub in ("python-ecosys", "micropython")) if os.path.isdir(d)), "")


@pytest.fixture(scope="session")
def mpy_libs(tmp_path_factory):
    """A directory for MicroPython's sys.path holding umqtt.simple and urequests."""
    dest = tmp_path_factory.mktemp("sdists")
    lib = dest / "lib"
    lib.mkdir()
    umqtt = fetch_sdist("micropython-umqtt.simple", "1.3.4", str(dest))
    shutil.copytree(os.path.join(umqtt, "umqtt"), lib / "umqtt")
    urequests = fetch_sdist("micropython-urequests", "0.9.1", str(dest))
    shutil.copytree(os.path.join(urequests, "urequests"), lib / "urequests")
    shutil.copytree(os.path.join(REQUESTS_DIR, "requests"), lib / "requests")
    return str(lib)


@pytest.fixture
def mosquitto(pki, tmp_path):
    if shutil.which("mosquitto") is None:
        pytest.fail("mosquitto is missing: `make deps` installs it")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"""
user root
persistence false
log_dest stderr
allow_anonymous true
listener {port} 127.0.0.1
cafile {pki.ca_pem}
certfile {pki.ec_cert}
keyfile {pki.ec_key}
require_certificate true
""")
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_port(port, proc, what="mosquitto")
        yield port
    finally:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture
def aws_like_front(pki, tmp_path):
    """A TLS front like AWS IoT's on port 443: it serves MQTT only to clients that offer ALPN
    "x-amzn-mqtt-ca" (others are cut off after the handshake), forwarding to a plain mosquitto."""
    if shutil.which("mosquitto") is None:
        pytest.fail("mosquitto is missing: `make deps` installs it")
    broker = free_port()
    conf = tmp_path / "mosquitto-plain.conf"
    conf.write_text(f"user root\npersistence false\nlog_dest stderr\nallow_anonymous true\nlistener {broker} 127.0.0.1\n")
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.ec_cert, pki.ec_key)
    ctx.set_alpn_protocols(["x-amzn-mqtt-ca"])
    seen = []

    def pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.close()
                except OSError:
                    pass

    def accepted(raw):
        raw.settimeout(10)
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        seen.append(conn.selected_alpn_protocol())
        if conn.selected_alpn_protocol() != "x-amzn-mqtt-ca":
            conn.close()
            return
        upstream = socket.create_connection(("127.0.0.1", broker), timeout=10)
        in_thread(pump, upstream, conn)
        pump(conn, upstream)

    try:
        wait_port(broker, proc, what="mosquitto")
        listener = Listener(lambda raw: in_thread(accepted, raw))
        try:
            yield listener.port, seen
        finally:
            listener.stop()
    finally:
        proc.kill()
        proc.wait(timeout=5)


@pytest.mark.parametrize("alpn", [True, False])
def test_umqtt_simple_through_an_alpn_front(pki, aws_like_front, mpy_libs, alpn):
    """umqtt.simple, unmodified, passes alpn_protocols through its ssl_params to ussl."""
    port, seen = aws_like_front
    extra = ", alpn_protocols=['x-amzn-mqtt-ca']" if alpn else ""
    r = run_mpy(f"""
import sys
sys.path.insert(0, {mpy_libs!r})
import ussl
from umqtt.simple import MQTTClient
got = []
params = dict(cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r}, server_hostname='localhost'{extra})
c = MQTTClient('ussl-alpn', '127.0.0.1', port={port}, ssl=True, ssl_params=params)
c.set_callback(lambda topic, msg: got.append((topic, msg)))
try:
    c.connect()
    c.subscribe(b'ussl/alpn')
    c.publish(b'ussl/alpn', b'hello through the front')
    c.wait_msg()
    print(got)
    c.disconnect()
except OSError as e:
    print('refused', type(e).__name__)
""")
    assert r.rc == 0, r
    if alpn:
        assert r.lines()[-1] == "[(b'ussl/alpn', b'hello through the front')]", r
        assert seen == ["x-amzn-mqtt-ca"]
    else:
        assert r.lines()[-1].startswith("refused"), r
        assert seen == [None]


@pytest.fixture
def nginx(pki, tmp_path):
    if shutil.which("nginx") is None:
        pytest.fail("nginx is missing: `make deps` installs nginx-light")
    port = free_port()
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (tmp_path / d).mkdir()
    conf = tmp_path / "nginx.conf"
    # Debian 12's nginx 1.22 offers TLS 1.2 and older by default; the lean engine speaks 1.3 only.
    protocols = "ssl_protocols TLSv1.2 TLSv1.3;" if LEAN_PROFILE else ""
    conf.write_text(f"""
user root;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {pki.ec_cert};
        ssl_certificate_key {pki.ec_key};
        {protocols}
        location / {{ default_type text/plain; return 200 "hello from nginx\\n"; }}
    }}
}}
""")
    proc = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        wait_port(port, proc, what="nginx")
        yield port
    finally:
        proc.kill()
        proc.wait(timeout=5)
        subprocess.run(["pkill", "-f", f"nginx.*{tmp_path}"], check=False)


def test_umqtt_simple_with_client_certificate_to_mosquitto(pki, mosquitto, mpy_libs):
    r = run_mpy(f"""
import sys
sys.path.insert(0, {mpy_libs!r})
import ussl
from umqtt.simple import MQTTClient
got = []
params = dict(certfile={pki.client_cert!r}, keyfile={pki.client_key!r}, cert_reqs=ussl.CERT_REQUIRED,
              ca_certs={pki.ca_pem!r}, server_hostname='localhost')
c = MQTTClient('ussl-test', '127.0.0.1', port={mosquitto}, ssl=True, ssl_params=params)
c.set_callback(lambda topic, msg: got.append((topic, msg)))
c.connect()
c.subscribe(b'ussl/test')
c.publish(b'ussl/test', b'hello over mqtts')
c.wait_msg()
print(got)
c.disconnect()
""")
    assert r.rc == 0, r
    assert r.lines()[-1] == "[(b'ussl/test', b'hello over mqtts')]"


def test_mosquitto_refuses_client_without_certificate(pki, mosquitto, mpy_libs):
    r = run_mpy(f"""
import sys
sys.path.insert(0, {mpy_libs!r})
import ussl
from umqtt.simple import MQTTClient
c = MQTTClient('ussl-test', '127.0.0.1', port={mosquitto}, ssl=True,
               ssl_params=dict(cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r}, server_hostname='localhost'))
try:
    c.connect()
    print('connected')
except OSError as e:
    print('refused', type(e).__name__)
""")
    assert r.lines()[-1].startswith("refused"), r


VERIFIED_USSL = """
import ussl as _ussl
CA = {ca!r}
CERT_NONE = _ussl.CERT_NONE
CERT_REQUIRED = _ussl.CERT_REQUIRED
NAME = {name!r}
def wrap_socket(sock, **kw):
    kw.setdefault('cert_reqs', _ussl.CERT_REQUIRED)
    kw.setdefault('ca_certs', CA)
    if NAME:
        kw['server_hostname'] = NAME
    return _ussl.wrap_socket(sock, **kw)
"""

VERIFIED_TLS = """
import tls as _tls
from tls import PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED
CA = {ca!r}
NAME = {name!r}
class SSLContext:
    # Verifies whatever the library asks for, with our CA.
    def __init__(self, protocol):
        self._ctx = _tls.SSLContext(protocol)
        self._ctx.load_verify_locations(cafile=CA)
    verify_mode = CERT_REQUIRED
    def wrap_socket(self, sock, **kw):
        if NAME:
            kw['server_hostname'] = NAME
        return self._ctx.wrap_socket(sock, **kw)
"""


@pytest.mark.parametrize("library", ["urequests", "requests"])
@pytest.mark.parametrize("verified", [False, True])
def test_https_libraries_to_nginx(pki, nginx, mpy_libs, tmp_path, library, verified):
    shim = ""
    if verified:
        (tmp_path / "verified_ussl.py").write_text(VERIFIED_USSL.format(ca=pki.ca_pem, name=None))
        (tmp_path / "verified_tls.py").write_text(VERIFIED_TLS.format(ca=pki.ca_pem, name=None))
        shim = f"""
sys.path.insert(0, {str(tmp_path)!r})
import verified_ussl, verified_tls
sys.modules['ussl'] = verified_ussl
sys.modules['tls'] = verified_tls
"""
    r = run_mpy(f"""
import sys
sys.path.insert(0, {mpy_libs!r})
{shim}
import {library} as http
r = http.get('https://localhost:{nginx}/')
print(r.status_code, r.text.strip())
r.close()
""")
    assert r.rc == 0, r
    assert r.lines()[-1] == "200 hello from nginx"


@pytest.mark.parametrize("library", ["urequests", "requests"])
@pytest.mark.parametrize("wrong", ["ca", "name"])
def test_verified_request_to_the_wrong_server_fails(pki, nginx, mpy_libs, tmp_path, library, wrong):
    """Verified urequests (ussl) and requests (tls) refuse a server signed by another CA, and one
    whose certificate does not name the host asked for; the interpreter goes on."""
    ca, name, text = {"ca": (pki.other_ca_pem, None, "unknown issuer"),
                      "name": (pki.ca_pem, "wrong.example", "hostname mismatch")}[wrong]
    (tmp_path / "verified_ussl.py").write_text(VERIFIED_USSL.format(ca=ca, name=name))
    (tmp_path / "verified_tls.py").write_text(VERIFIED_TLS.format(ca=ca, name=name))
    r = run_mpy(f"""
import sys
sys.path.insert(0, {mpy_libs!r})
sys.path.insert(0, {str(tmp_path)!r})
import verified_ussl, verified_tls
sys.modules['ussl'] = verified_ussl
sys.modules['tls'] = verified_tls
import {library} as http
try:
    http.get('https://localhost:{nginx}/')
    print('no error')
except Exception as e:
    print(type(e).__name__, e.args[-1])
print('alive')
""")
    assert r.rc == 0, r
    # ussl raises SSLError; tls raises ValueError for verification, as mainline does.
    expected = ("SSLError" if library == "urequests" else "ValueError") + " " + text
    assert r.lines()[-2:] == [expected, "alive"], r
