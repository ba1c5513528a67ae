"""RAM on the Pico W image, in the RP2040 emulator: TLS costs nothing until it is used. The engine
takes its workspace (the stack a handshake runs on and the reserve that turns a full heap into
MemoryError) from MicroPython's heap for each call and gives it back after (src/runtime/
workspace.rs), so a script that never opens a connection has the heap the stock image has, and
one whose connections are open and idle holds only what they keep. BENCHMARKS.md has the figures
side by side with the stock image (bench/pico_ram.py)."""
import os

import pytest

from conftest import PICO_IMAGES, Rp2040, boot_pico, missing_tools, need_file

# Right after boot, nothing else run: the heap a script starts with.
BOOT = "import gc\ngc.collect()\nprint(gc.mem_free())"
# What the stock RPI_PICO_W 1.28.0 image (MicroPython's mbedTLS module) prints for BOOT, measured
# with bench/pico_ram.py on 2026-12-06; measured again here when that image is built (make
# firmware-rp2-stock: make test does not build it).
STOCK_BOOT_FREE = 201_104
# How much less our image may leave a script at boot: the budget.
BOOT_BUDGET = 2048


def boot_free(image):
    board = Rp2040(image)
    try:
        return int(board.exec(BOOT))
    finally:
        board.close()


@pytest.mark.parametrize("kind", ["full", "lean"])
def test_boot_free_heap_is_within_2k_of_the_stock_image(kind):
    tools = missing_tools()
    if tools:
        pytest.fail(f"the RP2040 emulator needs {tools}: `make rp2040js` installs it")
    # make test builds both (firmware-rp2, and firmware-lean for the -lean image).
    need_file(PICO_IMAGES[kind], "make USSL_ENGINE=lean firmware-rp2" if kind == "lean" else "make firmware-rp2")
    ours = boot_free(PICO_IMAGES[kind])
    stock = boot_free(PICO_IMAGES["mbedtls"]) if os.path.exists(PICO_IMAGES["mbedtls"]) else STOCK_BOOT_FREE
    print(f"{kind}: {ours} B free at boot, stock {stock} B")
    assert ours >= stock - BOOT_BUDGET, (ours, stock)


# An in-memory client+server pair, open and idle after its handshake, holds about 17.5 KB (both
# contexts, both connections, their streams and Python objects); a workspace, were one held, is
# 9 KB (Light) or 35 KB (Deep) more.
PAIR_HELD_MAX = 20 * 1024
# What stays after the pair is gone: the server's ticket keys and session cache, which servers
# with the same settings share (src/server_states.rs), and the table of those states.
LEFT_AFTER_MAX = 1024


def test_tls_holds_no_workspace_while_idle(pki):
    board = boot_pico("full", pki)
    try:
        out = board.exec("""
import gc, tls
gc.collect()
before = gc.mem_free()
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY)
c, s, ce, se = pair(cctx, sctx)
handshake(c, s)
gc.collect()
open_pair = gc.mem_free()
c.write(b"x"); s.read(1)
gc.collect()
after_a_record = gc.mem_free()
c.close(); s.close()
c = s = ce = se = cctx = sctx = None
gc.collect()
print(before, open_pair, after_a_record, gc.mem_free())
""", timeout=900)
    finally:
        board.close()
    before, open_pair, after_a_record, after = map(int, out.split())
    print(f"pair held {before - open_pair} B, after a record {before - after_a_record} B, "
          f"left after closing {before - after} B")
    assert 4096 < before - open_pair <= PAIR_HELD_MAX, out
    assert before - after_a_record <= PAIR_HELD_MAX, out
    assert before - after <= LEFT_AFTER_MAX, out


# The holes the heap is cut into: smaller than a Deep workspace's blocks (a 19 KB stack, a 16 KB
# reserve), larger than a Light one's (6 KB, 3 KB and a ticket's chain).
HOLE = 10 * 1024


def test_a_fragmented_heap_refuses_a_handshake_and_records_go_on(pki):
    """MicroPython #7878 and #6455: a heap with plenty free, in holes too small for a large block.
    A new handshake, whose workspace is large blocks, ends in MemoryError before it starts; an
    established connection's reads and writes, whose workspace is small blocks, go on; with the
    holes joined again the handshake works."""
    board = boot_pico("full", pki)
    try:
        out = board.exec(f"""
import gc, tls
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY)
c, s, ce, se = pair(cctx, sctx)
handshake(c, s)
gc.collect()
hog = [None] * 64
n = 0
try:
    while n < len(hog):
        hog[n] = bytearray({HOLE} - 16)
        n += 1
except MemoryError:
    pass
for i in range(0, n, 2):
    hog[i] = None
gc.collect()
free = gc.mem_free()
try:
    c2, s2, ce2, se2 = pair(cctx, sctx)
    handshake(c2, s2)
    new = "finished"
except MemoryError:
    new = "MemoryError"
c2 = s2 = ce2 = se2 = None
gc.collect()
up = transfer(c, s, 2048, block=512)
down = transfer(s, c, 2048, block=512)
hog = None
gc.collect()
c3, s3, ce3, se3 = pair(cctx, sctx)
handshake(c3, s3)
print(n, free, new, up[0] == up[1], down[0] == down[1], c3.version())
""", timeout=900)
    finally:
        board.close()
    n, free, new, up, down, version = out.split()
    print(f"{n} blocks of {HOLE} B, every other freed: {free} B free in holes; a new handshake: {new}")
    # The holes hold far more than a handshake needs (a pair needs about 20 KB at best).
    assert int(n) >= 10 and int(free) > 60 * 1024, out
    assert new == "MemoryError", out
    assert up == down == "True", out
    assert version == "TLSv1.3", out
