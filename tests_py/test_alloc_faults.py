"""Out of memory at every allocation: the unix test build's engine has fault injection (feature
`alloc-faults`, ussl._fail_alloc(n): the heap refuses the nth engine allocation from now). For
every allocation of a whole connection (contexts, handshake, a write and a read each way, close)
of an in-memory client+server pair, TLS 1.3 ECDSA, TLS 1.2 RSA and a resumed TLS 1.3 handshake:
the attempt ends in MemoryError (or OSError ENOMEM) or finishes, the interpreter lives, and the
next attempt without a fault works."""
import json
import os

import pytest

from helpers import ROOT, run_mpy

TLSPAIR = open(os.path.join(ROOT, "tests_fw", "mpy", "tlspair.py")).read()

WALK = """
import tls, ussl, gc
def attempt(cctx=None):
    fresh = cctx is None
    if fresh:
        cctx, sctx = contexts(tls, CA, CERT, KEY, PROTOCOL)
    else:
        sctx = SCTX
    c, s, _, _ = pair(cctx, sctx)
    handshake(c, s)
    c.write(b'x' * 100)
    assert s.read(100) == b'x' * 99 + b'x'
    s.write(b'y' * 100)
    assert c.read(100) == b'y' * 100
    c.close(); s.close()
RESUME = RESUME_FLAG
if RESUME:
    CCTX, SCTX = contexts(tls, CA, CERT, KEY, PROTOCOL)
    attempt(CCTX)  # the session to resume
run = (lambda: attempt(CCTX)) if RESUME else attempt
base = ussl._fail_alloc(0)
run()
total = ussl._fail_alloc(0) - base
tally = {}
for k in range(1, total + 1):
    ussl._fail_alloc(k)
    try:
        run()
        outcome = 'finished'
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
print(json.dumps({'allocations': total, 'outcomes': tally}))
"""


@pytest.mark.parametrize("kind,protocol,resume", [("ec", "1.3", False), ("rsa", "1.2", False), ("ec", "1.3", True)])
def test_every_allocation_can_fail(pki, kind, protocol, resume):
    cert, key = (pki.ec_cert, pki.ec_key) if kind == "ec" else (pki.rsa_cert, pki.rsa_key)
    load = f"CA, CERT, KEY, PROTOCOL = [open(p, 'rb').read() for p in ({pki.ca_pem!r}, {cert!r}, {key!r})] + [{protocol!r}]\n"
    r = run_mpy(TLSPAIR + load + WALK.replace("RESUME_FLAG", repr(resume)), timeout=600)
    assert r.rc == 0, r
    result = json.loads(r.lines()[-1])
    print(kind, protocol, "resumed" if resume else "full", result)
    assert result["allocations"] > 20, result
    assert set(result["outcomes"]) <= {"finished", "MemoryError", "ENOMEM"}, result
    assert sum(result["outcomes"].values()) == result["allocations"], result
