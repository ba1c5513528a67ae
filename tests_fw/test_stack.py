"""The deepest stack a connection uses in the firmware, measured by painting: client and server,
TLS 1.2 RSA-2048, TLS 1.3 ECDSA P-256 and a P-384 chain, the handshake, 8 KiB each way and close.
RP2's whole C stack is 8 KB; the budget is 6 KB below the shim's entry point (measured here,
conservatively, below the Python caller). The engine runs each call on a stack of its own, taken
from the heap for the call: one size for handshake steps, a smaller one for records on an
established connection (src/runtime/workspace.rs). Each must keep a margin."""
import json
import os
import subprocess

import pytest

from conftest import BOARDS, FIRMWARE, boot, mpy_source

BUDGET = 6 * 1024
# What the engine stack must keep unused at its deepest, for inputs the tests do not make.
ENGINE_MARGIN = 2 * 1024
NM = {"MPS2_AN385": "arm-none-eabi-nm", "VIRT_RV32": "riscv64-unknown-elf-nm", "MPS2_AN385_M0PLUS": "arm-none-eabi-nm"}
CASES = [("1.2", "RSA", "CA"), ("1.3", "EC", "CA"), ("1.3", "P384", "P384_CA"), ("1.2", "P384", "P384_CA"), ("1.2", "EC", "CA")]


def symbol(board, name):
    """(address, size) of a symbol of the board's image."""
    out = subprocess.run([NM[board], "-S", os.path.join(FIRMWARE, board, "firmware.elf")],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if parts[-1] == name:
            return int(parts[0], 16), int(parts[1], 16) if len(parts) == 4 else 0
    raise RuntimeError(f"no {name} in the image")


def stack_top(board):
    return symbol(board, "_estack")[0]


def measure(board, pki):
    """{case: {"c_stack": {side: bytes}, "engine_stack": {side: bytes}, "engine_stack_light": {side: bytes},
    "engine_stack_size": n, "engine_stack_light_size": n}}"""
    results = {}
    meters = symbol(board, "ussl_engine_meters")[0]
    for protocol, key, ca in CASES:
        # Each case on a new boot: a handshake takes its workspace, two large blocks, from the heap
        # (src/runtime/workspace.rs), and what an earlier case left (its contexts' anchors, the
        # server's ticket keys, interned names) cuts the heap's free space into smaller pieces.
        q = boot(board, pki)
        try:
            q.exec(mpy_source("stack_probe.py"))
            out = q.exec(f"""
import tls, gc
gc.collect()
probe = StackProbe({stack_top(board)}, {meters})
cctx, sctx = contexts(tls, {ca}, {key}_CHAIN, {key}_KEY, {protocol!r})
c, s, ce, se = metered_pair(cctx, sctx, probe)
handshake(c, s, probe)
group = c.group()
c, s = Probed(c, probe, "client"), Probed(s, probe, "server")
up, down = transfer(c, s, 8192), transfer(s, c, 8192)
assert up[0] == up[1] and down[0] == down[1]
c.close(); s.close()
print(group, probe.c["client"], probe.c["server"], probe.e["client"], probe.e["server"], probe.light["client"],
      probe.light["server"], *probe.sizes())
""", timeout=120)
        finally:
            q.close()
        group, *figures = out.split()
        c_client, c_server, e_client, e_server, l_client, l_server, size, light_size = map(int, figures)
        results[f"TLS {protocol} {key}"] = {"group": group, "c_stack": {"client": c_client, "server": c_server},
                                            "engine_stack": {"client": e_client, "server": e_server},
                                            "engine_stack_light": {"client": l_client, "server": l_server},
                                            "engine_stack_size": size, "engine_stack_light_size": light_size}
    return results


@pytest.mark.parametrize("board", BOARDS)
def test_handshake_stack_stays_within_budget(board, pki):
    results = measure(board, pki)
    os.makedirs(os.path.join(FIRMWARE, "results"), exist_ok=True)
    with open(os.path.join(FIRMWARE, "results", f"stack-{board}.json"), "w") as f:
        json.dump(results, f, indent=1)
    for case, r in results.items():
        # TLS 1.3 between our two ends agrees on the post-quantum hybrid (feature pq, in full), the
        # deepest key exchange we have; TLS 1.2 has no hybrid.
        assert r["group"] == ("X25519MLKEM768" if "1.3" in case else "X25519"), (case, r)
        # A probe that saw nothing would pass any budget: a handshake surely uses some stack.
        assert min(r["engine_stack"].values()) > 2048, (case, r)
        assert max(r["c_stack"].values()) <= BUDGET, (case, r)
        assert max(r["engine_stack"].values()) <= r["engine_stack_size"] - ENGINE_MARGIN, (case, r)
        assert min(r["engine_stack_light"].values()) > 256, (case, r)
        assert max(r["engine_stack_light"].values()) <= r["engine_stack_light_size"] - ENGINE_MARGIN, (case, r)
