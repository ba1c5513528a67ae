"""RAM on the Pico W image, in the RP2040 emulator: TLS costs nothing until it is used. The engine
takes its workspace (the stack a handshake runs on and the reserve that turns a full heap into
MemoryError) from MicroPython's heap for each call and gives it back after (src/runtime/
workspace.rs), so a script that never opens a connection has the heap the stock image has, and
one whose connections are open and idle holds only what they keep. BENCHMARKS.md has the figures
side by side with the stock image (bench/rp2040_bench.py)."""
import os

import pytest

from conftest import PICO_IMAGES, Rp2040, boot_pico, missing_tools

# Right after boot, nothing else run: the heap a script starts with.
BOOT = "import gc\ngc.collect()\nprint(gc.mem_free())"
# What the stock RPI_PICO_W 1.28.0 image (MicroPython's mbedTLS module) prints for BOOT, measured
# with bench/rp2040_bench.py on 2026-12-06; measured again here when that image is built (make
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
    missing = missing_tools()
    if missing:
        pytest.fail(f"the RP2040 emulator needs {missing}: `make rp2040js` installs it")
    if not os.path.exists(PICO_IMAGES[kind]):
        if kind == "lean":
            pytest.skip(f"{PICO_IMAGES[kind]} is not built: `make USSL_ENGINE=lean firmware-rp2`")
        pytest.fail(f"{PICO_IMAGES[kind]} is missing: run `make firmware-rp2`")
    ours = boot_free(PICO_IMAGES[kind])
    stock = boot_free(PICO_IMAGES["mbedtls"]) if os.path.exists(PICO_IMAGES["mbedtls"]) else STOCK_BOOT_FREE
    print(f"{kind}: {ours} B free at boot, stock {stock} B")
    assert ours >= stock - BOOT_BUDGET, (ours, stock)


# An in-memory client+server pair, open and idle after its handshake, holds about 13 KB (both
# contexts, both connections and their Python objects); the workspace, were it held, is 31 KB more.
PAIR_HELD_MAX = 20 * 1024
# What stays after the pair is gone: the server's ticket keys and session cache, which servers
# with the same settings share (mpy_module/session.c), and their entry in that table.
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
