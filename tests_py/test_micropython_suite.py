"""MicroPython's own TLS tests from the fetched tree, run against our binary: tests/extmod
ssl_*/tls_* directly, and the tests/multi_net ssl and asyncio_tls tests through
run-multitests.py with copies rewritten to 127.0.0.1. Error text that quotes mbedTLS is compared
by kind (see tls_normalize.py); everything else must match exactly. Tests that cannot pass are
marked xfail with the reason, and strict: if one starts passing, the mark must go."""
import glob
import os
import shutil
import subprocess
import sys

import pytest

from helpers import MICROPYTHON, MPY_DIR, ROOT
from tls_normalize import normalize

TESTS = os.path.join(MPY_DIR, "tests")

EXTMOD_XFAIL = {
    "tls_sslcontext_ciphers.py": "prints mbedTLS's CBC suites; we offer no CBC suite (AEAD only, as TLS 1.3 and "
                                 "rustls do), and our names are OpenSSL's",
}
UNITTEST = os.path.join(MPY_DIR, "lib", "micropython-lib", "python-stdlib", "unittest")
EXTMOD_SKIP = {
    **{name: "needs micropython-lib's unittest, which Debian's source tarball lacks"
       for name in ("ssl_noleak.py", "tls_noleak.py", "tls_threads.py") if not os.path.isdir(UNITTEST)},
    "tls_dtls.py": "DTLS is not offered (rustls has no DTLS)",
}

MULTI_XFAIL = {
    "asyncio_tls_server_client_cert_required_error.py":
        "TLS 1.3: the client's handshake ends before the server checks for a client certificate, so the "
        "server's alert reaches a client that never reads again; mbedTLS's module ran TLS 1.2 here",
    "sslcontext_server_client_ciphers.py": "asks for TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA256, a CBC suite we do not offer",
    "sslcontext_verify_time_error.py": "loads expired_cert.der with ec_key.der, which is not its key; we refuse a "
                                       "mismatched key and certificate when they are loaded",
}


def extmod_tests():
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(TESTS, "extmod", "ssl_*.py"))
                  + glob.glob(os.path.join(TESTS, "extmod", "tls_*.py")))


def multi_tests():
    names = glob.glob(os.path.join(TESTS, "multi_net", "ssl*.py")) + glob.glob(
        os.path.join(TESTS, "multi_net", "asyncio_tls*.py"))
    return sorted(os.path.basename(p) for p in names)


def expected_output(path):
    exp = path + ".exp"
    if os.path.exists(exp):
        return open(exp).read()
    # As run-tests.py does: without a .exp file, CPython's output is the truth.
    return subprocess.run([sys.executable, path], capture_output=True, text=True, cwd=TESTS, timeout=30).stdout


def mark(name, xfail, skip):
    if name in skip:
        return pytest.param(name, marks=pytest.mark.skip(reason=skip[name]))
    if name in xfail:
        return pytest.param(name, marks=pytest.mark.xfail(reason=xfail[name], strict=True))
    return name


@pytest.mark.parametrize("name", [mark(n, EXTMOD_XFAIL, EXTMOD_SKIP) for n in extmod_tests()])
def test_extmod(name):
    path = os.path.join(TESTS, "extmod", name)
    env = dict(os.environ, MICROPYPATH=".frozen:" + UNITTEST)
    r = subprocess.run([MICROPYTHON, path], capture_output=True, text=True, cwd=TESTS, env=env, timeout=60)
    if r.stdout.strip() == "SKIP":
        pytest.skip("the test skips itself on this build (it needs mbedTLS or OpenSSL specifics)")
    lines = r.stdout.strip().splitlines()
    if len(lines) >= 3 and lines[-3].startswith("Ran ") and " tests" in lines[-3]:
        # A unittest test, judged as run-tests.py judges it: by its summary line.
        assert lines[-1] == "OK" and r.returncode == 0, r.stdout[-3000:] + r.stderr
        return
    assert normalize(r.stdout + r.stderr) == normalize(expected_output(path))


@pytest.mark.parametrize("name", [mark(n, MULTI_XFAIL, {}) for n in multi_tests()])
def test_multi_net(name, tmp_path):
    src = os.path.join(TESTS, "multi_net")
    for der in glob.glob(os.path.join(src, "*.der")):
        shutil.copy(der, tmp_path)
    text = open(os.path.join(src, name)).read()
    text = text.replace("0.0.0.0", "127.0.0.1").replace("multitest.get_network_ip()", '"127.0.0.1"')
    (tmp_path / name).write_text(text)
    if os.path.exists(os.path.join(src, name + ".exp")):
        (tmp_path / (name + ".exp")).write_text(normalize(open(os.path.join(src, name + ".exp")).read()))
    env = dict(os.environ, MICROPY_MICROPYTHON=os.path.join(os.path.dirname(__file__), "tls_normalize.py"),
               USSL_REAL_MICROPYTHON=MICROPYTHON)
    # 1.28's runner names instances with -t, 1.25's with -i.
    runner = open(os.path.join(TESTS, "run-multitests.py")).read()
    instance = ["-t", "unix"] if "--test-instance" in runner else ["-i", "micropython"]
    r = subprocess.run([sys.executable, "run-multitests.py", *instance, *instance,
                        str(tmp_path / name)], capture_output=True, text=True, cwd=TESTS, env=env, timeout=120)
    assert "1 tests passed" in r.stdout, r.stdout[-3000:]


def test_normalize_keeps_the_kind_of_error():
    """mbedTLS's text and ours meet only when they report the same failure."""
    assert normalize("The certificate validity has expired") == normalize("certificate has expired")
    assert normalize("The certificate validity has expired") != normalize("certificate is not yet valid")
    assert normalize("The certificate Common Name (CN) does not match with the expected CN") == normalize("hostname mismatch")
    assert normalize("hostname mismatch") != normalize("unknown issuer")
    assert normalize("ValueError('invalid cert',)") == normalize("ValueError('invalid certificate data (garbage PEM or DER)',)")
    assert normalize("ValueError('invalid cert',)") != normalize("ValueError('invalid key',)")
    assert normalize("an ordinary line") == "an ordinary line\n"
