"""Fixtures for the ussl tests: the built MicroPython binary, a test PKI, and real TLS peers on
127.0.0.1 (CPython's ssl and the openssl CLI). Every wait is bounded; every fixture stops what it
started. The helpers they use are in the helpers package."""
import os
import subprocess

import pytest

from helpers import MICROPYTHON, MPY_DIR, ROOT, Pki, RawServer, TlsServer, echo_handler, free_port, wait_port  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def micropython_binary():
    if not os.path.exists(MICROPYTHON):
        pytest.exit(f"{MICROPYTHON} is missing: run `make` first", returncode=2)
    return MICROPYTHON


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return Pki(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture
def tls_server(request):
    servers = []

    def start(context, handler=echo_handler, plain=False):
        server = TlsServer(context, handler, plain=plain)
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()


@pytest.fixture
def openssl_server(pki):
    procs = []

    def start(*extra, cert=None, key=None):
        port = free_port()
        args = ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert or pki.ec_cert,
                "-key", key or pki.ec_key, "-quiet", *extra]
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs.append(proc)
        wait_port(port, proc, what="openssl s_server")
        return port

    yield start
    for p in procs:
        p.kill()
        p.wait(timeout=5)


@pytest.fixture
def raw_server():
    servers = []

    def start(behaviour):
        s = RawServer(behaviour)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()
