"""The CPython side of the tests: the test PKI and servers on 127.0.0.1 (every wait bounded;
each server stops what it started)."""
import datetime
import os
import ssl

import trustme

from .loopback import Listener, in_thread


class Pki:
    """The test PKI: files on disk for MicroPython, objects for CPython's side."""

    def __init__(self, tmp):
        self.dir = tmp
        now = datetime.datetime.now(datetime.timezone.utc)
        self.ca = trustme.CA()
        self.other_ca = trustme.CA()
        self.rsa_ca = trustme.CA(key_type=trustme.KeyType.RSA)
        self.ec_leaf = self.ca.issue_cert("localhost", "127.0.0.1")
        self.rsa_leaf = self.ca.issue_cert("localhost", "127.0.0.1", key_type=trustme.KeyType.RSA)
        self.expired = self.ca.issue_cert(
            "localhost", "127.0.0.1",
            not_before=now - datetime.timedelta(days=30), not_after=now - datetime.timedelta(days=1))
        self.wrong_host = self.ca.issue_cert("other.example")
        self.unrelated = self.other_ca.issue_cert("localhost", "127.0.0.1")
        self.client = self.ca.issue_cert("device-42.example", common_name="device-42")
        self.client_rsa = self.ca.issue_cert("device-rsa.example", common_name="device-rsa",
                                             key_type=trustme.KeyType.RSA)
        self.client_other = self.other_ca.issue_cert("rogue.example", common_name="rogue")
        self.intermediate = self.ca.create_child_ca()
        self.chained_leaf = self.intermediate.issue_cert("localhost", "127.0.0.1")
        self.ca_pem = self.write("ca.pem", self.ca.cert_pem.bytes())
        self.other_ca_pem = self.write("other_ca.pem", self.other_ca.cert_pem.bytes())
        self.ca_der = self.write("ca.der", ssl.PEM_cert_to_DER_cert(self.ca.cert_pem.bytes().decode()))
        self.client_cert = self.write("client.pem", self.client.cert_chain_pems[0].bytes())
        self.client_key = self.write("client.key", self.client.private_key_pem.bytes())
        self.client_rsa_cert = self.write("client_rsa.pem", self.client_rsa.cert_chain_pems[0].bytes())
        self.client_rsa_key = self.write("client_rsa.key", self.client_rsa.private_key_pem.bytes())
        self.client_other_cert = self.write("client_other.pem", self.client_other.cert_chain_pems[0].bytes())
        self.client_other_key = self.write("client_other.key", self.client_other.private_key_pem.bytes())
        self.ec_cert = self.write("ec.pem", self.ec_leaf.cert_chain_pems[0].bytes())
        self.ec_key = self.write("ec.key", self.ec_leaf.private_key_pem.bytes())
        self.rsa_cert = self.write("rsa.pem", self.rsa_leaf.cert_chain_pems[0].bytes())
        self.rsa_key = self.write("rsa.key", self.rsa_leaf.private_key_pem.bytes())
        self.chain_pem = self.write("chain.pem", b"".join(p.bytes() for p in self.chained_leaf.cert_chain_pems))
        self.chain_key = self.write("chain.key", self.chained_leaf.private_key_pem.bytes())

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path


class TlsServer:
    """A CPython ssl server on 127.0.0.1 in a thread. `handler(conn)` runs for each accepted
    TLS connection; failed handshakes are recorded in `errors`."""

    def __init__(self, context, handler, plain=False):
        self.context = context
        self.handler = handler
        self.plain = plain
        self.errors = []
        self.seen = []
        self.listener = Listener(self.accepted)
        self.port = self.listener.port

    def accepted(self, raw):
        raw.settimeout(20)
        in_thread(self.one, raw)

    def one(self, raw):
        try:
            conn = raw if self.plain else self.context.wrap_socket(raw, server_side=True)
            try:
                self.handler(self, conn)
            finally:
                conn.close()
        except Exception as e:  # recorded for the test to inspect
            self.errors.append(e)
            raw.close()

    def stop(self):
        self.listener.stop()


def server_context(cert, key, version=None, ca=None, require_client=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if version == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif version == "1.3":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if ca:
        ctx.load_verify_locations(ca)
        ctx.verify_mode = ssl.CERT_REQUIRED if require_client else ssl.CERT_OPTIONAL
    return ctx


def echo_handler(server, conn):
    """Echoes until the client closes; notes the client's certificate subject."""
    cert = conn.getpeercert()
    server.seen.append(dict(x[0] for x in cert["subject"]) if cert else None)
    while True:
        try:
            data = conn.recv(65536)
        except (ssl.SSLError, OSError):
            return
        if not data:
            return
        conn.sendall(data)


class RawServer:
    """A plain TCP server whose `behaviour(conn)` misbehaves on purpose."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.conns = []
        self.listener = Listener(self.accepted, backlog=8)
        self.port = self.listener.port

    def accepted(self, conn):
        self.conns.append(conn)
        try:
            self.behaviour(self, conn)
        except OSError:
            pass

    def stop(self):
        self.listener.stop()
        for c in self.conns:
            c.close()


class TlsliteTicketServer:
    """tlslite-ng (peers/tlslite_ticket_server.py) serving `connections` TLS 1.3 connections,
    whose tickets live `lifetime` seconds: the way to test expired tickets without waiting a day.
    The port probe is one of the connections."""

    def __init__(self, pki, lifetime, connections):
        import subprocess
        import sys
        from .loopback import free_port, wait_port
        self.port = free_port()
        script = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers",
                              "tlslite_ticket_server.py")
        self.proc = subprocess.Popen([sys.executable, script, str(self.port), pki.ec_cert, pki.ec_key, str(lifetime),
                                      str(connections)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc, what="tlslite-ng")

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=5)
