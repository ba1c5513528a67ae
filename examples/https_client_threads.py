# Several _thread workers, each making verified HTTPS requests, to show the module is safe
# under threads (the unix port runs threads without a GIL).
#
# Usage: micropython https_client_threads.py HOST PORT CA [THREADS [REQUESTS]]
import socket
import sys
import time
import _thread

import ussl

results = []
lock = _thread.allocate_lock()


def fetch(host, port, ca, path="/"):
    sock = socket.socket()
    sock.connect(socket.getaddrinfo(host, port)[0][-1])
    tls = ussl.wrap_socket(sock, cert_reqs=ussl.CERT_REQUIRED, ca_certs=ca, server_hostname=host)
    try:
        tls.write(b"GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path.encode(), host.encode()))
        response = b""
        while True:
            chunk = tls.read(512)
            if not chunk:
                break
            response += chunk
        return response.split(b"\r\n", 1)[0]
    finally:
        tls.close()


def worker(n, host, port, ca, requests):
    ok = 0
    for i in range(requests):
        try:
            if fetch(host, port, ca).endswith(b"200 OK"):
                ok += 1
        except OSError as e:
            print("worker", n, "request", i, "failed:", e)
    with lock:
        results.append((n, ok))


def main():
    # Inside a function, not at module level: the unix port runs threads without a GIL, and
    # module-level assignments here (loop variables) would change the globals dict while the
    # workers look names up in it.
    host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    requests = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    for n in range(threads):
        _thread.start_new_thread(worker, (n, host, port, ca, requests))
    deadline = time.time() + 120
    while len(results) < threads and time.time() < deadline:
        time.sleep(0.05)
    for n, ok in sorted(results):
        print("worker %d: %d of %d requests ok" % (n, ok, requests))


if __name__ == "__main__":
    main()
