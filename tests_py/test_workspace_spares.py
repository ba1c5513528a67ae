"""The engine's workspace blocks are spared between calls and swept by the next collection
(mpy_module/workspace_blocks.c): an established connection's reads and writes find their blocks
among the spares instead of searching the heap for new ones each call (which cost a record call
on a Pico W several times its cryptography), and after gc.collect() TLS holds no workspace, so an
idle connection still costs the heap only what it holds itself."""
import json
import os

from helpers import ROOT, run_mpy

TLSPAIR = open(os.path.join(ROOT, "tests_fw", "mpy", "tlspair.py")).read()

ROUNDS = 50

SCRIPT = """
import tls, ussl, gc, json
cctx, sctx = contexts(tls, CA, CERT, KEY, "1.3")
c, s, _, _ = pair(cctx, sctx)
handshake(c, s)
def rounds(n):
    for i in range(n):
        s.write(b"0123456789")
        assert c.read(10) == b"0123456789"
def meters():
    w = ussl._workspace()
    return w["taken"], w["heap_blocks"]
rounds(2)
taken, heap_blocks = meters()
rounds(ROUNDS)
taken, heap_blocks = [b - a for a, b in zip((taken, heap_blocks), meters())]
gc.collect()
before = meters()[1]
rounds(1)
after_collection = meters()[1] - before
print(json.dumps({"taken": taken, "heap_blocks": heap_blocks, "after_collection": after_collection}))
"""


def test_record_calls_reuse_spare_blocks_and_a_collection_frees_them(pki):
    load = f"CA, CERT, KEY = [open(p, 'rb').read() for p in ({pki.ca_pem!r}, {pki.ec_cert!r}, {pki.ec_key!r})]\n"
    r = run_mpy(TLSPAIR + load + SCRIPT.replace("ROUNDS", str(ROUNDS)), timeout=120)
    assert r.rc == 0, r
    result = json.loads(r.lines()[-1])
    print(result)
    # Each round is a write and a read, each several engine calls with a workspace.
    assert result["taken"] >= 2 * ROUNDS, result
    # They all found their blocks among the spares of the first rounds.
    assert result["heap_blocks"] <= 1, result
    # The collection swept the spares (held by nothing it sees): the next round took new blocks.
    assert result["after_collection"] >= 1, result
