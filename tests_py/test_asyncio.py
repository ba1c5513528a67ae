"""asyncio over the tls module, and a non-blocking handshake driven by select.poll alone."""
import os

import pytest

from helpers import ROOT, run_mpy, server_context


def test_tls_echo_server_and_twenty_concurrent_clients(pki):
    r = run_mpy(f"""
import asyncio, ssl
PORT = {__import__('conftest').free_port()}
async def echo(reader, writer):
    data = await reader.readline()
    writer.write(data.upper())
    await writer.drain()
    writer.close()
    await writer.wait_closed()
async def client(n, ctx):
    reader, writer = await asyncio.open_connection('127.0.0.1', PORT, ssl=ctx, server_hostname='localhost')
    msg = b'client %d\\n' % n
    writer.write(msg)
    await writer.drain()
    reply = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return reply == msg.upper()
async def main():
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain({pki.ec_cert!r}, {pki.ec_key!r})
    server = await asyncio.start_server(echo, '127.0.0.1', PORT, ssl=sctx)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.load_verify_locations(cafile={pki.ca_pem!r})
    results = await asyncio.wait_for(asyncio.gather(*[client(n, cctx) for n in range(20)]), 60)
    server.close()
    await server.wait_closed()
    print(results.count(True), len(results))
asyncio.run(main())
""", timeout=90)
    assert r.rc == 0, r
    assert r.lines()[-1] == "20 20"


def test_asyncio_verification_error_surfaces_at_first_read(pki, tls_server):
    other = pki.write("o.pem", pki.unrelated.cert_chain_pems[0].bytes())
    okey = pki.write("o.key", pki.unrelated.private_key_pem.bytes())
    server = tls_server(server_context(other, okey))
    r = run_mpy(f"""
import asyncio, ssl
async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile={pki.ca_pem!r})
    reader, writer = await asyncio.open_connection('127.0.0.1', {server.port}, ssl=ctx, server_hostname='localhost')
    try:
        await reader.read(10)
        print('no error')
    except Exception as e:
        print(type(e).__name__, e)
asyncio.run(main())
""")
    assert r.rc == 0, r
    assert r.lines()[-1] == "ValueError unknown issuer"


def test_non_blocking_handshake_driven_by_poll_alone(pki, tls_server):
    server = tls_server(server_context(pki.ec_cert, pki.ec_key))
    r = run_mpy(f"""
import socket, select, tls, errno
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cafile={pki.ca_pem!r})
s = socket.socket()
s.setblocking(False)
try:
    s.connect(socket.getaddrinfo('127.0.0.1', {server.port})[0][-1])
except OSError as e:
    assert e.errno == errno.EINPROGRESS
ss = ctx.wrap_socket(s, server_hostname='localhost', do_handshake_on_connect=False)
p = select.poll()
p.register(ss, select.POLLOUT)
polls = 0
message = b'poll driven'
sent = False
reply = b''
while len(reply) < len(message) and polls < 100:
    polls += 1
    events = p.poll(5000)
    assert events, 'poll timed out'
    if not sent:
        n = ss.write(message)
        if n:
            sent = True
            p.modify(ss, select.POLLIN)
    else:
        d = ss.read(64)
        if d:
            reply += d
print(reply, ss.cipher()[1], polls < 30)
ss.close()
""")
    assert r.rc == 0, r
    assert r.lines()[-1] == "b'poll driven' TLSv1.3 True"


INSTANT_PEER = open(os.path.join(ROOT, "tests_fw", "mpy", "tlspair.py")).read() + """
import tls
class Instant(End):
    # The server answers the moment the client's bytes arrive: the quickest peer there can be.
    def setblocking(self, flag):
        pass
    def write(self, buf):
        n = End.write(self, buf)
        try:
            SERVER.read(1)
        except OSError:
            pass
        return n
cctx, sctx = contexts(tls, CA, CERT, KEY)
c2s, s2c = Pipe(), Pipe()
SERVER = sctx.wrap_socket(End(c2s, s2c), server_side=True, do_handshake_on_connect=False)
c_end = Instant(s2c, c2s)
client = cctx.wrap_socket(c_end, server_hostname=HOSTNAME, do_handshake_on_connect=False)
client.setblocking(False)
print('poll for writing', client.ioctl(3, 4), 'sent', c_end.sent)
try:
    print('first write', client.write(b'x'), 'sent', c_end.sent > 0, 'answer waiting', s2c.available() > 0)
except Exception as e:
    print('first write', type(e).__name__, e)
try:
    print('second write', client.write(b'x'))
except Exception as e:
    print('second write', type(e).__name__, e)
"""


@pytest.mark.parametrize("hostname,second", [("localhost", "second write 1"),
                                             ("other.example", "second write ValueError hostname mismatch")])
def test_non_blocking_write_sends_its_flight_and_leaves_the_answer_to_the_next_call(pki, hostname, second):
    """What asyncio's open_connection, write() and drain() see (mainline's
    asyncio_tls_server_client_verify_error.py prints "drain" before the client's verify error):
    polling for writing sends nothing, the write that sends the ClientHello returns None without
    reading even when the answer is already there, and the next call takes the answer in, and
    fails there if it must. The order does not depend on how fast the peer is."""
    ca, cert, key = (open(p, "rb").read() for p in (pki.ca_pem, pki.ec_cert, pki.ec_key))
    r = run_mpy(f"CA, CERT, KEY, HOSTNAME = {ca!r}, {cert!r}, {key!r}, {hostname!r}\n" + INSTANT_PEER)
    assert r.rc == 0, r
    assert r.lines() == ["poll for writing 4 sent 0", "first write None sent True answer waiting True", second], r
