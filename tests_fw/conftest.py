"""Fixtures for the firmware tests: a test PKI made on the host (embedded into the scripts sent to
the board), and a booted image per board with the in-memory TLS helpers loaded."""
import datetime
import os
import sys

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# tests_py's helpers.strict: CI's rule for what is missing, and the list of deselected tests.
sys.path.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests_py"))
from helpers.strict import missing, need_file, pytest_deselected, pytest_terminal_summary  # noqa: E402,F401
from qemu import FIRMWARE, Qemu, have_emulator  # noqa: E402
from rp2040 import IMAGES as PICO_IMAGES, Rp2040, missing_tools  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BOARDS = ["MPS2_AN385", "VIRT_RV32", "MPS2_AN385_M0PLUS"]


def mpy_source(name):
    with open(os.path.join(HERE, "mpy", name)) as f:
        return f.read()


def p384_chain(intermediate=False):
    """A P-384 root signing a P-256 leaf for localhost, as Let's Encrypt's ECDSA chain is shaped
    (with `intermediate`, through a P-384 intermediate, as its E-series certificates do): PEM
    bytes of the root, the chain from the leaf, the leaf's key."""
    now = datetime.datetime.now(datetime.timezone.utc)

    def cert(subject, issuer, public_key, signing_key, ca):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
             .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
             .not_valid_after(now + datetime.timedelta(days=30)))
        if ca:
            b = (b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                 .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                critical=True))
        else:
            b = (b.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
                 .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        return b.sign(signing_key, hashes.SHA384())

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    root_key = ec.generate_private_key(ec.SECP384R1())
    root_name = name("ussl test P-384 root")
    root = cert(root_name, root_name, root_key.public_key(), root_key, True)
    issuer_name, issuer_key, chain = root_name, root_key, []
    if intermediate:
        issuer_name, issuer_key = name("ussl test P-384 intermediate"), ec.generate_private_key(ec.SECP384R1())
        chain.append(cert(issuer_name, root_name, issuer_key.public_key(), root_key, True))
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    chain.insert(0, cert(name("localhost"), issuer_name, leaf_key.public_key(), issuer_key, False))
    pem = serialization.Encoding.PEM
    key_pem = leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return root.public_bytes(pem), b"".join(c.public_bytes(pem) for c in chain), key_pem


class Pki:
    """PEM bytes for the board: a CA with an intermediate, leaves for localhost (ECDSA P-256,
    RSA-2048), a P-384 chain, an unrelated CA, an expired leaf."""

    def __init__(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        self.ca = trustme.CA()
        inter = self.ca.create_child_ca()
        ec_leaf = inter.issue_cert("localhost")
        rsa_leaf = inter.issue_cert("localhost", key_type=trustme.KeyType.RSA)
        expired = self.ca.issue_cert("localhost", not_before=now - datetime.timedelta(days=30),
                                     not_after=now - datetime.timedelta(days=1))
        future = self.ca.issue_cert("localhost", not_before=now + datetime.timedelta(days=1),
                                    not_after=now + datetime.timedelta(days=30))
        self.values = {
            "CA": self.ca.cert_pem.bytes(),
            "OTHER_CA": trustme.CA().cert_pem.bytes(),
            "EC_CHAIN": b"".join(p.bytes() for p in ec_leaf.cert_chain_pems),
            "EC_KEY": ec_leaf.private_key_pem.bytes(),
            "RSA_CHAIN": b"".join(p.bytes() for p in rsa_leaf.cert_chain_pems),
            "RSA_KEY": rsa_leaf.private_key_pem.bytes(),
            "EXPIRED_CHAIN": expired.cert_chain_pems[0].bytes(),
            "EXPIRED_KEY": expired.private_key_pem.bytes(),
            "FUTURE_CHAIN": future.cert_chain_pems[0].bytes(),
            "FUTURE_KEY": future.private_key_pem.bytes(),
        }
        self.values["P384_CA"], self.values["P384_CHAIN"], self.values["P384_KEY"] = p384_chain()
        self.ec_leaf, self.rsa_leaf = ec_leaf, rsa_leaf

    def script(self):
        """Assignments that put the PKI into the board's globals."""
        return "\n".join(f"{k} = {v!r}" for k, v in self.values.items())


@pytest.fixture(scope="session")
def pki():
    return Pki()


def boot(board, pki, **kw):
    """A booted board with the PKI and the in-memory TLS helpers in its globals."""
    if not have_emulator(board):
        missing(f"the emulator for {board}", "`make firmware` installs it")
    q = Qemu(board, **kw)
    q.exec(mpy_source("tlspair.py"))
    q.exec(pki.script())
    return q


@pytest.fixture(params=BOARDS)
def fw(request, pki):
    q = boot(request.param, pki)
    yield q
    q.close()


def set_clock_script():
    """Sets the board's RTC to the host's UTC time (the emulated RTC starts at 2021-01-01, as a
    Pico's does at power-up: a script sets it, e.g. with ntptime.settime(), before verifying)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return (f"import machine; machine.RTC().datetime(({now.year}, {now.month}, {now.day}, {now.weekday()}, "
            f"{now.hour}, {now.minute}, {now.second}, 0))")


def boot_pico(kind, pki=None, rosc="host", clock=True, **kw):
    """A Pico W image (`kind`: full, lean, mbedtls) booted in the RP2040 emulator, its clock set
    (unless `clock` is false), with the in-memory TLS helpers and the PKI (when given) in its
    globals."""
    tools = missing_tools()
    if tools:
        missing(f"the RP2040 emulator's {tools}", "`make rp2040js` installs it")
    image = PICO_IMAGES[kind]
    if not os.path.exists(image):
        # make test builds both (firmware-rp2, and firmware-lean for the -lean image).
        how = "make USSL_ENGINE=lean firmware-rp2" if kind == "lean" else "make firmware-rp2"
        missing(image, how)
    board = Rp2040(image, rosc=rosc, **kw)
    try:
        if clock:
            board.exec(set_clock_script())
        board.exec(mpy_source("tlspair.py"))
        if pki is not None:
            board.exec(pki.script())
    except BaseException:
        board.close()
        raise
    return board
