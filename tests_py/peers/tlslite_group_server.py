"""A TLS 1.3 server from tlslite-ng (with kyber-py: ML-KEM) that takes only the key-exchange
groups named, for the group tests: a peer nobody here wrote. It echoes what it reads upper-cased.
Usage: tlslite_group_server.py PORT CERT KEY GROUPS CONNECTIONS (GROUPS: tlslite's names,
comma-separated, e.g. x25519mlkem768)"""
import socket
import sys

from tlslite import TLSConnection, HandshakeSettings, X509CertChain, parsePEMKey
from tlslite.utils.compat import ML_KEM_AVAILABLE

if not ML_KEM_AVAILABLE:
    sys.exit("tlslite-ng has no ML-KEM: kyber-py is missing")
cert = X509CertChain(); cert.parsePemList(open(sys.argv[2]).read())
key = parsePEMKey(open(sys.argv[3]).read(), private=True)
settings = HandshakeSettings()
settings.minVersion = (3, 4)
settings.eccCurves = sys.argv[4].split(",")
settings.keyShares = []
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
print("ready", flush=True)
for i in range(int(sys.argv[5])):
    c, _ = s.accept()
    c.settimeout(20)
    t = TLSConnection(c)
    try:
        t.handshakeServer(certChain=cert, privateKey=key, settings=settings)
        d = t.read(max=5); t.write(d.upper())
        print("served", flush=True)
        t.close()
    except Exception as e:
        print("error", type(e).__name__, e, flush=True)
        c.close()
