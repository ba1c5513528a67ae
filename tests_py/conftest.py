"""Fixtures for the ussl tests: the built MicroPython binary, a test PKI, and real TLS peers on
127.0.0.1 (CPython's ssl and the openssl CLI). Every wait is bounded; every fixture stops what it
started. The helpers they use are in the helpers package."""
import fnmatch
import os
import re
import subprocess

import pytest

from helpers import LEAN_PROFILE, MICROPYTHON, MPY_DIR, ROOT, Pki, RawServer, TlsServer, echo_handler, free_port, wait_port  # noqa: F401
from helpers.strict import pytest_deselected, pytest_terminal_summary  # noqa: F401 (pytest's hooks)


# What the lean engine (build/micropython-lean) leaves out, and the tests that need it: skipped on
# that build with the reason, and nowhere else. That the lean engine refuses each of these by
# name is asserted in test_lean.py.
LEAN_UNSUPPORTED = [
    ("test_server.py::*", "a server side"),
    ("test_alpn.py::test_our_server_*", "a server side"),
    ("test_asyncio.py::test_tls_echo_server_*", "a server side"),
    ("test_asyncio.py::test_non_blocking_write_*", "a server side (the instant peer is one)"),
    ("test_examples.py::test_https_server_example", "a server side"),
    ("test_verify_callback.py::test_server_side_*", "a server side"),
    ("test_alloc_faults.py::*", "a server side (each walk runs a client and a server in one interpreter)"),
    ("test_heap_sweep.py::*", "a server side (a client and a server in one interpreter)"),
    ("test_workspace_spares.py::*", "a server side (a client and a server in one interpreter)"),
    ("test_micropython_suite.py::test_multi_net*", "a server side (the other instance serves)"),
    ("test_micropython_suite.py::test_extmod[[]ssl_*", "a server side (these wrap both ends in one interpreter)"),
    ("test_psk.py::test_server_*", "a server side"),
    ("test_psk.py::test_a_lookup_*", "a server side"),
    ("test_sign_hook.py::*", "client certificates and a server side"),
    ("test_sessions.py::*", "session resumption"),
    ("test_session_bytes.py::*", "session resumption"),
    ("test_keylog.py::*", "a key log"),
    ("test_default_certs.py::*", "built-in root certificates"),
    ("test_client.py::test_client_certificate*", "client certificates"),
    ("test_real_clients.py::test_umqtt_simple_with_client_certificate*", "client certificates"),
    ("test_robustness.py::test_each_flight_*", "client certificates (the flights counted include one)"),
    ("test_robustness.py::test_bad_files_and_data", "client certificates (the key-does-not-match check)"),
    ("test_client.py::test_verified_round_trip*", "the getpeercert() dict (certinfo)"),
    ("test_client.py::test_getpeercert_matches_cpython", "the getpeercert() dict (certinfo)"),
    ("test_alpn.py::test_tls_client_agrees_*", "the ALPN protocol the server chose (embedded-tls does not report it)"),
    ("test_alpn.py::test_ussl_and_ssl_wrap_socket_take_alpn_protocols",
     "the ALPN protocol the server chose (embedded-tls does not report it)"),
    ("test_verify_callback.py::test_called_for_each_certificate_top_first", "the intermediates (it keeps the leaf)"),
    ("test_robustness.py::test_no_shared_cipher_alert_from_openssl", "TLS 1.2 (the server offers TLS 1.2 only)"),
    ("test_groups.py::*", "X25519 or X25519MLKEM768 (embedded-tls offers P-256 alone; test_lean.py checks that "
     "set_groups refuses them)"),
    ("test_ciphers.py::*", "choice of cipher suites (TLS_AES_128_GCM_SHA256 alone; test_lean.py checks that "
     "set_ciphers refuses the others)"),
]
# Parametrized over TLS versions: the TLS 1.2 cases.
TLS12_ID = re.compile(r"(^|-)(1\.2|tls1_?2[a-z-]*)($|-)")


def pytest_collection_modifyitems(config, items):
    if not LEAN_PROFILE:
        return
    for item in items:
        name = item.nodeid.split("tests_py/", 1)[-1]
        why = next((why for pattern, why in LEAN_UNSUPPORTED if fnmatch.fnmatchcase(name, pattern)), None)
        callspec = getattr(item, "callspec", None)
        if why is None and callspec is not None and TLS12_ID.search(callspec.id):
            why = "TLS 1.2"
        if why:
            item.add_marker(pytest.mark.skip(reason=f"the lean engine lacks {why}"))


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

    def start(*extra, cert=None, key=None, psk=None):
        """`psk`: (identity, key) for a PSK server with no certificate."""
        port = free_port()
        own = ["-nocert", "-psk", psk[1].hex(), "-psk_identity", psk[0].decode()] if psk else [
            "-cert", cert or pki.ec_cert, "-key", key or pki.ec_key]
        args = ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", *own, "-quiet", *extra]
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
