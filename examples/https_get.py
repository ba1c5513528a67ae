# Fetches a page over HTTPS with full verification, and shows what was negotiated.
# Usage: micropython https_get.py HOST PORT CA_FILE [PATH]
import socket
import sys

import ussl


def https_get(host, port, ca_file, path="/"):
    addr = socket.getaddrinfo(host, port)[0][-1]
    sock = socket.socket()
    sock.connect(addr)
    tls = ussl.wrap_socket(sock, cert_reqs=ussl.CERT_REQUIRED, ca_certs=ca_file,
                           server_hostname=host, timeout=10)
    try:
        request = "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, host)
        tls.write(request.encode())
        response = b""
        while True:
            chunk = tls.read(1024)
            if not chunk:
                break
            response += chunk
        return tls, response
    finally:
        tls.close()


if __name__ == "__main__":
    host, port, ca_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    path = sys.argv[4] if len(sys.argv) > 4 else "/"
    tls, response = https_get(host, port, ca_file, path)
    head, _, body = response.partition(b"\r\n\r\n")
    print("status:   ", head.split(b"\r\n")[0].decode())
    print("page:     ", body.decode().strip())
