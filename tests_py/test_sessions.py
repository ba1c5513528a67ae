"""Session resumption: ussl.save_session and wrap_socket(saved_session=...), against CPython's
ssl server, openssl s_server, our own server and gnutls-serv."""
import ssl
import subprocess

import pytest

from helpers import MICROPYTHON, PRELUDE, TlsliteTicketServer, free_port, mpy_file, run_mpy, server_context
from helpers.strict import need_tool
from mpy_server import MpyServer


def sessions_script(pki, body):
    return PRELUDE + mpy_file("sessions.py").replace("{ca}", repr(pki.ca_pem)) + body


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_resumes_against_cpython(pki, tls_server, version):
    reused_seen = []

    def handler(server, conn):
        reused_seen.append(conn.session_reused)
        conn.sendall(conn.recv(4))

    server = tls_server(server_context(pki.ec_cert, pki.ec_key, version=version), handler=handler)
    r = run_mpy(sessions_script(pki, f"""
ses, r1 = once({server.port})
print(ses)
ses, r2 = once({server.port}, ses)
ses, r3 = once({server.port}, ses)
print(r1, r2, r3)
"""))
    assert r.rc == 0, r
    assert r.lines() == ["<SSLSession TLSv1.3>" if version == "1.3" else "<SSLSession TLSv1.2>", "False True True"]
    assert reused_seen == [False, True, True]


def test_resumes_against_openssl_s_server(pki, openssl_server):
    port = openssl_server("-www")
    r = run_mpy(sessions_script(pki, f"""
ses, _ = once({port}, request=b'GET / HTTP/1.0\\r\\n\\r\\n')
s = connect({port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r}, server_hostname='localhost', saved_session=ses)
s.write(b'GET / HTTP/1.0\\r\\n\\r\\n')
page = read_all(s)
print(s.session_reused)
print([l for l in page.split(b'\\n') if l.startswith(b'Reused') or l.startswith(b'New')])
"""))
    assert r.rc == 0, r
    assert r.lines() == ["True", "[b'Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256']"]


def test_resumes_against_our_server(pki):
    server = MpyServer(f"certfile={pki.ec_cert!r}, keyfile={pki.ec_key!r}", count=3)
    try:
        r = run_mpy(sessions_script(pki, f"""
ses, r1 = once({server.port}, request=b'hello')
ses, r2 = once({server.port}, ses, request=b'hello')
ses, r3 = once({server.port}, ses, request=b'hello')
print(r1, r2, r3)
"""))
        assert r.lines() == ["False True True"], r
        assert [server.next_line() for _ in range(3)] == [
            "ok TLSv1.3 False None", "ok TLSv1.3 True None", "ok TLSv1.3 True None"]
    finally:
        server.stop()


