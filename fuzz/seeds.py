"""Writes the fuzzers' seed inputs into fuzz/seeds/<target>/ (committed; run again by hand when
the inputs' format changes): real flights from CPython's ssl over memory BIOs, with the knob
byte each target reads first. A seed from a real peer takes the fuzzer past the record layer
and the first handshake message at once. (seeds/session_bytes/ are sessions the unix build saved
with SSLSession.serialize() from a CPython server, less their 16-byte check.)"""
import hashlib
import os
import ssl

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data")


def write(target, name, data):
    os.makedirs(os.path.join(HERE, "seeds", target), exist_ok=True)
    with open(os.path.join(HERE, "seeds", target, name), "wb") as f:
        f.write(data)


def flights(kind, version):
    """The bytes a CPython client sends and a CPython server sends, for one full handshake."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(os.path.join(DATA, f"{kind}.pem"), os.path.join(DATA, f"{kind}.key"))
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(os.path.join(DATA, "ca.pem"))
    for ctx in (server, client):
        ctx.minimum_version = ctx.maximum_version = version
    if version == ssl.TLSVersion.TLSv1_2:
        server.set_ciphers("ECDHE+AESGCM")
    bios = [ssl.MemoryBIO() for _ in range(4)]
    c = client.wrap_bio(bios[0], bios[1], server_hostname="localhost")
    s = server.wrap_bio(bios[2], bios[3], server_side=True)
    sent_c, sent_s = b"", b""
    for _ in range(10):
        for side in (c, s):
            try:
                side.do_handshake()
            except ssl.SSLWantReadError:
                pass
        out_c, out_s = bios[1].read(), bios[3].read()
        sent_c, sent_s = sent_c + out_c, sent_s + out_s
        bios[2].write(out_c)
        bios[0].write(out_s)
    return sent_c, sent_s


for kind in ("ec", "rsa"):
    for version, tag in ((ssl.TLSVersion.TLSv1_3, "tls13"), (ssl.TLSVersion.TLSv1_2, "tls12")):
        from_client, from_server = flights(kind, version)
        knob_client = 0 if tag == "tls13" else 1
        write("client_engine", f"{kind}-{tag}", bytes([knob_client + 3 * 40]) + from_server)
        write("server_engine", f"{kind}-{tag}", bytes([(0 if kind == "ec" else 1) | (60 << 2)]) + from_client)

for name in ("ca.pem", "ec.pem", "ec.key", "rsa.key"):
    data = open(os.path.join(DATA, name), "rb").read()
    which = {"ca.pem": 0, "ec.pem": 2, "ec.key": 1, "rsa.key": 1}[name]
    write("pem_der", name, bytes([which]) + data)

write("hostname", "wildcard", b"*.example.com\0www.example.com")
write("hostname", "exact", b"Example.COM.\0example.com")
write("hostname", "ip", b"127.0.0.1\x00127.0.0.1")
