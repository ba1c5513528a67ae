# The ssl module as MicroPython programs know it (micropython-lib's wrapper over tls), for
# ussl's tls module. Frozen into the build.
import tls
from tls import (
    CERT_NONE,
    CERT_OPTIONAL,
    CERT_REQUIRED,
    PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
)

try:
    from tls import SSLError
except ImportError:
    # MicroPython's mbedTLS tls module (the benchmark's reference) raises plain OSErrors.
    SSLError = OSError

try:
    from tls import SSLSession
except ImportError:
    pass


class SSLContext:
    def __init__(self, *args):
        self._context = tls.SSLContext(*args)

    @property
    def verify_mode(self):
        return self._context.verify_mode

    @verify_mode.setter
    def verify_mode(self, value):
        self._context.verify_mode = value

    @property
    def verify_callback(self):
        return self._context.verify_callback

    @verify_callback.setter
    def verify_callback(self, value):
        self._context.verify_callback = value

    @property
    def keylog_filename(self):
        return self._context.keylog_filename

    @keylog_filename.setter
    def keylog_filename(self, value):
        self._context.keylog_filename = value

    def get_ciphers(self):
        return self._context.get_ciphers()

    def set_ciphers(self, ciphersuite):
        self._context.set_ciphers(ciphersuite)

    def get_groups(self):
        return self._context.get_groups()

    def set_groups(self, groups):
        # CPython's takes OpenSSL's colon-separated list; a list of names works too.
        if isinstance(groups, str):
            groups = groups.split(":")
        self._context.set_groups(groups)

    def set_alpn_protocols(self, protocols):
        self._context.set_alpn_protocols(protocols)

    def load_cert_chain(self, certfile, keyfile):
        # Paths, as CPython takes them; bytes work too.
        self._context.load_cert_chain(_read(certfile), _read(keyfile))

    def load_verify_locations(self, cafile=None, cadata=None):
        if cafile is not None:
            self._context.load_verify_locations(_read(cafile))
        if cadata is not None:
            self._context.load_verify_locations(cadata)

    def load_default_certs(self, purpose=None):
        # The engine's built-in roots (README, "Default trust store").
        self._context.load_default_certs()

    def wrap_socket(
        self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None, session=None
    ):
        return self._context.wrap_socket(
            sock,
            server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            server_hostname=server_hostname,
            session=session,
        )


class Purpose:
    SERVER_AUTH = "SERVER_AUTH"
    CLIENT_AUTH = "CLIENT_AUTH"


def create_default_context(purpose=Purpose.SERVER_AUTH, cafile=None, capath=None, cadata=None):
    # CPython's: for SERVER_AUTH a client context that verifies the server (CERT_REQUIRED, and
    # tls then requires server_hostname), trusting cafile/cadata, or the built-in roots when
    # neither is given; for CLIENT_AUTH a server context.
    if capath is not None:
        raise NotImplementedError("capath: pass cafile or cadata")
    server = purpose == Purpose.CLIENT_AUTH
    ctx = SSLContext(PROTOCOL_TLS_SERVER if server else PROTOCOL_TLS_CLIENT)
    if not server:
        ctx.verify_mode = CERT_REQUIRED
    if cafile is not None or cadata is not None:
        ctx.load_verify_locations(cafile, cadata)
    elif not server:
        ctx.load_default_certs()
    return ctx


def _read(path_or_data):
    if isinstance(path_or_data, str):
        with open(path_or_data, "rb") as f:
            return f.read()
    return path_or_data


def wrap_socket(
    sock,
    server_side=False,
    key=None,
    cert=None,
    cert_reqs=CERT_NONE,
    cadata=None,
    server_hostname=None,
    do_handshake=True,
    alpn_protocols=None,
):
    con = SSLContext(PROTOCOL_TLS_SERVER if server_side else PROTOCOL_TLS_CLIENT)
    if alpn_protocols:
        con.set_alpn_protocols(alpn_protocols)
    if cert or key:
        con.load_cert_chain(cert, key)
    if cadata:
        con.load_verify_locations(cadata=cadata)
    con.verify_mode = cert_reqs
    return con.wrap_socket(
        sock,
        server_side=server_side,
        do_handshake_on_connect=do_handshake,
        server_hostname=server_hostname,
    )
