"""The RPI_PICO_W image's network in the RP2040 emulator: its UARTs, which the harness joins to TCP
connections on the host, carry its TLS 1.3 and TLS 1.2 clients to `openssl s_server` (the chain
and the hostname verified against the embedded CA), CPython's client to a server on the board,
and a session that the board keeps in a file across a reset. The lean image (when built) is the
TLS 1.3 client of the same openssl."""
import socket
import ssl
import subprocess
import threading

import pytest

from conftest import boot_pico, mpy_source, set_clock_script
from test_openssl_uart import free_port, wait_accepting

class OpensslServers:
    """openssl s_servers with -www (a status page that says which protocol and suite were used,
    and whether the session was reused), serving the EC chain of the test PKI."""

    def __init__(self, pki, tmp_path):
        pems = pki.ec_leaf.cert_chain_pems
        self.files = [tmp_path / "leaf.pem", tmp_path / "chain.pem", tmp_path / "key.pem"]
        self.files[0].write_bytes(pems[0].bytes())
        # s_server sends only the first certificate of -cert; the intermediate goes with -cert_chain.
        self.files[1].write_bytes(b"".join(p.bytes() for p in pems[1:]))
        self.files[2].write_bytes(pki.values["EC_KEY"])
        self.procs = []

    def start(self, version, naccept=1):
        cert, chain, key = (str(f) for f in self.files)
        port = free_port()
        proc = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert,
                                 "-cert_chain", chain, "-key", key, "-www", "-naccept", str(naccept),
                                 f"-tls{version}"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.procs.append(proc)
        wait_accepting(proc)
        return port

    def stop(self):
        for p in self.procs:
            p.kill()
            p.wait(timeout=5)


@pytest.fixture
def openssl(pki, tmp_path):
    servers = OpensslServers(pki, tmp_path)
    yield servers
    servers.stop()


def pico_with_uart(kind, pki):
    board = boot_pico(kind, pki)
    board.exec(mpy_source("pico_uart.py"))
    return board


CLIENTS = """
import tls, ussl
def get(c):
    c.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
    page = read_page(c)
    print(c.version(), c.cipher()[0], page.startswith(b"HTTP/1.0 200 ok"), b"Cipher" in page)
    c.close()
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cadata=CA)
get(ctx.wrap_socket(uart(0), server_hostname="localhost"))
"""


def test_client_to_openssl_over_uart(pki, openssl):
    """TLS 1.3 through the `tls` API on UART0, TLS 1.2 through the Pycom API on UART1."""
    board = pico_with_uart("full", pki)
    try:
        board.uart_connect(0, openssl.start("1_3"))
        board.uart_connect(1, openssl.start("1_2"))
        out = board.exec(CLIENTS + """
get(ussl.wrap_socket(uart(1), cert_reqs=ussl.CERT_REQUIRED, ca_certs=CA, server_hostname="localhost", timeout=60))
""", timeout=600)
        uarts = board.stats()["uarts"]
    finally:
        board.close()
    lines = out.splitlines()
    assert lines[0].split() == ["TLSv1.3", "TLS_AES_128_GCM_SHA256", "True", "True"], out
    assert lines[1].split()[0] == "TLSv1.2" and "ECDHE" in lines[1] and lines[1].split()[2:] == ["True", "True"], out
    # The bytes went through the UARTs: a certificate chain in, a request out.
    assert all(u["toBoard"] > 1000 and u["fromBoard"] > 200 for u in uarts), uarts


def test_wrong_ca_and_wrong_hostname_refused_over_uart(pki, openssl):
    """The same openssl server, refused by a client trusting another CA and by one that expects
    another name; the alert went out and the interpreter goes on."""
    board = pico_with_uart("full", pki)
    try:
        board.uart_connect(0, openssl.start("1_3"))
        board.uart_connect(1, openssl.start("1_3"))
        out = board.exec("""
import tls
for n, ca, host in ((0, OTHER_CA, "localhost"), (1, CA, "other.example")):
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=ca)
    try:
        ctx.wrap_socket(uart(n), server_hostname=host)
        print("accepted")
    except Exception as e:
        print(type(e).__name__, e)
""", timeout=600)
    finally:
        board.close()
    lines = out.splitlines()
    assert lines[0].startswith("ValueError") and "unknown issuer" in lines[0], out
    assert lines[1].startswith("ValueError") and "hostname mismatch" in lines[1], out
    for p in openssl.procs:
        p.wait(timeout=30)
    for p in openssl.procs:
        # s_server saw the client's alert, not a dropped connection.
        assert b"alert" in p.stderr.read().lower()


SERVER = """
import tls
sctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
sctx.load_cert_chain(EC_CHAIN, EC_KEY)
for n in (0, 1):
    s = sctx.wrap_socket(uart(n), server_side=True)
    req = read_request(s)
    s.write(b"HTTP/1.0 200 OK\\r\\n\\r\\nhello from the pico over " + s.version().encode())
    s.close()
    print(req.split(b"\\r\\n")[0].decode())
"""


