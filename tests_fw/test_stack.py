"""The deepest stack a handshake uses in the firmware, measured by painting: client and server,
TLS 1.2 RSA-2048, TLS 1.3 ECDSA P-256 and a P-384 chain. RP2's whole C stack is 8 KB; the budget
is 6 KB below the shim's entry point (measured here, conservatively, below the Python caller).
rustls runs on the engine's own stack on boards, which must keep a margin too."""
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
    """{case: {"c_stack": {side: bytes}, "engine_stack": {side: bytes}, "engine_stack_size": n}}"""
    q = boot(board, pki)
    try:
        q.exec(mpy_source("stack_probe.py"))
        results = {}
        engine = symbol(board, "ussl_engine_stack")
        for protocol, key, ca in CASES:
            out = q.exec(f"""
import tls, gc
gc.collect()
probe = StackProbe({stack_top(board)}, {engine[0]}, {engine[1]})
cctx, sctx = contexts(tls, {ca}, {key}_CHAIN, {key}_KEY, {protocol!r})
c, s, ce, se = pair(cctx, sctx)
handshake(c, s, probe)
c.close(); s.close()
print(probe.c["client"], probe.c["server"], probe.e["client"], probe.e["server"])
""", timeout=120)
            c_client, c_server, e_client, e_server = map(int, out.split())
            results[f"TLS {protocol} {key}"] = {"c_stack": {"client": c_client, "server": c_server},
                                                "engine_stack": {"client": e_client, "server": e_server},
                                                "engine_stack_size": engine[1]}
    finally:
        q.close()
    return results


@pytest.mark.parametrize("board", BOARDS)
def test_handshake_stack_stays_within_budget(board, pki):
    results = measure(board, pki)
    os.makedirs(os.path.join(FIRMWARE, "results"), exist_ok=True)
    with open(os.path.join(FIRMWARE, "results", f"stack-{board}.json"), "w") as f:
        json.dump(results, f, indent=1)
    for case, r in results.items():
        # A probe that saw nothing would pass any budget: a handshake surely uses some stack.
        assert min(r["engine_stack"].values()) > 2048, (case, r)
        assert max(r["c_stack"].values()) <= BUDGET, (case, r)
        assert max(r["engine_stack"].values()) <= r["engine_stack_size"] - ENGINE_MARGIN, (case, r)
