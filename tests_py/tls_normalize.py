#!/usr/bin/env python3
"""Normalises TLS error text so MicroPython's own test expectations (which quote mbedTLS's
messages) can be compared with ours: a line that is an error message of either library
becomes "<TLS error>", and blank lines go (mbedTLS's verification text comes wrapped in
them). Everything else must match exactly.

As a program it runs build/micropython with the given arguments and normalises its output
line by line, for run-multitests.py (MICROPY_MICROPYTHON points here)."""
import os
import re
import subprocess
import sys

MBEDTLS_TEXTS = {
    "The certificate Common Name (CN) does not match with the expected CN",
    "The certificate validity has expired",
    "The certificate validity starts in the future",
    "The certificate is not correctly signed by the trusted CA",
    "invalid key",
    "invalid cert",
}

# Our texts as they appear when a script prints the exception (ValueError from tls, or the
# message of an SSLError).
OUR_TEXTS = {
    "hostname mismatch",
    "certificate has expired",
    "certificate is not yet valid",
    "unknown issuer",
    "peer sent no certificate",
    "connection closed during handshake",
    "invalid certificate data (garbage PEM or DER)",
    "no private key found in the data (expected PEM or DER)",
}

ERROR_PATTERNS = [
    re.compile(r"^\(-\d+, 'MBEDTLS_\w+'\)$"),  # mbedTLS OSError
    re.compile(r"^\(\d{3}, '[^']*'\)$"),  # our SSLError
    re.compile(r"^peer sent alert \w+$"),
]


def normalize_line(line):
    stripped = line.strip()
    if stripped in MBEDTLS_TEXTS or stripped in OUR_TEXTS or any(p.match(stripped) for p in ERROR_PATTERNS):
        return "<TLS error>"
    # Exception reprs such as ValueError('invalid cert',): keep the type, drop the text.
    m = re.match(r"^(\w+Error)\((['\"]).*\2,\)$", stripped)
    if m and m.group(1) in ("ValueError", "OSError", "SSLError"):
        return f"{m.group(1)}(<TLS error>)"
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
