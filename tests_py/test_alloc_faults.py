"""Out of memory at every allocation: the unix test build's engine has fault injection (feature
`alloc-faults`, ussl._fail_alloc(n): the heap refuses the nth engine allocation from now). For
every allocation of a whole connection (contexts, handshake, a write and a read each way, close)
of an in-memory client+server pair, TLS 1.3 ECDSA, TLS 1.2 RSA and a resumed TLS 1.3 handshake:
an allocation refused up to the end of the handshake ends the attempt in MemoryError (or OSError
ENOMEM), every one of them; one refused later may also let the attempt finish (its error is kept
for the connection's next call, or it was close()'s best-effort close_notify); the interpreter
lives, and the next attempt without a fault works."""
import json
import os

import pytest

from helpers import ROOT, run_mpy

TLSPAIR = open(os.path.join(ROOT, "tests_fw", "mpy", "tlspair.py")).read()

WALK = """
import tls, ussl, gc
HANDSHAKE_END = None
def attempt(cctx=None):
    global HANDSHAKE_END
    fresh = cctx is None
    if fresh:
        cctx, sctx = contexts(tls, CA, CERT, KEY, PROTOCOL)
    else:
        sctx = SCTX
    c, s, _, _ = pair(cctx, sctx)
    handshake(c, s)
    if HANDSHAKE_END is None:
        # The clean first run: how many allocations the attempt makes up to here.
        HANDSHAKE_END = ussl._fail_alloc(0) - base
    c.write(b'x' * 100)
    assert s.read(100) == b'x' * 99 + b'x'
    s.write(b'y' * 100)
    assert c.read(100) == b'y' * 100
    c.close(); s.close()
RESUME = RESUME_FLAG
base = ussl._fail_alloc(0)
if RESUME:
    CCTX, SCTX = contexts(tls, CA, CERT, KEY, PROTOCOL)
    attempt(CCTX)  # the session to resume
    HANDSHAKE_END = None
run = (lambda: attempt(CCTX)) if RESUME else attempt
base = ussl._fail_alloc(0)
run()
total = ussl._fail_alloc(0) - base
tally = {}
finished_early = []
for k in range(1, total + 1):
    ussl._fail_alloc(k)
    try:
        run()
        outcome = 'finished'
        if k <= HANDSHAKE_END:
            finished_early.append(k)
    except MemoryError:
        outcome = 'MemoryError'
    except OSError as e:
        outcome = 'ENOMEM' if e.args[0] == 12 else 'OSError ' + repr(e.args)
    except Exception as e:
        outcome = type(e).__name__ + ' ' + str(e)
    ussl._fail_alloc(0)
    gc.collect()
    run()
    tally[outcome] = tally.get(outcome, 0) + 1
import json
print(json.dumps({'allocations': total, 'handshake_allocations': HANDSHAKE_END, 'outcomes': tally,
                  'finished_early': finished_early}))
"""


@pytest.mark.parametrize("kind,protocol,resume", [("ec", "1.3", False), ("rsa", "1.2", False), ("ec", "1.3", True)])
def test_every_allocation_can_fail(pki, kind, protocol, resume):
    cert, key = (pki.ec_cert, pki.ec_key) if kind == "ec" else (pki.rsa_cert, pki.rsa_key)
    load = f"CA, CERT, KEY, PROTOCOL = [open(p, 'rb').read() for p in ({pki.ca_pem!r}, {cert!r}, {key!r})] + [{protocol!r}]\n"
    r = run_mpy(TLSPAIR + load + WALK.replace("RESUME_FLAG", repr(resume)), timeout=600)
    assert r.rc == 0, r
    result = json.loads(r.lines()[-1])
    print(kind, protocol, "resumed" if resume else "full", result)
    total, handshake = result["allocations"], result["handshake_allocations"]
    assert total > 20 and 0 < handshake < total, result
    assert set(result["outcomes"]) <= {"finished", "MemoryError", "ENOMEM"}, result
    assert sum(result["outcomes"].values()) == total, result
    # Every allocation up to the end of the handshake is reported (injection and reporting
    # both work), and those after it may or may not be.
    assert result["finished_early"] == [], result
    assert result["outcomes"].get("MemoryError", 0) + result["outcomes"].get("ENOMEM", 0) >= handshake, result
