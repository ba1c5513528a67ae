"""The whole heap swept: `-X heapsize` from 6 KB to 256 KB in 1 KB steps, a verified client and
server handshaking in one MicroPython (tests_fw/mpy/tlspair.py's in-memory pair), TLS 1.3 ECDSA and
TLS 1.2 RSA. Every run ends in a finished handshake or MemoryError (or OSError ENOMEM), never a
crash, and the interpreter goes on afterwards; from 80 KB on, every handshake finishes. (The
engine's workspace, a 24 KB reserve on 64-bit hosts, comes out of the heap while a handshake runs:
before it did, 40 KB (ECDSA) and 48 KB (RSA) finished with the reserve outside the heap, 65 and 72
KB now; the heap a pair needs is the same, and none of it is held before or after.)"""
import os
import subprocess

import pytest

from helpers import MICROPYTHON, MPY_DIR, ROOT

TLSPAIR = os.path.join(ROOT, "tests_fw", "mpy", "tlspair.py")
MPY_CROSS = os.path.join(MPY_DIR, "mpy-cross", "build", "mpy-cross")

SCRIPT = """
import tls
try:
    cctx, sctx = contexts(tls, open(CA, 'rb').read(), open(CERT, 'rb').read(), open(KEY, 'rb').read(), PROTOCOL)
    c, s, _, _ = pair(cctx, sctx)
    handshake(c, s)
    print('ok')
except MemoryError:
    print('MemoryError')
except OSError as e:
    print('OSError', e.args[0])
print('alive')
"""


@pytest.mark.parametrize("kind,protocol", [("ec", "1.3"), ("rsa", "1.2")])
def test_every_heap_size_finishes_or_raises(pki, kind, protocol, tmp_path):
    cert, key = (pki.ec_cert, pki.ec_key) if kind == "ec" else (pki.rsa_cert, pki.rsa_key)
    # Compiled ahead (mpy-cross), so that small heaps reach the TLS code instead of failing to
    # compile the script.
    subprocess.run([MPY_CROSS, "-o", str(tmp_path / "tlspair.mpy"), TLSPAIR], check=True)
    script = (f"from tlspair import *\nCA, CERT, KEY, PROTOCOL = {pki.ca_pem!r}, {cert!r}, {key!r}, {protocol!r}\n"
              + SCRIPT)
    env = dict(os.environ, MICROPYPATH=str(tmp_path))
    outcomes = {}
    for kb in range(6, 257):
        r = subprocess.run([MICROPYTHON, "-X", f"heapsize={kb}k", "-c", script], capture_output=True, text=True,
                           timeout=60, env=env)
        out = r.stdout.split()
        if r.returncode != 0:
            # Too small to even compile the script: a MemoryError from the interpreter, not a crash.
            assert r.returncode == 1 and "MemoryError" in r.stdout + r.stderr, f"{kb} KB: rc {r.returncode}\n{r.stdout}{r.stderr}"
            outcomes[kb] = "compile"
            continue
        assert out[-1] == "alive", f"{kb} KB: {r.stdout}{r.stderr}"
        outcomes[kb] = " ".join(out[:-1])
        assert outcomes[kb] in ("ok", "MemoryError", "OSError 12"), f"{kb} KB: {r.stdout}{r.stderr}"
    finished = [kb for kb, o in outcomes.items() if o == "ok"]
    assert finished, outcomes
    assert all(outcomes[kb] == "ok" for kb in range(80, 257)), {kb: o for kb, o in outcomes.items() if kb >= 80}
    print(f"{kind} TLS {protocol}: smallest heap that finished {min(finished)} KB; "
          f"{sum(o == 'MemoryError' for o in outcomes.values())} MemoryError, "
          f"{sum(o == 'compile' for o in outcomes.values())} too small to compile")
