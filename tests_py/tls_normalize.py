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

# Failures the two libraries report in ways that do not map one to one (mbedTLS's numbered
# OSErrors, our SSLError tuples, alerts): "<TLS error>".
ERROR_PATTERNS = [
    re.compile(r"^\(-\d+, 'MBEDTLS_\w+'\)$"),  # mbedTLS OSError
    re.compile(r"^\(\d{3}, '[^']*'\)$"),  # our SSLError
    re.compile(r"^peer sent alert \w+$"),
    re.compile(r"^peer sent no certificate$"),
    re.compile(r"^connection closed during handshake$"),
]


def token(text):
    """The token for an error text, or None when `text` is not one."""
    if text in KINDS:
        return f"<TLS error: {KINDS[text]}>"
    if any(p.match(text) for p in ERROR_PATTERNS):
        return "<TLS error>"
    return None


def normalize_line(line):
    stripped = line.strip()
    t = token(stripped)
    if t:
        return t
    # Exception reprs such as ValueError('invalid cert',): the type, and the kind of its text.
    m = re.match(r"^(\w+Error)\((['\"])(.*)\2,\)$", stripped)
    if m and m.group(1) in ("ValueError", "OSError", "SSLError"):
        return f"{m.group(1)}({token(m.group(3)) or '<TLS error>'})"
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
