# A small HTTPS server for the unix port and boards: a page at /, and a JSON endpoint at
# /whoami that reports the client certificate's subject when the client sent one.
#
# Usage: micropython https_server.py PORT CERT KEY [CA [COUNT [HOST]]]
#   With CA, clients are asked for a certificate (CERT_OPTIONAL) and it is checked against CA
#   ("-" for none). COUNT stops the server after that many connections (default, or 0: serve
#   forever). HOST is the address to listen on (default 0.0.0.0, every interface).
# Each response goes out as one TLS record (headers and body in one write), which is what
# tlsfuzzer expects of the server it tests (make tlsfuzzer runs it against this one).
import json
import socket
import sys

import ussl

PAGE = b"<!doctype html><title>ussl</title><h1>Hello from MicroPython over TLS</h1>\n"


def subject_of(cert):
    if not cert:
        return None
    return {name: value for rdn in cert["subject"] for name, value in rdn}


def handle(conn, ca):
    kwargs = {"server_side": True, "certfile": CERT, "keyfile": KEY, "timeout": 5}
    if ca:
        kwargs.update(cert_reqs=ussl.CERT_OPTIONAL, ca_certs=ca)
    tls = ussl.wrap_socket(conn, **kwargs)
    try:
        request = tls.readline()
        while tls.readline() not in (b"\r\n", b"\n", b""):
            pass  # headers
        parts = request.split()
        path = parts[1] if len(parts) > 1 else b"/"
        if path == b"/whoami":
            body = json.dumps({"client": subject_of(tls.getpeercert()), "tls": tls.version(),
                               "resumed": tls.session_reused}).encode()
            kind = b"application/json"
        else:
            body, kind = PAGE, b"text/html"
        head = b"HTTP/1.0 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (kind, len(body))
        tls.write(head + body)
    finally:
        tls.close()


def serve(port, ca=None, count=None, host="0.0.0.0"):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(socket.getaddrinfo(host, port)[0][-1])
    listener.listen(4)
    print("serving on port", port)
    served = 0
    while count is None or served < count:
        conn, addr = listener.accept()
        served += 1
        try:
            handle(conn, ca)
        except Exception as e:
            # One failed handshake (no certificate, a bad one, a client that hangs up, a hostile
            # one) ends that connection only.
            print("connection from", addr, "failed:", e)
            conn.close()
    listener.close()


if __name__ == "__main__":
    PORT, CERT, KEY = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    CA = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else None
    COUNT = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] != "0" else None
    HOST = sys.argv[6] if len(sys.argv) > 6 else "0.0.0.0"
    serve(PORT, CA, COUNT, HOST)
