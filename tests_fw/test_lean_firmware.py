"""The lean engine's firmware (build/firmware/MPS2_AN385-lean, `make USSL_ENGINE=lean firmware`)
in the emulator: its TLS 1.3 client against openssl s_server on the host through the board's
UARTs (as test_openssl_uart.py does for the rustls image), verifying ECDSA and RSA servers
against the embedded CA, and refusing what the lean engine leaves out, by name."""
import os
import subprocess

import pytest

from conftest import boot, missing, mpy_source, need_file
from qemu import FIRMWARE, have_emulator
from test_openssl_uart import free_port, wait_accepting

# The Cortex-M3 board and the Cortex-M0+ one (the Pico W's core): the same machine and UARTs.
BOARDS = ["MPS2_AN385", "MPS2_AN385_M0PLUS"]
UART3 = 0x40007000
UART4 = 0x40009000
# What each engine stack must keep unused at its deepest (as tests_fw/test_stack.py requires of
# the rustls engine's).
ENGINE_MARGIN = 2 * 1024


def elf(board):
    return os.path.join(FIRMWARE, f"{board}-lean", "firmware.elf")


def meters_address(board):
    """ussl_engine_meters in the lean image (src/runtime/meters.rs; tests_fw/mpy/stack_probe.py
    names its words)."""
    out = subprocess.run(["arm-none-eabi-nm", elf(board)], capture_output=True, text=True, check=True).stdout
    return next(int(line.split()[0], 16) for line in out.splitlines() if line.endswith(" ussl_engine_meters"))


@pytest.fixture(params=BOARDS)
def board(request):
    if not have_emulator(request.param):
        missing("qemu-system-arm", "`make firmware` installs it")
    need_file(elf(request.param), "`make USSL_ENGINE=lean firmware` builds it")
    return request.param


@pytest.fixture
def servers(pki, tmp_path):
    """openssl s_servers with -www, one connection each: ECDSA chain over TLS 1.3, RSA over
    TLS 1.3 (an RSA-PSS CertificateVerify), a TLS 1.2-only one, and a P-256 leaf signed by a
    P-384 root (as Let's Encrypt's ECDSA chains are) over TLS 1.3."""
    specs = [("EC_CHAIN", "EC_KEY", "-tls1_3"), ("RSA_CHAIN", "RSA_KEY", "-tls1_3"), ("EC_CHAIN", "EC_KEY", "-tls1_2"),
             ("P384_CHAIN", "P384_KEY", "-tls1_3")]
    procs, ports = [], []
    for i, (chain_name, key_name, version) in enumerate(specs):
        pems = pki.values[chain_name].split(b"-----END CERTIFICATE-----\n")
        cert, chain, key = tmp_path / f"leaf{i}.pem", tmp_path / f"chain{i}.pem", tmp_path / f"key{i}.pem"
        cert.write_bytes(pems[0] + b"-----END CERTIFICATE-----\n")
        chain.write_bytes(b"-----END CERTIFICATE-----\n".join(pems[1:]))
        key.write_bytes(pki.values[key_name])
        port = free_port()
        chain_args = ["-cert_chain", str(chain)] if pems[1:] != [b""] else []
        proc = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(cert),
                                 *chain_args, "-key", str(key), "-www", "-naccept", "1", version],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs.append(proc)
        wait_accepting(proc)
        ports.append(port)
    yield ports
    for p in procs:
        p.kill()
        p.wait(timeout=5)


def test_lean_firmware_client_against_openssl_over_uart(pki, servers, board):
    """Besides what each connection says: the deepest each of the engine's stacks (taken from the
    heap per call, src/runtime/workspace.rs) reached, by painting, keeps the margin. A Light call
    that ran past its 6 KB stack (a TLS 1.3 record with a ticket reached 6,480 B on the Cortex-M3)
    wrote over the heap block below it: a hard fault at a later collection."""
    extra = [arg for port in servers for arg in ("-serial", f"tcp:127.0.0.1:{port}")]
    q = boot(board, pki, elf=elf(board), extra=extra)
    try:
        q.exec(mpy_source("uart_stream.py"))
        q.exec(mpy_source("stack_probe.py"))
        out = q.exec(f"""
import gc, tls, ussl
METERS = {meters_address(board)}
machine.mem32[METERS + 4 * PAINT] = 1
def get(c):
    c.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
    return read_page(c)
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cadata=CA)
gc.collect()
before = gc.mem_free()
c = ctx.wrap_socket(Uart(UART1), server_hostname="localhost")
page = get(c)
print("ec", c.version(), c.cipher()[0], page.startswith(b"HTTP/1.0 200 ok"), b"TLSv1.3" in page)
c.close()
c = ussl.wrap_socket(Uart(UART2), cert_reqs=ussl.CERT_REQUIRED, ca_certs=CA, server_hostname="localhost", timeout=20)
page = get(c)
print("rsa", c.version(), c.cipher()[0], page.startswith(b"HTTP/1.0 200 ok"), len(c.getpeercert(True)) > 500)
c.close()
try:
    ctx.wrap_socket(Uart({UART3}), server_hostname="localhost")
    print("tls12 connected")
except Exception as e:
    print("tls12", type(e).__name__, "lean engine" in str(e))
def serve():
    server = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(EC_CHAIN, EC_KEY)
    server.wrap_socket(Uart(UART1), server_side=True)
p384 = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
p384.load_verify_locations(cadata=P384_CA)
c = p384.wrap_socket(Uart({UART4}), server_hostname="localhost")
print("p384", c.version(), get(c).startswith(b"HTTP/1.0 200 ok"))
c.close()
for what, f in (("server", serve), ("session", lambda: tls.SSLSession(b"x" * 40))):
    try:
        f()
        print(what, "no error")
    except NotImplementedError as e:
        print(what, "NotImplementedError", "lean engine" in str(e))
print("stacks", *[meter(METERS, w, kind) for w in (STACK_SIZE, STACK_PEAK) for kind in (0, 1)])
""", timeout=180)
        assert q.alive()
    finally:
        q.close()
    lines = out.splitlines()
    assert lines[0].split() == ["ec", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "True", "True"], out
    assert lines[1].split() == ["rsa", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "True", "True"], out
    assert lines[2].split() == ["tls12", "SSLError", "True"], out
    assert lines[3] == "p384 TLSv1.3 True", out
    assert lines[4:6] == ["server NotImplementedError True", "session NotImplementedError True"], out
    deep_size, light_size, deep_peak, light_peak = map(int, lines[6].split()[1:])
    print(f"{board} lean: Deep {deep_peak} of {deep_size}, Light {light_peak} of {light_size}")
    assert 0 < deep_peak <= deep_size - ENGINE_MARGIN, lines[6]
    assert 0 < light_peak <= light_size - ENGINE_MARGIN, lines[6]
