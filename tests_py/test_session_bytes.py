"""Sessions as bytes (issue 14): SSLSession.serialize() / bytes(session) in one MicroPython
process, SSLSession(data) in a new one, as after a deep sleep or a reboot. Against CPython's
ssl, openssl s_server and our own server; other settings, expired tickets and bad bytes run a
full handshake or raise ValueError."""
import hashlib

import pytest

from helpers import PRELUDE, TlsliteTicketServer, mpy_file, run_mpy, server_context
from mpy_server import MpyServer

SAVE = """
ses, reused = once({port}, request=b'hello')
data = ses.serialize()
assert bytes(ses) == data and bytes(memoryview(ses)) == data
open({path}, 'wb').write(data)
print('saved', reused, len(data))
"""

RESUME = """
ses = ussl.SSLSession(open({path}, 'rb').read())
print(ses)
new, reused = once({port}, ses, request=b'hello')
print('resumed', reused)
"""


def sessions_script(pki, body, **params):
    script = PRELUDE + mpy_file("sessions.py").replace("{ca}", repr(pki.ca_pem)) + body
    for name, value in params.items():
        script = script.replace("{" + name + "}", repr(value))
    return script


def save_then_resume(pki, port, path, resume=RESUME):
    saved = run_mpy(sessions_script(pki, SAVE, port=port, path=str(path)))
    assert saved.rc == 0, saved
    resumed = run_mpy(sessions_script(pki, resume, port=port, path=str(path)))
    assert resumed.rc == 0, resumed
    return saved.lines()[-1].split(), resumed.lines()


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_resumes_in_a_new_process_against_cpython(pki, tls_server, tmp_path, version):
    seen = []

    def handler(server, conn):
        seen.append(conn.session_reused)
        conn.sendall(conn.recv(5))

    server = tls_server(server_context(pki.ec_cert, pki.ec_key, version=version), handler=handler)
    saved, resumed = save_then_resume(pki, server.port, tmp_path / "session.bin")
    assert saved[:2] == ["saved", "False"]
    assert resumed == ["<SSLSession TLSv%s>" % version, "resumed True"]
    assert seen == [False, True]


@pytest.mark.parametrize("args", [["-tls1_3"], ["-tls1_2"], ["-tls1_2", "-no_ticket"]],
                         ids=["tls13", "tls12-ticket", "tls12-session-id"])
def test_resumes_in_a_new_process_against_openssl_s_server(pki, openssl_server, tmp_path, args):
    port = openssl_server("-www", *args)
    path = tmp_path / "session.bin"
    saved = run_mpy(sessions_script(pki, """
ses, _ = once({port}, request=b'GET / HTTP/1.0\\r\\n\\r\\n')
open({path}, 'wb').write(bytes(ses))
""", port=port, path=str(path)))
    assert saved.rc == 0, saved
    r = run_mpy(sessions_script(pki, """
s = connect({port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs=CA, server_hostname='localhost',
            saved_session=ussl.SSLSession(open({path}, 'rb').read()))
s.write(b'GET / HTTP/1.0\\r\\n\\r\\n')
page = read_all(s)
print(s.session_reused)
print([l for l in page.split(b'\\n') if l.startswith(b'Reused') or l.startswith(b'New')])
""", port=port, path=str(path)))
    assert r.rc == 0, r
    assert r.lines()[0] == "True"
    assert r.lines()[1].startswith("[b'Reused, TLSv1.%s" % args[0][-1]), r


def test_resumes_in_a_new_process_against_our_server(pki, tmp_path):
    server = MpyServer(f"certfile={pki.ec_cert!r}, keyfile={pki.ec_key!r}", count=2)
    try:
        saved, resumed = save_then_resume(pki, server.port, tmp_path / "session.bin")
        assert resumed[-1] == "resumed True"
        assert [server.next_line() for _ in range(2)] == ["ok TLSv1.3 False None", "ok TLSv1.3 True None"]
    finally:
        server.stop()


def test_tls_and_ssl_modules_session_attribute_and_argument(pki, tls_server, tmp_path):
    """mainline's API as PR #12780 has it: SSLSocket.session, wrap_socket(session=...),
    tls.SSLSession(data); and ssl.py's SSLContext.wrap_socket(session=...)."""
    seen = []

    def handler(server, conn):
        seen.append(conn.session_reused)
        conn.sendall(conn.recv(4))

    server = tls_server(server_context(pki.ec_cert, pki.ec_key), handler=handler)
    path = str(tmp_path / "session.bin")
    common = """
import socket, tls, ssl
def context(mod):
    ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = mod.CERT_REQUIRED
    ctx.load_verify_locations(cadata=open({ca}, 'rb').read())
    return ctx
def once(mod, session=None):
    s = socket.socket()
    s.connect(socket.getaddrinfo('127.0.0.1', {port})[0][-1])
    t = context(mod).wrap_socket(s, server_hostname='localhost', session=session)
    t.write(b'ping'); t.read(4)
    ses, reused = t.session, t.session_reused
    t.close()
    return ses, reused
"""
    first = run_mpy(common + """
ses, reused = once(tls)
print(type(ses).__name__, reused)
open({path}, 'wb').write(ses.serialize())
""", port=server.port, ca=pki.ca_pem, path=path)
    assert first.rc == 0, first
    assert first.lines() == ["SSLSession False"]
    second = run_mpy(common + """
ses, reused = once(tls, tls.SSLSession(open({path}, 'rb').read()))
print(reused)
ses, reused = once(ssl, ssl.SSLSession(ses.serialize()))
print(reused)
s = socket.socket()
try:
    context(tls).wrap_socket(s, session=b'bytes are not a session')
except TypeError as e:
    print('TypeError')
s.close()
""", port=server.port, ca=pki.ca_pem, path=path)
    assert second.rc == 0, second
    assert second.lines() == ["True", "True", "TypeError"]
    assert seen == [False, True, True]


