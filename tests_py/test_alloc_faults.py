"""Out of memory at every allocation: the unix test build's engine has fault injection (feature
`alloc-faults`, ussl._fail_alloc(n, from_then_on): the heap refuses the nth engine allocation from
now, and with from_then_on every one after it too, as a heap that ran dry). For every allocation
of a whole connection (contexts, handshake, a write and a read each way, close) of an in-memory
client+server pair, TLS 1.3 ECDSA, TLS 1.2 RSA and a resumed TLS 1.3 handshake: an allocation
refused up to the end of the handshake ends the attempt in MemoryError (or OSError ENOMEM), every
one of them; one refused later may also let the attempt finish (its error is kept for the
connection's next call, or it was close()'s best-effort close_notify); the interpreter lives, and
the next attempt without a fault works. With the heap dry, each call finishes on its workspace's
reserve (ussl._workspace(): src/runtime/workspace.rs): the most any call borrowed stays inside
the reserve with a margin, which is how the reserves are sized; and no allocation is ever
refused outside an engine call, where no reserve would be at hand."""
import json
import os

import pytest

from helpers import ROOT, run_mpy

TLSPAIR = open(os.path.join(ROOT, "tests_fw", "mpy", "tlspair.py")).read()

# Bytes each side writes once established: a record larger than a Light reserve.
RECORD = 6000
WALK = """
import tls, ussl, gc
RECORD = %d
def read_all(conn, n):
    got = b''
    for _ in range(8):
        got += conn.read(n - len(got))
        if len(got) == n:
            break
    return got
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
    # A record larger than a Light reserve: rustls copies each record's plaintext as it
    # decrypts it, and with the heap dry that copy comes from the reserve.
    c.write(b'x' * RECORD)
    assert read_all(s, RECORD) == b'x' * RECORD
    s.write(b'y' * RECORD)
    assert read_all(c, RECORD) == b'y' * RECORD
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
ussl._workspace(True)
for k in range(1, total + 1):
    ussl._fail_alloc(k, DRY)
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
                  'finished_early': finished_early, 'workspace': ussl._workspace()}))
""" % RECORD


# What a reserve keeps unused at the most a call borrowed: a quarter of a Deep one (inputs the
# tests do not make: longer chains, larger keys), 1 KB of a Light one (which grows by the server's
# chain besides).
DEEP_MARGIN = 4
LIGHT_MARGIN = 1024


@pytest.mark.parametrize("dry", [False, True], ids=["one-refused", "heap-dry"])
@pytest.mark.parametrize("kind,protocol,resume", [("ec", "1.3", False), ("rsa", "1.2", False), ("ec", "1.3", True)])
def test_every_allocation_can_fail(pki, kind, protocol, resume, dry):
    cert, key = (pki.ec_cert, pki.ec_key) if kind == "ec" else (pki.rsa_cert, pki.rsa_key)
    load = f"CA, CERT, KEY, PROTOCOL = [open(p, 'rb').read() for p in ({pki.ca_pem!r}, {cert!r}, {key!r})] + [{protocol!r}]\n"
    r = run_mpy(TLSPAIR + load + WALK.replace("RESUME_FLAG", repr(resume)).replace("DRY", repr(dry)), timeout=600)
    assert r.rc == 0, r
    result = json.loads(r.lines()[-1])
    print(kind, protocol, "resumed" if resume else "full", "heap dry" if dry else "one refused", result)
    ws = result["workspace"]
    if dry:
        # What sizes the reserves: bench/pico_ram.py puts it in BENCHMARKS.md.
        os.makedirs(os.path.join(ROOT, "build", "results"), exist_ok=True)
        name = f"alloc-walk-{kind}-{protocol}{'-resumed' if resume else ''}.json"
        with open(os.path.join(ROOT, "build", "results", name), "w") as f:
            json.dump(ws, f, indent=1)
    assert ws["outside"] == 0, ws
    # The walk ran the reserves: the most borrowed is inside them, with the margins.
    assert 0 < ws["deep_reserve_peak"] <= ws["deep_reserve_size"] - ws["deep_reserve_size"] // DEEP_MARGIN, ws
    # A Light reserve grows by what its call may copy (src/ffi/conn.rs, `need`): here a record's
    # plaintext, RECORD bytes.
    assert ws["light_reserve_peak"] <= ws["light_reserve_size"] - LIGHT_MARGIN + RECORD, ws
    total, handshake = result["allocations"], result["handshake_allocations"]
    assert total > 20 and 0 < handshake < total, result
    assert set(result["outcomes"]) <= {"finished", "MemoryError", "ENOMEM"}, result
    assert sum(result["outcomes"].values()) == total, result
    # Every allocation up to the end of the handshake is reported (injection and reporting
    # both work), and those after it may or may not be.
    assert result["finished_early"] == [], result
    assert result["outcomes"].get("MemoryError", 0) + result["outcomes"].get("ENOMEM", 0) >= handshake, result
