"""The ussl client against real peers: CPython's ssl and openssl s_server."""
import hashlib
import ssl

import pytest

from helpers import CLIENT_PROFILE, PRELUDE, echo_handler, run_mpy, server_context, verified


@pytest.mark.parametrize("version", ["1.2", "1.3"])
@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_verified_round_trip(pki, tls_server, version, kind):
    cert, key = (pki.ec_cert, pki.ec_key) if kind == "ec" else (pki.rsa_cert, pki.rsa_key)
    server = tls_server(server_context(cert, key, version=version))
    r = run_mpy(PRELUDE + f"""
s = {verified(server.port, ca_certs=repr(pki.ca_pem))}
print(s.version())
print(s.cipher()[0])
s.write(b'hello over tls')
print(s.read(14))
print(s.getpeercert()['subjectAltName'])
s.close()
""")
    assert r.rc == 0, r
    lines = r.lines()
    assert lines[0] == f"TLSv{version}"
    if version == "1.2":
        assert lines[1].startswith("ECDHE-ECDSA" if kind == "ec" else "ECDHE-RSA")
    assert lines[2] == "b'hello over tls'"
    assert "('DNS', 'localhost')" in lines[3] and "('IP Address', '127.0.0.1')" in lines[3]


def test_openssl_server_tls13_http(pki, openssl_server):
    port = openssl_server("-www", "-tls1_3")
    r = run_mpy(PRELUDE + f"""
s = {verified(port, ca_certs=repr(pki.ca_pem))}
s.write(b'GET / HTTP/1.0\\r\\n\\r\\n')
page = read_all(s)
print(s.version(), page.split(b'\\r\\n')[0])
s.close()
""")
    assert r.rc == 0, r
    assert r.lines()[-1] == "TLSv1.3 b'HTTP/1.0 200 ok'"


