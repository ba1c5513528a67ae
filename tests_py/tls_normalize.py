#!/usr/bin/env python3
"""Normalises TLS error text so MicroPython's own test expectations (which quote mbedTLS's
messages) can be compared with ours: a line that is an error message of either library
becomes a token of the kind of failure it reports ("<TLS error: expired>"), and blank lines go
(mbedTLS's verification text comes wrapped in them). Everything else must match exactly.

As a program it runs build/micropython with the given arguments and normalises its output
line by line, for run-multitests.py (MICROPY_MICROPYTHON points here)."""
import os
import re
import subprocess
import sys

# Each message of mbedTLS's and ours, by the kind of failure it reports: a line becomes
# "<TLS error: kind>", so an expectation is met only by an error of the same kind.
KINDS = {
    # mbedTLS (as MicroPython's module words them)
    "The certificate Common Name (CN) does not match with the expected CN": "hostname",
    "The certificate validity has expired": "expired",
    "The certificate validity starts in the future": "not yet valid",
    "The certificate is not correctly signed by the trusted CA": "untrusted",
    "invalid key": "key",
    "invalid cert": "certificate data",
    # ours (ValueError from tls, or the message of an SSLError)
    "hostname mismatch": "hostname",
    "certificate has expired": "expired",
    "certificate is not yet valid": "not yet valid",
    "unknown issuer": "untrusted",
    "no private key found in the data (expected PEM or DER)": "key",
    "invalid certificate data (garbage PEM or DER)": "certificate data",
}

# The other failures, by kind: mbedTLS's numbered OSErrors by their name, our SSLErrors (printed
# as "(code, 'text')", or their text alone) by their text. A name or text not listed here keeps
# its own token ("<TLS error: other ...>"), which matches nothing of the other library's.
MBEDTLS_KINDS = {
    "MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE": "peer alert",
    "MBEDTLS_ERR_SSL_CONN_EOF": "closed",
    "MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE": "no peer certificate",
    "MBEDTLS_ERR_SSL_BAD_CONFIG": "configuration",
}
OUR_KINDS = [
    (re.compile(r"^peer sent alert \w+( \(.*\))?$"), "peer alert"),
    (re.compile(r"^peer sent no certificate$"), "no peer certificate"),
    (re.compile(r"^connection closed during handshake$"), "closed"),
    (re.compile(r"^no known cipher suite in the list"), "configuration"),
]
MBEDTLS_ERROR = re.compile(r"^\(-\d+, '(MBEDTLS_\w+)'\)$")
OUR_SSLERROR = re.compile(r"^\((\d{3}), '(.*)'\)$")


def kind_of_ours(text):
    return next((kind for pattern, kind in OUR_KINDS if pattern.match(text)), None)


def token(text):
    """The token for an error text, or None when `text` is not one."""
    if text in KINDS:
        return f"<TLS error: {KINDS[text]}>"
    m = MBEDTLS_ERROR.match(text)
    if m:
        return f"<TLS error: {MBEDTLS_KINDS.get(m.group(1), 'other ' + m.group(1))}>"
    m = OUR_SSLERROR.match(text)
    if m:
        message = m.group(2)
        kind = KINDS.get(message) or kind_of_ours(message)
        return f"<TLS error: {kind or 'other ' + m.group(1)}>"
    kind = kind_of_ours(text)
    return f"<TLS error: {kind}>" if kind else None


def normalize_line(line):
    stripped = line.strip()
    t = token(stripped)
    if t:
        return t
    # Exception reprs such as ValueError('invalid cert',): the type, and the kind of its text.
    m = re.match(r"^(\w+Error)\((['\"])(.*)\2,\)$", stripped)
    if m and m.group(1) in ("ValueError", "OSError", "SSLError"):
        return f"{m.group(1)}({token(m.group(3)) or m.group(3)})"
    return line.rstrip("\n")


def normalize(text):
    return "\n".join(normalize_line(l) for l in text.splitlines() if l.strip()) + "\n"


if __name__ == "__main__":
    import ctypes
    import signal

    def die_with_parent():
        # run-multitests.py kills this wrapper; the interpreter under it must go too, or it
        # keeps the test's port.
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    binary = os.environ.get("USSL_REAL_MICROPYTHON")
    proc = subprocess.Popen([binary] + sys.argv[1:], stdout=subprocess.PIPE, preexec_fn=die_with_parent)
    for raw in proc.stdout:
        line = raw.decode(errors="replace")
        if not line.strip():
            continue
        sys.stdout.write(normalize_line(line) + "\n")
        sys.stdout.flush()
    sys.exit(proc.wait())
