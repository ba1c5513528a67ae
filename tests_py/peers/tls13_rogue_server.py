"""A TLS 1.3 server of our own, small enough to misbehave on purpose, for the lean engine's
guards (test_lean.py): TLS_AES_128_GCM_SHA256 with a P-256 key share, an ECDSA P-256 certificate,
the key schedule of RFC 8446 section 7 over `cryptography`'s primitives. One connection per
run. Usage: tls13_rogue_server.py PORT CERT KEY MODE, MODE one of
  good             a correct handshake, then echoes one record (proves the rest mean something)
  skip-certificate EncryptedExtensions then Finished: no Certificate, no CertificateVerify
  bad-signature    a CertificateVerify over the wrong transcript
  key-update       a correct handshake, a record "hello", then a KeyUpdate
Prints what the client sent after the server's flight: "client-finished", "app-data", "eof"."""
import hashlib
import hmac
import socket
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def hkdf_extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def expand_label(secret, label, context, length):
    full = b"tls13 " + label
    info = struct.pack(">H", length) + bytes([len(full)]) + full + bytes([len(context)]) + context
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def derive(secret, label, transcript):
    return expand_label(secret, label, hashlib.sha256(transcript).digest(), 32)


class Keys:
    def __init__(self, secret):
        self.aead = AESGCM(expand_label(secret, b"key", b"", 16))
        self.iv = expand_label(secret, b"iv", b"", 12)
        self.seq = 0

    def nonce(self):
        n = bytes(a ^ b for a, b in zip(self.iv, self.seq.to_bytes(12, "big")))
        self.seq += 1
        return n

    def seal(self, content_type, data):
        header = struct.pack(">BHH", 23, 0x0303, len(data) + 1 + 16)
        return header + self.aead.encrypt(self.nonce(), data + bytes([content_type]), header)

    def open(self, header, body):
        plain = self.aead.decrypt(self.nonce(), body, header).rstrip(b"\0")
        return plain[-1], plain[:-1]


def read_record(conn):
    header = b""
    while len(header) < 5:
        chunk = conn.recv(5 - len(header))
        if not chunk:
            return None, None
        header += chunk
    length = struct.unpack(">H", header[3:5])[0]
    body = b""
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            return None, None
        body += chunk
    return header, body


def handshake(kind, body):
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def key_share_of(client_hello):
    """The client's P-256 share and legacy session id, from the ClientHello's body."""
    pos = 4 + 2 + 32
    sid = client_hello[pos + 1:pos + 1 + client_hello[pos]]
    pos += 1 + client_hello[pos]
    pos += 2 + struct.unpack(">H", client_hello[pos:pos + 2])[0]
    pos += 1 + client_hello[pos]
    end = pos + 2 + struct.unpack(">H", client_hello[pos:pos + 2])[0]
    pos += 2
    while pos < end:
        ext, length = struct.unpack(">HH", client_hello[pos:pos + 4])
        data = client_hello[pos + 4:pos + 4 + length]
        pos += 4 + length
        if ext == 0x33:
            p = 2
            while p < len(data):
                group, klen = struct.unpack(">HH", data[p:p + 4])
                if group == 0x17:
                    return data[p + 4:p + 4 + klen], sid
                p += 4 + klen
    raise ValueError("no P-256 key share")


def serve(conn, cert_der, key, mode):
    header, body = read_record(conn)
    client_hello = body
    share, sid = key_share_of(client_hello)
    ours = ec.generate_private_key(ec.SECP256R1())
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), share)
    shared = ours.exchange(ec.ECDH(), peer)
    point = ours.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    exts = struct.pack(">HHH", 0x2b, 2, 0x0304) + struct.pack(">HHHH", 0x33, 4 + len(point), 0x17, len(point)) + point
    sh_body = struct.pack(">H", 0x0303) + bytes(32) + bytes([len(sid)]) + sid + struct.pack(">HB", 0x1301, 0) \
        + struct.pack(">H", len(exts)) + exts
    server_hello = handshake(2, sh_body)
    conn.sendall(struct.pack(">BHH", 22, 0x0303, len(server_hello)) + server_hello)
    transcript = client_hello + server_hello
    early = hkdf_extract(bytes(32), bytes(32))
    hs_secret = hkdf_extract(derive(early, b"derived", b""), shared)
    c_hs, s_hs = derive(hs_secret, b"c hs traffic", transcript), derive(hs_secret, b"s hs traffic", transcript)
    send, recv = Keys(s_hs), Keys(c_hs)
    flight = [handshake(8, b"\0\0")]
    if mode != "skip-certificate":
        flight.append(handshake(11, b"\0" + (len(cert_der) + 5).to_bytes(3, "big") + len(cert_der).to_bytes(3, "big")
                                + cert_der + b"\0\0"))
        signed_over = transcript + b"".join(flight)
        if mode == "bad-signature":
            signed_over += b"not the transcript"
        content = b" " * 64 + b"TLS 1.3, server CertificateVerify\0" + hashlib.sha256(signed_over).digest()
        signature = key.sign(content, ec.ECDSA(hashes.SHA256()))
        flight.append(handshake(15, struct.pack(">HH", 0x0403, len(signature)) + signature))
    finished_key = expand_label(s_hs, b"finished", b"", 32)
    verify = hmac.new(finished_key, hashlib.sha256(transcript + b"".join(flight)).digest(), hashlib.sha256).digest()
    flight.append(handshake(20, verify))
    conn.sendall(send.seal(22, b"".join(flight)))
    transcript += b"".join(flight)
    master = hkdf_extract(derive(hs_secret, b"derived", b""), bytes(32))
    c_ap, s_ap = derive(master, b"c ap traffic", transcript), derive(master, b"s ap traffic", transcript)
    seen = []
    while True:
        header, body = read_record(conn)
        if header is None:
            seen.append("eof")
            break
        if header[0] != 23:
            continue
        kind, data = recv.open(header, body)
        if kind == 22 and data[:1] == b"\x14":
            seen.append("client-finished")
            recv = Keys(c_ap)
            send = Keys(s_ap)
            if mode == "key-update":
                conn.sendall(send.seal(23, b"hello"))
                conn.sendall(send.seal(22, handshake(24, b"\x00")))
        elif kind == 23:
            seen.append("app-data")
            if mode == "good":
                conn.sendall(send.seal(23, data))
        elif kind == 21:
            seen.append("alert")
            break
    print(" ".join(seen), flush=True)


def main():
    port, cert_path, key_path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    cert_der = x509.load_pem_x509_certificate(open(cert_path, "rb").read()).public_bytes(serialization.Encoding.DER)
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(1)
    s.settimeout(30)
    print("ready", flush=True)
    conn, _ = s.accept()
    conn.settimeout(20)
    try:
        serve(conn, cert_der, key, mode)
    except Exception as e:  # the test reads what happened
        print("error", type(e).__name__, e, flush=True)
    conn.close()
    s.close()


if __name__ == "__main__":
    main()
