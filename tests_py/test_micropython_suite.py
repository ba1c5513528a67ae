"""MicroPython's own TLS tests from the fetched tree, run against our binary: tests/extmod
ssl_*/tls_* (and hashlib_*/cryptolib_*, whose modules are ours too) directly, and the tests/multi_net ssl and asyncio_tls tests through
run-multitests.py with copies rewritten to 127.0.0.1. MicroPython master's TLS-PSK tests, which
came after the tree's release, run the same way from tests_py/micropython_master. Error text that quotes mbedTLS is compared
by kind (see tls_normalize.py); everything else must match exactly.

No test is marked to fail. A test that cannot run as it is written runs as an adapted copy: each
adaptation names the lines it changes and why, and fails if those lines are no longer in the
test (upstream changed it: look again). A test that prints SKIP on our build fails unless it is
listed in SKIP with the reason; what an adaptation leaves out is checked by tests of our own
(named in its reason)."""
import glob
import os
import shutil
import socket
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from helpers import MICROPYTHON, MPY_DIR
from helpers.strict import missing
from tls_normalize import normalize

TESTS = os.path.join(MPY_DIR, "tests")
# Tests from MicroPython's master branch that the vendored tree predates (README there).
MASTER = os.path.join(os.path.dirname(__file__), "micropython_master")
UNITTEST = os.path.join(MPY_DIR, "lib", "micropython-lib", "python-stdlib", "unittest")
NEEDS_UNITTEST = ("ssl_noleak.py", "tls_noleak.py", "tls_threads.py")

# Tests that do not apply to this module at all.
SKIP = {
    "tls_sslcontext_ciphers.py": "prints mbedTLS's CBC suites by mbedTLS's names; we offer no CBC suite (AEAD only, "
                                 "as TLS 1.3 and rustls) and name ours as OpenSSL does: tests_py/test_ciphers.py makes "
                                 "the same calls (get_ciphers, set_ciphers of one, of a str, of an unknown name) with ours",
    "tls_dtls.py": "DTLS is not offered (no no_std Rust engine has DTLS)",
    "tls_dtls_server_client.py": "DTLS is not offered (no no_std Rust engine has DTLS)",
}

# name: (why, [(text in the test, replacement), ...]).
ADAPT = {
    "ssl_keycert_pkcs8.py": (
        "skips itself unless the module is mbedTLS ('Only mbedTLS supports PKCS8 keys'); ours reads PKCS#8 too",
        [('if not hasattr(ssl, "MBEDTLS_VERSION"):', "if False:")]),
    "ssl_sslcontext_verify_mode2.py": (
        "skips itself unless the module is mbedTLS or OpenSSL; ours has CERT_OPTIONAL too",
        [('if not hasattr(ssl, "OPENSSL_VERSION") and not hasattr(ssl, "MBEDTLS_VERSION"):', "if False:")]),
    "sslcontext_server_client_ciphers.py": (
        "asks for TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA256, a CBC suite we do not offer (AEAD only, as TLS 1.3 "
        "and rustls): the same test with our AEAD suite of the same key exchange, under our (OpenSSL's) name",
        [("TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256")]),
    "asyncio_tls_server_client_cert_required_error.py": (
        "TLS 1.3 (mbedTLS's module ran TLS 1.2): the client's handshake ends before the server sees that it sent "
        "no certificate, so the server's alert reaches the client only when it reads; the copy reads after drain()",
        [("        await writer.drain()\n", "        await writer.drain()\n        await reader.read(100)\n")]),
}

# Files an adapted copy needs besides the tree's own.
SETUP = {
    # The tree's expired_cert.der is not the certificate of ec_key.der, which the test loads with
    # it, and we refuse a key that does not match its certificate when they are loaded (mbedTLS
    # finds out later, in the handshake): an expired certificate of that very key, same names.
    "sslcontext_verify_time_error.py": "expired certificate of ec_key.der",
}