def test_ca_certs_as_der_bytes_and_ip_hostname(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    der = open(pki.ca_der, "rb").read()
    r = run_mpy(PRELUDE + f"""
s = {verified(server.port, hostname="127.0.0.1", ca_certs=repr(der))}
s.write(b'x'); print(s.read(1)); s.close()
""")
    assert r.rc == 0, r
    assert r.lines() == ["b'x'"]


def test_ca_certs_as_pem_text_or_a_path(pki, tls_server):
    """A str is PEM text when it holds a section's start (the engine tells), else a path."""
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    text = "comment line\n" + open(pki.ca_pem).read()
    r = run_mpy(PRELUDE + f"""
s = {verified(server.port, ca_certs=repr(text))}
s.write(b'x'); print(s.read(1)); s.close()
print(fails(lambda: {verified(server.port, ca_certs=repr(pki.ca_pem + '.missing'))}))
""")
    assert r.rc == 0, r
    assert r.lines() == ["b'x'", "OSError [Errno 2] ENOENT"]


def test_intermediate_sent_by_server_is_used(pki, tls_server):
    server = tls_server(server_context(pki.chain_pem, pki.chain_key))
    r = run_mpy(PRELUDE + f"""
s = {verified(server.port, ca_certs=repr(pki.ca_pem))}
s.write(b'chain'); print(s.read(5)); s.close()
""")
    assert r.rc == 0, r
    assert r.lines() == ["b'chain'"]


@pytest.mark.parametrize("which,message", [
    ("expired", "certificate has expired"),
    ("wrong_host", "hostname mismatch"),
    ("unrelated", "unknown issuer"),
])
def test_bad_certificates_are_rejected(pki, tls_server, which, message):
    leaf = getattr(pki, which)
    cert = pki.write(f"{which}.pem", leaf.cert_chain_pems[0].bytes())
    key = pki.write(f"{which}.key", leaf.private_key_pem.bytes())
    server = tls_server(server_context(cert, key))
    r = run_mpy(PRELUDE + f"""
print(fails(lambda: {verified(server.port, ca_certs=repr(pki.ca_pem))}))
print('alive')
""")
    assert r.rc == 0, r
    assert r.lines()[0].startswith("SSLError 3"), r
    assert message in r.lines()[0]
    assert r.lines()[1] == "alive"


def test_cert_optional_also_verifies(pki, tls_server):
    server = tls_server(server_context(pki.write("u.pem", pki.unrelated.cert_chain_pems[0].bytes()),
                                       pki.write("u.key", pki.unrelated.private_key_pem.bytes())))
    r = run_mpy(PRELUDE + f"""
print(fails(lambda: connect({server.port}, cert_reqs=ussl.CERT_OPTIONAL, ca_certs={pki.ca_pem!r})))
""")
    assert "unknown issuer" in r.out, r


def test_cert_none_skips_verification(pki, tls_server):
    server = tls_server(server_context(pki.write("u2.pem", pki.unrelated.cert_chain_pems[0].bytes()),
                                       pki.write("u2.key", pki.unrelated.private_key_pem.bytes())))
    r = run_mpy(PRELUDE + f"""
s = connect({server.port})
s.write(b'none'); print(s.read(4)); print(s.getpeercert(True)[:1]); s.close()
""")
    assert r.rc == 0, r
    assert r.lines() == ["b'none'", "b'0'"]


def test_hostname_not_checked_without_server_hostname(pki, tls_server):
    wrong = pki.wrong_host
    server = tls_server(server_context(pki.write("w.pem", wrong.cert_chain_pems[0].bytes()),
                                       pki.write("w.key", wrong.private_key_pem.bytes())))
    r = run_mpy(PRELUDE + f"""
s = connect({server.port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r})
s.write(b'ok'); print(s.read(2)); s.close()
""")
    assert r.lines() == ["b'ok'"], r


@pytest.mark.parametrize("form", ["path", "bytes", "filelike"])
@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_client_certificate(pki, tls_server, form, kind):
    if kind == "rsa" and CLIENT_PROFILE:
        pytest.skip("the client profile has no RSA private keys (test_profiles.py checks the error)")
    cert, key = (pki.client_cert, pki.client_key) if kind == "ec" else (pki.client_rsa_cert, pki.client_rsa_key)
    expected = "device-42" if kind == "ec" else "device-rsa"
    server = tls_server(server_context(pki.ec_cert, pki.ec_key, ca=pki.ca_pem, require_client=True))
    if form == "path":
        args = f"certfile={cert!r}, keyfile={key!r}"
    elif form == "bytes":
        args = f"certfile={open(cert, 'rb').read()!r}, keyfile={open(key, 'rb').read()!r}"
    else:
        args = f"certfile=open({cert!r}, 'rb'), keyfile=open({key!r})"
    r = run_mpy(PRELUDE + f"""
s = connect({server.port}, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r}, server_hostname='localhost', {args})
s.write(b'who'); print(s.read(3)); s.close()
""")
    assert r.rc == 0, r
    assert r.lines() == ["b'who'"]
    assert server.seen and server.seen[0]["commonName"] == expected


def test_wrap_before_connect(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(PRELUDE + f"""
s = socket.socket()
ss = ussl.wrap_socket(s, cert_reqs=ussl.CERT_REQUIRED, ca_certs={pki.ca_pem!r}, server_hostname='localhost')
print(ss.version())
ss.connect(addr({server.port}))
print(ss.version())
ss.write(b'late'); print(ss.read(4)); ss.close()
""")
    assert r.rc == 0, r
    assert r.lines() == ["None", "TLSv1.3", "b'late'"]


def test_one_mebibyte_each_way(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(PRELUDE + f"""
import hashlib, binascii
s = {verified(server.port, ca_certs=repr(pki.ca_pem))}
block = bytes(range(256)) * 64
sent = hashlib.sha256(); got = hashlib.sha256()
total = 0; received = 0
while total < 1024 * 1024:
    s.write(block); sent.update(block); total += len(block)
    while received < total - 65536:
        d = s.read(16384); got.update(d); received += len(d)
while received < total:
    d = s.read(16384); got.update(d); received += len(d)
print(received, binascii.hexlify(sent.digest()) == binascii.hexlify(got.digest()))
s.close()
""", timeout=120)
    assert r.rc == 0, r
    assert r.lines() == ["1048576 True"]


def test_getpeercert_matches_cpython(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(PRELUDE + f"""
s = {verified(server.port, ca_certs=repr(pki.ca_pem))}
c = s.getpeercert()
print(repr(c['subject'])); print(repr(c['issuer'])); print(c['notAfter']); print(c['serialNumber']); print(c['version'])
d = s.getpeercert(True)
import binascii; print(binascii.hexlify(d).decode())
ussl.match_hostname(c, 'localhost')
print(fails(lambda: ussl.match_hostname(c, 'evil.example')))
s.close()
""")
    assert r.rc == 0, r
    # CPython decodes the same certificate for comparison.
    import tempfile
    expected = ssl._ssl._test_decode_cert(pki.ec_cert)
    lines = r.lines()
    assert lines[0] == repr(expected["subject"])
    assert lines[1] == repr(expected["issuer"])
    assert lines[2] == expected["notAfter"]
    assert lines[3] == expected["serialNumber"]
    assert lines[4] == "3"
    assert bytes.fromhex(lines[5]) == ssl.PEM_cert_to_DER_cert(open(pki.ec_cert).read())
    assert "hostname mismatch" in lines[6]