def test_cpython_client_to_server_on_the_board(pki):
    """CPython's ssl client, verifying the board's chain and hostname, to a server on the board:
    TLS 1.3 on UART0, TLS 1.2 on UART1."""
    listeners = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
    for listener in listeners:
        listener.settimeout(600)
    results, errors = {}, []

    def client(i, version):
        try:
            conn, _ = listeners[i].accept()
            conn.settimeout(600)
            ctx = ssl.create_default_context(cadata=pki.values["CA"].decode())
            ctx.minimum_version = ctx.maximum_version = version
            with ctx.wrap_socket(conn, server_hostname="localhost") as tls_sock:
                tls_sock.sendall(b"GET /board HTTP/1.0\r\n\r\n")
                body = b""
                while True:
                    d = tls_sock.recv(4096)
                    if not d:
                        break
                    body += d
                    if b"over TLS" in body:
                        break
                results[i] = (tls_sock.version(), body)
        except Exception as e:  # reported by the test, not lost in the thread
            errors.append(repr(e))

    board = pico_with_uart("full", pki)
    threads = [threading.Thread(target=client, args=(i, v), daemon=True)
               for i, v in enumerate((ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2))]
    try:
        for t in threads:
            t.start()
        for i, listener in enumerate(listeners):
            board.uart_connect(i, listener.getsockname()[1])
        out = board.exec(SERVER, timeout=600)
        for t in threads:
            t.join(timeout=60)
    finally:
        board.close()
        for listener in listeners:
            listener.close()
    assert not errors, errors
    assert out.split() == ["GET", "/board", "HTTP/1.0"] * 2, out
    assert results[0][0] == "TLSv1.3" and results[0][1].endswith(b"hello from the pico over TLSv1.3"), results
    assert results[1][0] == "TLSv1.2" and results[1][1].endswith(b"hello from the pico over TLSv1.2"), results


def test_session_in_a_file_resumes_after_a_reset(pki, openssl):
    """The board saves its TLS 1.3 session to a file (SSLSession.serialize()), resets (a watchdog
    reset: RAM lost, flash kept), reads it back (ussl.SSLSession(data)) and resumes with the same
    openssl server, which says so on its page."""
    port = openssl.start("1_3", naccept=2)
    board = pico_with_uart("full", pki)
    try:
        board.uart_connect(0, port)
        out = board.exec("""
import ussl
c = ussl.wrap_socket(uart(0), cert_reqs=ussl.CERT_REQUIRED, ca_certs=CA, server_hostname="localhost", timeout=60)
c.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
page = read_page(c)
data = ussl.save_session(c).serialize()
with open("/session.bin", "wb") as f:
    f.write(data)
print(c.session_reused, b"New, TLSv1.3" in page, len(data))
c.close()
""", timeout=600)
        assert out.split()[:2] == ["False", "True"], out
        board.reset_from_board()
        # A new boot: the clock, the helpers and the PKI are set again; the file is what is left.
        board.exec(set_clock_script())
        board.exec(mpy_source("tlspair.py"))
        board.exec(pki.script())
        board.exec(mpy_source("pico_uart.py"))
        assert board.eval("'session' in globals() or 'c' in globals()") is False
        board.uart_connect(0, port)
        out = board.exec("""
import ussl
session = ussl.SSLSession(open("/session.bin", "rb").read())
c = ussl.wrap_socket(uart(0), cert_reqs=ussl.CERT_REQUIRED, ca_certs=CA, server_hostname="localhost", timeout=60,
                     saved_session=session)
c.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
page = read_page(c)
print(c.session_reused, b"Reused, TLSv1.3" in page, c.getpeercert(True) is not None)
c.close()
""", timeout=600)
        assert board.stats()["boots"] == 2
    finally:
        board.close()
    assert out.split() == ["True", "True", "True"], out


def test_lean_client_to_openssl_over_uart(pki, openssl):
    """The lean engine's image: its TLS 1.3 client, verified, and TLS 1.2 refused by name."""
    board = pico_with_uart("lean", pki)
    try:
        board.uart_connect(0, openssl.start("1_3"))
        board.uart_connect(1, openssl.start("1_2"))
        out = board.exec(CLIENTS + """
try:
    ctx.wrap_socket(uart(1), server_hostname="localhost")
    print("tls12 connected")
except Exception as e:
    print("tls12", type(e).__name__, "lean engine" in str(e))
""", timeout=600)
    finally:
        board.close()
    lines = out.splitlines()
    assert lines[0].split() == ["TLSv1.3", "TLS_AES_128_GCM_SHA256", "True", "True"], out
    assert lines[1].split()[0] == "tls12" and lines[1].split()[2] == "True", out
