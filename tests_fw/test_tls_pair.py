"""ussl inside the firmware: a TLS client and server in one MicroPython on each emulated board,
joined by in-memory streams, with the chain (CA -> intermediate -> leaf) and the hostname
verified against the embedded CA."""
import hashlib
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import boot
from qemu import MpyError


@pytest.mark.parametrize("protocol,key", [("1.3", "EC"), ("1.2", "EC"), ("1.2", "RSA"), ("1.3", "P384")])
def test_verified_handshake_both_ways(fw, protocol, key):
    ca = "P384_CA" if key == "P384" else "CA"
    out = fw.exec(f"""
import tls
cctx, sctx = contexts(tls, {ca}, {key}_CHAIN, {key}_KEY, {protocol!r})
c, s, ce, se = pair(cctx, sctx)
handshake(c, s)
print(c.version(), s.version(), c.cipher()[0])
print(c.getpeercert().get('subjectAltName'))
""")
    version, server_version, cipher = out.splitlines()[0].split()
    assert version == server_version == f"TLSv{protocol}"
    assert ("ECDHE" in cipher) == (protocol == "1.2")
    assert "localhost" in out.splitlines()[1]


def test_resumed_handshake_tls13_and_tls12(fw, pki):
    out = fw.exec("""
import tls
for proto in ("1.3", "1.2"):
    cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY, proto)
    c, s, ce, se = pair(cctx, sctx)
    handshake(c, s)
    first = c.session_reused
    full_bytes = se.sent
    c.close(); s.close()
    c, s, ce, se = pair(cctx, sctx)
    handshake(c, s)
    print(proto, first, c.session_reused, s.session_reused, full_bytes, se.sent)
""")
    assert len(out.splitlines()) == 2, out
    chain_der_bytes = sum(len(c.public_bytes(serialization.Encoding.DER))
                          for c in x509.load_pem_x509_certificates(pki.values["EC_CHAIN"]))
    for line in out.splitlines():
        proto, first, reused, server_reused, full_bytes, resumed_bytes = line.split()
        assert (first, reused, server_reused) == ("False", "True", "True"), line
        # No certificate chain crosses the wire on resumption: the server sends at least the
        # chain's DER less. (Not "half as much": a TLS 1.3 resumption runs a key exchange too, and
        # with X25519MLKEM768 the server's share alone is 1,120 bytes.)
        assert int(full_bytes) - int(resumed_bytes) >= chain_der_bytes, (line, chain_der_bytes)


@pytest.mark.parametrize("protocol", ["1.3", "1.2"])
def test_64k_each_way_with_matching_digest(fw, protocol):
    out = fw.exec(f"""
import tls
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY, {protocol!r})
c, s, ce, se = pair(cctx, sctx)
handshake(c, s)
up = transfer(c, s, 65536)
down = transfer(s, c, 65536)
import binascii
print(binascii.hexlify(up[0]).decode(), binascii.hexlify(up[1]).decode())
print(binascii.hexlify(down[0]).decode(), binascii.hexlify(down[1]).decode())
""", timeout=120)
    # The pattern is known: the host computes the digest the board must have sent.
    pattern = bytearray(65536)
    for i in range(0, 65536, 64):
        pattern[i] = i & 0xFF
    expected = hashlib.sha256(pattern).hexdigest()
    assert len(out.splitlines()) == 2, out
    for line in out.splitlines():
        assert line.split() == [expected, expected]


@pytest.mark.parametrize("ca,hostname,message", [
    ("OTHER_CA", "localhost", "unknown issuer"),
    ("CA", "other.example", "hostname mismatch"),
])
def test_wrong_ca_and_wrong_hostname_are_refused(fw, ca, hostname, message):
    out = fw.exec(f"""
import tls
cctx, sctx = contexts(tls, {ca}, EC_CHAIN, EC_KEY)
c, s, ce, se = pair(cctx, sctx, hostname={hostname!r})
try:
    handshake(c, s)
    print("accepted")
except Exception as e:
    print(type(e).__name__, e)
""")
    assert out.startswith("ValueError"), out
    assert message in out, out
    # The interpreter lives on and the next handshake is fine.
    assert fw.exec("c, s, ce, se = pair(*contexts(tls, CA, EC_CHAIN, EC_KEY)); print(handshake(c, s) > 0)").strip() == "True"


@pytest.mark.parametrize("cert,message", [("EXPIRED", "expired"), ("FUTURE", "not yet valid")])
def test_the_board_clock_is_the_hosts(fw, cert, message):
    """Certificates valid until yesterday and from tomorrow are refused, and one valid from
    yesterday to next month is accepted (the other tests): the board's clock, read from the host
    through semihosting, is within a day of the host's."""
    out = fw.exec(f"""
import tls
cctx, sctx = contexts(tls, CA, {cert}_CHAIN, {cert}_KEY)
c, s, ce, se = pair(cctx, sctx)
try:
    handshake(c, s)
    print("accepted")
except ValueError as e:
    print(e)
""")
    assert message in out, out


