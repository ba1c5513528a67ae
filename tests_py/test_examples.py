"""The examples in examples/ do what the README says."""
import json
import os
import socket
import ssl
import subprocess
import time

from helpers import MICROPYTHON, ROOT, free_port, server_context, wait_port

EXAMPLES = os.path.join(ROOT, "examples")


def start_example_server(pki, count, ca=None):
    port = free_port()
    args = [MICROPYTHON, os.path.join(EXAMPLES, "https_server.py"), str(port), pki.ec_cert, pki.ec_key,
            ca or "-", str(count)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_port(port, what="examples/https_server.py")
    return port, proc


def get(pki, port, path, cert=None):
    ctx = ssl.create_default_context(cafile=pki.ca_pem)
    if cert:
        ctx.load_cert_chain(*cert)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as t:
            t.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
            data = b""
            while True:
                d = t.recv(4096)
                if not d:
                    break
                data += d
    return data.split(b"\r\n\r\n", 1)[1]


def test_https_server_example(pki):
    # The example counts the probe connection that checks it is up.
    port, proc = start_example_server(pki, count=4, ca=pki.ca_pem)
    try:
        assert b"Hello from MicroPython" in get(pki, port, "/")
        anonymous = json.loads(get(pki, port, "/whoami"))
        assert anonymous["client"] is None and anonymous["tls"] == "TLSv1.3"
        named = json.loads(get(pki, port, "/whoami", cert=(pki.client_cert, pki.client_key)))
        assert named["client"]["commonName"] == "device-42"
    finally:
        proc.wait(timeout=20)


def test_https_client_threads_example(pki, tls_server):
    def http(server, conn):
        conn.recv(1024)
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")

    server = tls_server(server_context(pki.ec_cert, pki.ec_key), handler=http)
    r = subprocess.run([MICROPYTHON, os.path.join(EXAMPLES, "https_client_threads.py"), "127.0.0.1",
                        str(server.port), pki.ca_pem, "4", "5"], capture_output=True, text=True, timeout=150)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines() == [f"worker {n}: 5 of 5 requests ok" for n in range(4)], r.stdout


def test_pin_certificate_example(pki, tls_server):
    import hashlib
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    leaf = ssl.PEM_cert_to_DER_cert(open(pki.ec_cert).read())
    example = os.path.join(EXAMPLES, "pin_certificate.py")
    outputs = []
    for pin in (hashlib.sha256(leaf).hexdigest(), "00" * 32):
        r = subprocess.run([MICROPYTHON, example, "localhost", str(server.port), pki.ca_pem, pin],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stdout + r.stderr
        outputs.append(r.stdout.strip())
    assert outputs[0] == "connected to the pinned server: TLSv1.3", outputs
    assert outputs[1].startswith("refused:") and "verify_callback" in outputs[1], outputs