def test_other_hostname_or_other_ca_runs_a_full_handshake(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    both = pki.write("both.pem", open(pki.ca_pem, "rb").read() + open(pki.other_ca_pem, "rb").read())
    r = run_mpy(sessions_script(pki, f"""
ses, _ = once({server.port})
_, reused = once({server.port}, ses, host='127.0.0.1', save=False)
print(reused)
ses, _ = once({server.port})
_, reused = once({server.port}, ses, ca={both!r}, save=False)
print(reused)
ses, _ = once({server.port})
_, reused = once({server.port}, ses, save=False)
print(reused)
"""))
    assert r.rc == 0, r
    assert r.lines() == ["False", "False", "True"]


def test_tls13_ticket_is_used_once_and_the_session_follows_newer_tickets(pki, tls_server):
    seen = []

    def handler(server, conn):
        seen.append(conn.session_reused)
        conn.sendall(conn.recv(4))

    server = tls_server(server_context(pki.ec_cert, pki.ec_key, version="1.3"), handler=handler)
    r = run_mpy(sessions_script(pki, f"""
ses, _ = once({server.port})
_, first = once({server.port}, ses, save=False)
# The saved ticket is spent; the session carries the newer one the server just issued.
_, second = once({server.port}, ses, save=False)
print(first, second)
"""))
    assert r.lines() == ["True True"], r
    assert seen == [False, True, True]


def test_server_that_issues_no_tickets(pki, tls_server):
    ctx = server_context(pki.ec_cert, pki.ec_key, version="1.3")
    ctx.num_tickets = 0
    server = tls_server(ctx)
    r = run_mpy(sessions_script(pki, f"""
print(fails(lambda: once({server.port})))
print('alive')
"""))
    assert r.rc == 0, r
    assert r.lines()[0].startswith("SSLError 203") and "issued no session" in r.lines()[0]


def test_session_after_server_restart_runs_full_handshake(pki, tls_server):
    first = tls_server(server_context(pki.ec_cert, pki.ec_key))
    second = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(sessions_script(pki, f"""
ses, _ = once({first.port})
new, reused = once({second.port}, ses)
print(reused, new)
"""))
    assert r.rc == 0, r
    assert r.lines() == ["False <SSLSession TLSv1.3>"]


def test_expired_ticket_runs_a_full_handshake(pki):
    """tlslite-ng issues TLS 1.3 tickets that live one second: offered at once the session
    resumes, offered after it expired a full handshake runs, and nothing fails."""
    server = TlsliteTicketServer(pki, lifetime=1, connections=4)
    port = server.port
    try:
        r = run_mpy(sessions_script(pki, f"""
import time
ses, first = once({port})
ses, second = once({port}, ses)
time.sleep(2.5)
_, third = once({port}, ses, save=False)
print(first, second, third)
"""))
        assert r.rc == 0, r
        assert r.lines()[-1] == "False True False"
    finally:
        server.stop()


def test_garbage_saved_session(pki):
    r = run_mpy(PRELUDE + """
print(fails(lambda: ussl.wrap_socket(socket.socket(), saved_session=b'garbage')))
print(fails(lambda: ussl.wrap_socket(socket.socket(), saved_session=42)))
print(fails(lambda: ussl.save_session(42)))
print(fails(lambda: ussl.SSLSession(b'x')))
""")
    lines = r.lines()
    assert lines[0].startswith("TypeError") and "SSLSession" in lines[0]
    assert lines[1].startswith("TypeError")
    assert lines[2].startswith("TypeError")
    assert lines[3].startswith("ValueError")  # SSLSession(data) takes serialize()'s bytes


def test_five_hundred_save_resume_cycles_do_not_leak(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(sessions_script(pki, f"""
import gc
ses, _ = once({server.port})
for i in range(20):
    ses, _ = once({server.port}, ses)
gc.collect(); before = gc.mem_alloc()
resumed = 0
for i in range(500):
    ses, reused = once({server.port}, ses)
    resumed += reused
gc.collect(); after = gc.mem_alloc()
print(resumed, after - before)
"""), timeout=240)
    assert r.rc == 0, r
    resumed, growth = map(int, r.lines()[-1].split())
    assert resumed == 500
    assert growth < 2048, r


def test_resumes_against_gnutls_serv(pki, tmp_path):
    """gnutls-serv cannot bind to loopback only, so it runs in a network namespace of its own
    with the client beside it."""
    need_tool("gnutls-serv", "unshare")
    port = 24433
    script = tmp_path / "client.py"
    script.write_text(sessions_script(pki, f"""
ses, r1 = once({port}, request=b'echo\\n')
ses, r2 = once({port}, ses, request=b'echo\\n')
print(r1, r2)
"""))
    shell = f"""
ip link set lo up
gnutls-serv --echo -p {port} --x509certfile {pki.ec_cert} --x509keyfile {pki.ec_key} >/dev/null 2>&1 &
pid=$!
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; sleep 0.1; done
timeout 30 {MICROPYTHON} {script}
kill $pid
"""
    r = subprocess.run(["unshare", "-n", "bash", "-c", shell], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip().splitlines()[-1] == "False True", r.stdout + r.stderr
