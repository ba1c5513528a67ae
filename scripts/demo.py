#!/usr/bin/env python3
"""make demo: a fresh CA, an HTTPS server on 127.0.0.1 (CPython's ssl), and MicroPython with
ussl fetching a page from it with full verification."""
import http.server
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading

import trustme

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MICROPYTHON = os.path.join(ROOT, "build", "micropython")

SCRIPT = """
import socket, ussl
addr = socket.getaddrinfo('127.0.0.1', %(port)d)[0][-1]
s = socket.socket()
s.connect(addr)
tls = ussl.wrap_socket(s, cert_reqs=ussl.CERT_REQUIRED, ca_certs=%(ca)r, server_hostname='localhost')
print('protocol: ', tls.version())
print('cipher:   ', tls.cipher())
cert = tls.getpeercert()
print('subject:  ', cert['subject'])
print('issuer:   ', cert['issuer'])
print('valid to: ', cert['notAfter'])
tls.write(b'GET /hello.txt HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n')
response = b''
while True:
    chunk = tls.read(1024)
    if not chunk:
        break
    response += chunk
tls.close()
head, _, body = response.partition(b'\\r\\n\\r\\n')
print('status:   ', head.split(b'\\r\\n')[0].decode())
print('page:     ', body.decode().strip())
"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    with tempfile.TemporaryDirectory() as tmp:
        ca = trustme.CA(organization_name="ussl demo CA")
        leaf = ca.issue_cert("localhost", "127.0.0.1", organization_name="ussl demo server")
        ca_file = os.path.join(tmp, "ca.pem")
        ca.cert_pem.write_to_path(ca_file)
        with open(os.path.join(tmp, "hello.txt"), "w") as f:
            f.write("Hello from a verified TLS 1.3 server on loopback!\n")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        leaf.configure_cert(ctx)
        handler = lambda *a, **kw: Quiet(*a, directory=tmp, **kw)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        print(f"HTTPS server on https://localhost:{port}/ (CPython ssl, a fresh CA in {ca_file})")
        print(f"MicroPython: {MICROPYTHON}\n")
        try:
            proc = subprocess.run([MICROPYTHON, "-c", SCRIPT % {"port": port, "ca": ca_file}], timeout=30)
        finally:
            httpd.shutdown()
            httpd.server_close()
        return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