def expired_certificate_of_the_tree_key(directory):
    key = serialization.load_der_private_key(open(os.path.join(directory, "ec_key.der"), "rb").read(), None)
    old = x509.load_der_x509_certificate(open(os.path.join(directory, "expired_cert.der"), "rb").read())
    cert = (x509.CertificateBuilder().subject_name(old.subject).issuer_name(old.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(old.not_valid_before_utc).not_valid_after(old.not_valid_after_utc)
            .sign(key, hashes.SHA256()))
    with open(os.path.join(directory, "expired_cert.der"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.DER))


def suite_tests(kind, patterns):
    """The tree's tests of a kind, and master's that the tree lacks."""
    found = set()
    for root in (os.path.join(TESTS, kind), os.path.join(MASTER, kind)):
        found |= {os.path.basename(p) for pattern in patterns for p in glob.glob(os.path.join(root, pattern))}
    return sorted(found)


def where_is(kind, name):
    """Where a test is: the tree's copy when it has one, else master's."""
    path = os.path.join(TESTS, kind, name)
    return path if os.path.exists(path) else os.path.join(MASTER, kind, name)


def extmod_tests():
    # hashlib and cryptolib are ours too (src/pycrypto, mpy_module/pyhashlib.c, pycryptolib.c).
    return suite_tests("extmod", ("ssl_*.py", "tls_*.py", "hashlib_*.py", "cryptolib_*.py"))


def multi_tests():
    return suite_tests("multi_net", ("ssl*.py", "asyncio_tls*.py", "tls_*.py"))


def expected_output(path):
    exp = path + ".exp"
    if os.path.exists(exp):
        return open(exp).read()
    # As run-tests.py does: without a .exp file, CPython's output is the truth.
    return subprocess.run([sys.executable, path], capture_output=True, text=True, cwd=TESTS, timeout=30).stdout


def source_of(name, path):
    """The test's text, adapted when ADAPT says so."""
    text = open(path).read()
    for old, new in ADAPT.get(name, (None, []))[1]:
        assert old in text, f"{name} no longer has {old!r}: look at the adaptation again"
        text = text.replace(old, new)
    return text


def param(name):
    if name in SKIP:
        return pytest.param(name, marks=pytest.mark.skip(reason=SKIP[name]))
    return name


@pytest.mark.parametrize("name", [param(n) for n in extmod_tests()])
def test_extmod(name, tmp_path):
    if name in NEEDS_UNITTEST and not os.path.isdir(UNITTEST):
        missing("micropython-lib's unittest", "the 1.28 tree has it; Debian's 1.25 source tarball does not")
    path = where_is("extmod", name)
    if name in ADAPT:
        path = str(tmp_path / name)
        with open(path, "w") as f:
            f.write(source_of(name, where_is("extmod", name)))
    env = dict(os.environ, MICROPYPATH=".frozen:" + UNITTEST)
    r = subprocess.run([MICROPYTHON, path], capture_output=True, text=True, cwd=TESTS, env=env, timeout=60)
    assert r.stdout.strip() != "SKIP", f"{name} skips itself on our build: adapt it, or list it in SKIP with the reason"
    lines = r.stdout.strip().splitlines()
    if len(lines) >= 3 and lines[-3].startswith("Ran ") and " tests" in lines[-3]:
        # A unittest test, judged as run-tests.py judges it: by its summary line.
        assert lines[-1] == "OK" and r.returncode == 0, r.stdout[-3000:] + r.stderr
        return
    assert normalize(r.stdout + r.stderr) == normalize(expected_output(where_is("extmod", name)))


def unused_port():
    """A port nothing on 127.0.0.1 listens on now (the kernel's pick for a socket bound to port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("name", [param(n) for n in multi_tests()])
def test_multi_net(name, tmp_path):
    src = os.path.join(TESTS, "multi_net")
    for der in glob.glob(os.path.join(src, "*.der")):
        shutil.copy(der, tmp_path)
    if name in SETUP:
        expired_certificate_of_the_tree_key(str(tmp_path))
    text = source_of(name, where_is("multi_net", name))
    text = text.replace("0.0.0.0", "127.0.0.1").replace("multitest.get_network_ip()", '"127.0.0.1"')
    # The tree's tests all listen on port 8000: a second run of the suite on the same machine (or
    # anything else there on 8000) would take it from under them.
    assert "PORT = 8000\n" in text, f"{name} no longer sets PORT = 8000: look at the port rewrite again"
    text = text.replace("PORT = 8000\n", f"PORT = {unused_port()}\n")
    (tmp_path / name).write_text(text)
    if os.path.exists(where_is("multi_net", name) + ".exp"):
        (tmp_path / (name + ".exp")).write_text(normalize(open(where_is("multi_net", name) + ".exp").read()))
    env = dict(os.environ, MICROPY_MICROPYTHON=os.path.join(os.path.dirname(__file__), "tls_normalize.py"),
               USSL_REAL_MICROPYTHON=MICROPYTHON)
    # 1.28's runner names instances with -t, 1.25's with -i.
    runner = open(os.path.join(TESTS, "run-multitests.py")).read()
    instance = ["-t", "unix"] if "--test-instance" in runner else ["-i", "micropython"]
    r = subprocess.run([sys.executable, "run-multitests.py", *instance, *instance,
                        str(tmp_path / name)], capture_output=True, text=True, cwd=TESTS, env=env, timeout=120)
    # A test that skips itself counts as skipped, not passed.
    assert "1 tests passed" in r.stdout, r.stdout[-3000:]


def test_adaptations_name_tests_that_exist():
    names = set(extmod_tests()) | set(multi_tests())
    for name in list(ADAPT) + list(SETUP) + list(SKIP):
        assert name in names, f"{name} is not in the tree's tests any more"


def test_normalize_keeps_the_kind_of_error():
    """mbedTLS's text and ours meet only when they report the same failure."""
    assert normalize("The certificate validity has expired") == normalize("certificate has expired")
    assert normalize("The certificate validity has expired") != normalize("certificate is not yet valid")
    assert normalize("The certificate Common Name (CN) does not match with the expected CN") == normalize("hostname mismatch")
    assert normalize("hostname mismatch") != normalize("unknown issuer")
    assert normalize("ValueError('invalid cert',)") == normalize("ValueError('invalid certificate data (garbage PEM or DER)',)")
    assert normalize("ValueError('invalid cert',)") != normalize("ValueError('invalid key',)")
    assert normalize("an ordinary line") == "an ordinary line\n"
    # The kinds of failure that only an alert, a close or a configuration error report.
    alert = normalize("(-30592, 'MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE')")
    assert alert == normalize("(400, 'peer sent alert bad_certificate')") == normalize("peer sent alert unknown_ca")
    assert alert != normalize("hostname mismatch") and alert != normalize("(-29312, 'MBEDTLS_ERR_SSL_CONN_EOF')")
    assert alert != normalize("(460, 'connection closed during handshake')")
    assert normalize("(-29312, 'MBEDTLS_ERR_SSL_CONN_EOF')") == normalize("(460, 'connection closed during handshake')")
    assert normalize("(-29824, 'MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE')") == normalize("(452, 'peer sent no certificate')")
    assert normalize("(-29824, 'MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE')") != alert
    # An error of either library that no kind covers matches nothing of the other's.
    assert normalize("(-27264, 'MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED')") != normalize("(499, 'internal error')")
    assert normalize("(499, 'internal error')") != alert