@pytest.mark.parametrize("board", ["MPS2_AN385", "VIRT_RV32"])
def test_entropy_differs_between_boots(pki, board):
    """Two boots of the same image send different ClientHello randoms and key shares: the
    entropy comes from the host (semihosting), not from a seed in the image."""
    hellos = []
    for _ in range(2):
        q = boot(board, pki)
        try:
            hellos.append(q.exec("""
import tls, binascii
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY)
c, s, ce, se = pair(cctx, sctx)
c.read(1)
print(binascii.hexlify(ce.tx.data).decode())
""").strip())
        finally:
            q.close()
    first, second = (bytes.fromhex(h) for h in hellos)
    assert first[0] == 22 and second[0] == 22  # handshake records: ClientHellos
    assert first[11:43] != second[11:43]       # the 32-byte random
    assert first[43:] != second[43:]           # session id and key shares


def test_pycom_api_blocking_handshake_and_save_session(fw):
    """ussl.wrap_socket (the Pycom API) blocks in its handshake, waiting on the stream with
    select.poll; the stream lets the in-memory server run whenever the client would wait."""
    out = fw.exec("pycom_api_round(CA, EC_CHAIN, EC_KEY, 5)")
    lines = out.splitlines()
    assert len(lines) == 3, out
    assert lines[0].startswith("b'hello' False <SSLSession TLSv1.3>"), out
    assert lines[1] == "b'hello' True", out
    assert lines[2] == "TypeError", out


@pytest.mark.parametrize("key,protocol", [("EC", "1.3"), ("RSA", "1.2")])
def test_nearly_full_heap_gives_memory_error_and_the_next_handshake_works(fw, key, protocol):
    """Fills the heap, leaves a little, and tries a full client+server handshake; every outcome is
    a finished handshake or a MemoryError, some are MemoryErrors, and afterwards all is well. A
    handshake takes its workspace (two blocks: a 19 KB stack and a 16 KB reserve) from the heap
    besides what it allocates, and the fill leaves the freed space in pieces (the hog list's own
    storage, reallocated as it grows, lies among them: on VIRT_RV32 with 90 KB left the largest
    free block is 33 KB), so the most left is 112 KB."""
    out = fw.exec(f"""
import gc, tls
cctx, sctx = contexts(tls, CA, {key}_CHAIN, {key}_KEY, {protocol!r})
c, s, ce, se = pair(cctx, sctx); handshake(c, s); c.close(); s.close()
del c, s, ce, se
outcomes = handshakes_on_a_nearly_full_heap(cctx, sctx, (1, 2, 4, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64, 80, 96, 112))
print(" ".join(outcomes))
c, s, ce, se = pair(cctx, sctx)
print(handshake(c, s) > 0, c.version())
""", timeout=120)
    outcomes = out.splitlines()[0].split()
    assert set(outcomes) <= {"ok", "MemoryError"}, outcomes
    assert "MemoryError" in outcomes and "ok" in outcomes, outcomes
    assert out.splitlines()[1] == f"True TLSv{protocol}", out
    assert fw.alive()


def test_an_exception_on_the_board_is_reported(fw):
    with pytest.raises(MpyError, match="ZeroDivisionError"):
        fw.exec("1/0")


SIGN_HOOK = """
import tls, gc
calls = []
def sign(key, digest):
    # A collection and some allocation inside the callback, which runs on the C stack in the
    # middle of the engine's step (the engine's own stack holds its frames meanwhile).
    calls.append((len(key), len(digest)))
    gc.collect()
    junk = [bytearray(64) for _ in range(32)]
    return None
def refuses(key, digest):
    calls.append('refuses')
    tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
for proto in ('1.3', '1.2'):
    cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY, proto)
    sctx.ecdsa_sign_callback = sign
    c, s, ce, se = pair(cctx, sctx)
    handshake(c, s)
    print(proto, c.version(), calls)
    calls.clear()
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY)
sctx.ecdsa_sign_callback = refuses
c, s, ce, se = pair(cctx, sctx)
try:
    handshake(c, s)
except OSError as e:
    print('refused', e.args[0], calls)
sctx.ecdsa_sign_callback = None
c, s, ce, se = pair(cctx, sctx)
handshake(c, s)
print('after', c.version())
"""


def test_signing_hook_runs_python_mid_handshake(fw):
    """ecdsa_sign_callback on a board: the callback runs (on the C stack, between the engine's
    frames on its own stack) with a collection inside, declines, and the key signs; a callback
    that makes a TLS call is refused and printed, and the next handshake works."""
    out = fw.exec(SIGN_HOOK)
    lines = out.splitlines()
    # The key's scalar, leading zero bytes stripped (as mainline), and a SHA-256 digest.
    assert re.fullmatch(r"1\.3 TLSv1\.3 \[\(3[12], 32\)\]", lines[0]), out
    assert re.fullmatch(r"1\.2 TLSv1\.2 \[\(3[12], 32\)\]", lines[1]), out
    assert "no TLS call may be made from inside ecdsa_sign_callback" in out, out
    assert "refused 412 ['refuses']" in out, out
    assert lines[-1] == "after TLSv1.3", out
