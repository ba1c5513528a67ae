# Connects only to a server whose certificate is the one pinned, on top of the usual chain and
# hostname checks: verify_callback sees each certificate after the engine has verified them.
# Usage: micropython pin_certificate.py HOST PORT CA_FILE SHA256_OF_THE_SERVER_CERT_HEX
import hashlib
import socket
import sys

import tls


def pinned_context(ca_file, pin):
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=ca_file)

    def check(cert, depth):
        # Non-zero refuses: only the leaf (depth 0) is pinned.
        return depth == 0 and hashlib.sha256(cert).digest() != pin

    ctx.verify_callback = check
    return ctx


def connect(host, port, ctx):
    sock = socket.socket()
    sock.connect(socket.getaddrinfo(host, port)[0][-1])
    return ctx.wrap_socket(sock, server_hostname=host)


if __name__ == "__main__":
    host, port, ca_file, pin = sys.argv[1], int(sys.argv[2]), sys.argv[3], bytes.fromhex(sys.argv[4])
    try:
        s = connect(host, port, pinned_context(ca_file, pin))
    except ValueError as e:
        print("refused:", e)
    else:
        print("connected to the pinned server:", s.version())
        s.close()
