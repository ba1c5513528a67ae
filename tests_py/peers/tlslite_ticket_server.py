"""A TLS 1.3 server from tlslite-ng whose session tickets live only `lifetime` seconds, for the
expired-ticket test. Usage: tlslite_ticket_server.py PORT CERT KEY LIFETIME CONNECTIONS"""
import os
import socket
import sys

from tlslite import TLSConnection, HandshakeSettings, X509CertChain, parsePEMKey
cert = X509CertChain(); cert.parsePemList(open(sys.argv[2]).read())
key = parsePEMKey(open(sys.argv[3]).read(), private=True)
settings = HandshakeSettings()
settings.ticketKeys = [os.urandom(32)]
settings.ticketLifetime = int(sys.argv[4])
settings.minVersion = (3, 4)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
print("ready", flush=True)
for i in range(int(sys.argv[5])):
    c, _ = s.accept()
    t = TLSConnection(c)
    try:
        t.handshakeServer(certChain=cert, privateKey=key, settings=settings)
        d = t.read(max=4); t.write(d)
        print("served", t.resumed, flush=True)
        t.close()
    except Exception as e:
        print("error", e, flush=True)