def test_other_settings_or_name_run_a_full_handshake(pki, tls_server, tmp_path):
    """The settings fingerprint and the server name travel in the bytes: a session rebuilt
    under other trust anchors, or for another name, is not offered."""
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    path = tmp_path / "session.bin"
    both = pki.write("both.pem", open(pki.ca_pem, "rb").read() + open(pki.other_ca_pem, "rb").read())
    saved = run_mpy(sessions_script(pki, SAVE, port=server.port, path=str(path)))
    assert saved.rc == 0, saved
    r = run_mpy(sessions_script(pki, """
data = open({path}, 'rb').read()
_, other_ca = once({port}, ussl.SSLSession(data), ca={both}, save=False)
_, other_name = once({port}, ussl.SSLSession(data), host='127.0.0.1', save=False)
_, same = once({port}, ussl.SSLSession(data), save=False)
print(other_ca, other_name, same)
""", port=server.port, path=str(path), both=both))
    assert r.rc == 0, r
    assert r.lines() == ["False False True"]


def test_a_rebuilt_session_follows_newer_tickets(pki, tls_server, tmp_path):
    """A TLS 1.3 ticket is single-use: once a rebuilt session resumed, serialize() gives the
    newer ticket the server issued, and those bytes resume in a third process."""
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, version="1.3"))
    path = tmp_path / "session.bin"
    assert run_mpy(sessions_script(pki, SAVE, port=server.port, path=str(path))).rc == 0
    r = run_mpy(sessions_script(pki, """
old = open({path}, 'rb').read()
ses = ussl.SSLSession(old)
_, reused = once({port}, ses, save=False)
new = ses.serialize()
open({path}, 'wb').write(new)
print(reused, new != old, len(new) == len(old))
""", port=server.port, path=str(path)))
    assert r.lines() == ["True True True"], r
    saved, resumed = save_then_resume(pki, server.port, path, resume=RESUME)
    assert resumed[-1] == "resumed True"


def test_expired_ticket_from_bytes_runs_a_full_handshake(pki, tmp_path):
    """tlslite-ng's tickets live one second: bytes saved, then read back after it expired,
    give a full handshake."""
    server = TlsliteTicketServer(pki, lifetime=1, connections=3)
    port = server.port
    try:
        path = tmp_path / "session.bin"
        assert run_mpy(sessions_script(pki, SAVE, port=port, path=str(path))).rc == 0
        r = run_mpy(sessions_script(pki, """
import time
time.sleep(2.5)
ses = ussl.SSLSession(open({path}, 'rb').read())
new, reused = once({port}, ses)
print(reused, new)
""", port=port, path=str(path)))
        assert r.rc == 0, r
        assert r.lines()[-1] == "False <SSLSession TLSv1.3>"
    finally:
        server.stop()


def test_bad_bytes_raise_value_error_and_the_interpreter_lives(pki, tls_server, tmp_path):
    """Every prefix, every single flipped byte, garbage and wrong types; then a session whose
    check is right but whose ticket the server never issued gives a full handshake; and the
    good bytes still resume."""
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    path = tmp_path / "session.bin"
    assert run_mpy(sessions_script(pki, SAVE, port=server.port, path=str(path))).rc == 0
    good = path.read_bytes()
    # The ticket starts after the fixed fields; change one of its bytes and fix up the check.
    body = bytearray(good[:-16])
    body[120] ^= 0xFF
    forged = bytes(body) + hashlib.sha256(bytes(body)).digest()[:16]
    r = run_mpy(sessions_script(pki, """
good = open({path}, 'rb').read()
def kind(data):
    try:
        ussl.SSLSession(data)
        return 'ok'
    except ValueError:
        return 'ValueError'
    except Exception as e:
        return type(e).__name__
prefixes = set(kind(good[:n]) for n in range(len(good)))
flips = set()
for i in range(len(good)):
    b = bytearray(good)
    b[i] ^= 0x01
    flips.add(kind(bytes(b)))
print(sorted(prefixes), sorted(flips), kind(good + b'x'), kind(b''), kind(bytes(200)))
for wrong in (42, None, [1, 2]):
    print(fails(lambda: ussl.SSLSession(wrong)))
print(fails(lambda: ussl.SSLSession()))
_, reused = once({port}, ussl.SSLSession({forged}), save=False)
print('forged', reused)
_, reused = once({port}, ussl.SSLSession(good), save=False)
print('good', reused)
""", port=server.port, path=str(path), forged=forged), timeout=120)
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0] == "['ValueError'] ['ValueError'] ValueError ValueError ValueError", r
    assert all(l.startswith("TypeError") for l in lines[1:5]), r
    assert lines[5:] == ["forged False", "good True"]


def test_sizes_of_the_bytes(pki, tls_server, tmp_path):
    """The bytes hold the leaf certificate, not the chain: an ECDSA session is under 1 KB."""
    sizes = {}
    for name, cert, key, version in [("ec13", pki.ec_cert, pki.ec_key, "1.3"), ("ec12", pki.ec_cert, pki.ec_key, "1.2"),
                                     ("rsa13", pki.rsa_cert, pki.rsa_key, "1.3")]:
        server = tls_server(server_context(cert, key, version=version))
        saved = run_mpy(sessions_script(pki, SAVE, port=server.port, path=str(tmp_path / name)))
        assert saved.rc == 0, saved
        sizes[name] = int(saved.lines()[-1].split()[-1])
        assert sizes[name] < 1600, (name, sizes)
    print("serialized sizes", sizes)
    assert sizes["ec13"] < 1024
