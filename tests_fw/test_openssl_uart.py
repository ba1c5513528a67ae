"""The firmware's TLS client against a peer nobody here wrote: openssl s_server on the host,
reached through a second (and third) UART of the MPS2_AN385 board, which qemu joins to TCP
connections. The chain and the hostname are verified against the embedded CA."""
import os
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import boot, missing, mpy_source
from qemu import have_emulator

BOARD = "MPS2_AN385"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_accepting(proc, timeout=10):
    """s_server prints ACCEPT once it listens (a probe connection would use up -naccept 1)."""
    deadline = time.monotonic() + timeout
    os.set_blocking(proc.stdout.fileno(), False)
    seen = b""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"openssl s_server exited: {proc.stderr.read().decode()}")
        seen += proc.stdout.read() or b""
        if b"ACCEPT" in seen:
            return
        time.sleep(0.02)
    raise TimeoutError("openssl s_server did not listen")


@pytest.fixture
def openssl_servers(pki, tmp_path):
    """Two s_servers, TLS 1.3 and TLS 1.2, each serving one connection with -www (a status page
    that says which protocol and suite were used)."""
    cert, chain, key = tmp_path / "leaf.pem", tmp_path / "chain.pem", tmp_path / "key.pem"
    pems = pki.ec_leaf.cert_chain_pems
    cert.write_bytes(pems[0].bytes())
    # s_server sends only the first certificate of -cert; the intermediate goes with -cert_chain.
    chain.write_bytes(b"".join(p.bytes() for p in pems[1:]))
    key.write_bytes(pki.values["EC_KEY"])
    procs, ports = [], {}
    for version in ("1_3", "1_2"):
        port = free_port()
        proc = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(cert),
                                 "-cert_chain", str(chain), "-key", str(key), "-www", "-naccept", "1", f"-tls{version}"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs.append(proc)
        wait_accepting(proc)
        ports[version] = port
    yield ports
    for p in procs:
        p.kill()
        p.wait(timeout=5)


def test_firmware_client_against_openssl_over_uart(pki, openssl_servers):
    if not have_emulator(BOARD):
        missing("qemu-system-arm", "`make firmware` installs it")
    extra = ["-serial", f"tcp:127.0.0.1:{openssl_servers['1_3']}",
             "-serial", f"tcp:127.0.0.1:{openssl_servers['1_2']}"]
    q = boot(BOARD, pki, extra=extra)
    try:
        q.exec(mpy_source("uart_stream.py"))
        out = q.exec("""
import tls, ussl
for base, api in ((UART1, "tls"), (UART2, "ussl")):
    if api == "tls":
        ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cadata=CA)
        c = ctx.wrap_socket(Uart(base), server_hostname="localhost")
    else:
        c = ussl.wrap_socket(Uart(base), cert_reqs=ussl.CERT_REQUIRED, ca_certs=CA,
                             server_hostname="localhost", timeout=20)
    c.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
    page = read_page(c)
    print(api, c.version(), c.cipher()[0], page.startswith(b"HTTP/1.0 200 ok"), b"Cipher" in page)
    c.close()
""", timeout=120)
        assert q.alive()
    finally:
        q.close()
    lines = out.splitlines()
    assert lines[0].split() == ["tls", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "True", "True"], out
    assert lines[1].split()[:2] == ["ussl", "TLSv1.2"] and lines[1].split()[3:] == ["True", "True"], out
