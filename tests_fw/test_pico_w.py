"""The shipping RPI_PICO_W image (make firmware-rp2), run instruction by instruction in the RP2040
emulator: the firmware suite's in-memory cases (a TLS client and server in one MicroPython, joined
by in-memory streams, the chain CA -> intermediate -> leaf and the hostname verified) on the
RP2040's memory map, pico-sdk's start-up, its 8 KB core-0 stack, the rp2 port's GC heap and hooks.
The C stack and the engine's own stack are painted and checked during the handshakes."""
import hashlib
import json
import os
import queue
import subprocess
import time

import pytest

from conftest import boot_pico, mpy_source
from rp2040 import FIRMWARE, IMAGES

# The deepest the C stack may go from its top, of the 8 KB (PICO_STACK_SIZE), and below the
# Python caller (test_stack.py's budget); what the engine stack must keep unused at its deepest.
C_STACK_SIZE = 8 * 1024
C_STACK_MARGIN = 1024
C_BUDGET_BELOW_CALLER = 6 * 1024
ENGINE_MARGIN = 2 * 1024


def symbols(image):
    """{name: (address, size)} of the image's ELF."""
    elf = os.path.join(os.path.dirname(image), "firmware.elf")
    out = subprocess.run(["arm-none-eabi-nm", "-S", elf], capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            table[parts[-1]] = (int(parts[0], 16), int(parts[1], 16) if len(parts) == 4 else 0)
    return table


@pytest.fixture
def pico(pki):
    board = boot_pico("full", pki)
    yield board
    board.close()


def pattern_digest():
    # tlspair.transfer's pattern: the host computes the digest the board must have sent.
    pattern = bytearray(65536)
    for i in range(0, 65536, 64):
        pattern[i] = i & 0xFF
    return hashlib.sha256(pattern).hexdigest()


# The P-384 chain (Let's Encrypt's ECDSA shape) is the deepest a client goes: TLS 1.2's P-384
# verification with ussl-arith reached 16.7 KB of the engine stack on the Cortex-M0+.
@pytest.mark.parametrize("protocol,key", [("1.3", "EC"), ("1.2", "EC"), ("1.2", "P384")])
def test_verified_handshake_stacks_64k_and_resumption(pico, protocol, key):
    """A verified handshake and 64 KiB each way with matching digests, the C stack and the
    engine's stacks painted (the handshake's and the established connection's), then a resumed
    handshake with the same contexts."""
    syms = symbols(IMAGES["full"])
    top, bottom = syms["__StackTop"][0], syms["__StackBottom"][0]
    meters = syms["ussl_engine_meters"][0]
    assert top - bottom == C_STACK_SIZE
    pico.exec(mpy_source("stack_probe.py"))
    out = pico.exec(f"""
import tls, gc, binascii
gc.collect()
probe = StackProbe({top}, {meters}, limit={bottom})
cctx, sctx = contexts(tls, {"P384_CA" if key == "P384" else "CA"}, {key}_CHAIN, {key}_KEY, {protocol!r})
c, s, ce, se = metered_pair(cctx, sctx, probe)
handshake(c, s, probe)
print(c.version(), s.version(), c.cipher()[0], c.session_reused)
print(c.getpeercert().get('subjectAltName'))
pc, ps = Probed(c, probe, "client"), Probed(s, probe, "server")
up = transfer(pc, ps, 65536)
down = transfer(ps, pc, 65536)
print(probe.c["client"], probe.c["server"], probe.deepest["client"], probe.deepest["server"],
      probe.e["client"], probe.e["server"], probe.light["client"], probe.light["server"], *probe.sizes())
print(binascii.hexlify(up[0]).decode(), binascii.hexlify(up[1]).decode())
print(binascii.hexlify(down[0]).decode(), binascii.hexlify(down[1]).decode())
full_bytes = se.sent
pc.close(); ps.close()
c, s, ce, se = pair(cctx, sctx)
handshake(c, s)
print(c.session_reused, s.session_reused, full_bytes, se.sent)
""", timeout=900)
    lines = out.splitlines()
    version, server_version, cipher, reused = lines[0].split()
    assert version == server_version == f"TLSv{protocol}" and reused == "False", out
    assert ("ECDHE" in cipher) == (protocol == "1.2"), out
    assert "localhost" in lines[1], out
    below_c, below_s, deep_c, deep_s, engine_c, engine_s, light_c, light_s, size, light_size = map(int, lines[2].split())
    os.makedirs(os.path.join(FIRMWARE, "results"), exist_ok=True)
    with open(os.path.join(FIRMWARE, "results", f"stack-RPI_PICO_W-tls{protocol}{'' if key == 'EC' else '-' + key}.json"), "w") as f:
        json.dump({"c_stack_below_caller": {"client": below_c, "server": below_s},
                   "c_stack_from_top": {"client": deep_c, "server": deep_s},
                   "engine_stack": {"client": engine_c, "server": engine_s},
                   "engine_stack_light": {"client": light_c, "server": light_s},
                   "engine_stack_size": size, "engine_stack_light_size": light_size, "c_stack_size": top - bottom},
                  f, indent=1)
    # A probe that saw nothing would pass any budget: a handshake surely uses some stack.
    assert min(engine_c, engine_s) > 2048 and min(light_c, light_s) > 256 and min(below_c, below_s) > 64, lines[2]
    assert max(below_c, below_s) <= C_BUDGET_BELOW_CALLER, lines[2]
    assert max(deep_c, deep_s) <= C_STACK_SIZE - C_STACK_MARGIN, lines[2]
    assert max(engine_c, engine_s) <= size - ENGINE_MARGIN, lines[2]
    assert max(light_c, light_s) <= light_size - ENGINE_MARGIN, lines[2]
    for line in lines[3:5]:
        assert line.split() == [pattern_digest()] * 2, out
    client_reused, server_reused, full_bytes, resumed_bytes = lines[5].split()
    assert (client_reused, server_reused) == ("True", "True"), out
    # No certificate chain crosses the wire on resumption.
    assert int(resumed_bytes) < int(full_bytes) // 2, out


def test_wrong_ca_and_wrong_hostname_are_refused(pico):
    out = pico.exec("""
import tls
for ca, host in ((OTHER_CA, "localhost"), (CA, "other.example")):
    cctx, sctx = contexts(tls, ca, EC_CHAIN, EC_KEY)
    c, s, ce, se = pair(cctx, sctx, hostname=host)
    try:
        handshake(c, s)
        print("accepted")
    except Exception as e:
        print(type(e).__name__, e)
c, s, ce, se = pair(*contexts(tls, CA, EC_CHAIN, EC_KEY))
print(handshake(c, s) > 0, c.version())
""", timeout=900)
    lines = out.splitlines()
    assert lines[0].startswith("ValueError") and "unknown issuer" in lines[0], out
    assert lines[1].startswith("ValueError") and "hostname mismatch" in lines[1], out
    # The interpreter lives on and the next handshake is fine.
    assert lines[2] == "True TLSv1.3", out


def test_an_unset_clock_is_named(pki):
    """The rp2 port's clock (its RTC, read through mp_hal_time_ns) starts at 2021-01-01 at
    power-up: verification is refused with the reason, then works once the script sets it."""
    board = boot_pico("full", pki, clock=False)
    try:
        out = board.exec("""
import tls, time
print(time.localtime()[0])
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY)
c, s, ce, se = pair(cctx, sctx)
try:
    handshake(c, s)
    print("accepted")
except ValueError as e:
    print(e)
""", timeout=900)
    finally:
        board.close()
    year, message = out.splitlines()[:2]
    assert year == "2021", out
    assert "clock is not set" in message, out


def test_pycom_api_blocking_handshake_and_save_session(pico):
    """ussl.wrap_socket (the Pycom API) blocks in its handshake, waiting on the stream with
    select.poll; the stream lets the in-memory server run whenever the client would wait."""
    out = pico.exec("pycom_api_round(CA, EC_CHAIN, EC_KEY, 60)", timeout=900)
    lines = out.splitlines()
    assert len(lines) == 3, out
    assert lines[0].startswith("b'hello' False <SSLSession TLSv1.3>"), out
    assert lines[1] == "b'hello' True", out
    assert lines[2] == "TypeError", out


def test_nearly_full_heap_gives_memory_error_and_the_next_handshake_works(pico):
    """The rp2 port's GC heap filled but for a little: a full client+server handshake either
    finishes or raises MemoryError; some do each; the one after them finishes, and the heap is
    all there again."""
    out = pico.exec("""
import gc, tls
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY)
outcomes = handshakes_on_a_nearly_full_heap(cctx, sctx, (2, 6, 12, 64))
print(" ".join(outcomes))
print(gc.mem_free() > 100000)
""", timeout=900)
    outcomes = out.splitlines()[0].split()
    assert set(outcomes) <= {"ok", "MemoryError"}, outcomes
    # The last, with 64 KB left, is the next handshake after MemoryErrors: it finishes.
    assert outcomes[0] == "MemoryError" and outcomes[-1] == "ok", outcomes
    assert out.splitlines()[1] == "True", out
    assert pico.alive()


def test_a_power_cycle_finds_the_new_repl_when_its_event_is_read_late(pico):
    """The harness reports a reboot on its control channel and the new board's output comes on the
    serial stream: the host may read the new board's REPL prompt before the reboot event (a busy
    host did, and the bench waited 60 s for a prompt it had thrown away). Here the prompt is read
    first on purpose; the power cycle must still find it."""
    pico.buf = b""
    pico.request("reboot")
    deadline = time.monotonic() + 60
    while b">>> " not in pico.buf and time.monotonic() < deadline:
        try:
            pico.buf += pico.chunks.get(timeout=1) or b""
        except queue.Empty:
            pass
    assert b">>> " in pico.buf, pico.buf
    pico._after_reboot(60)
    assert pico.eval("6 * 7") == 42


def test_the_boards_microseconds_are_the_emulators_cycles(pico):
    """time.ticks_us() x 125 on the board (what the benchmarks count) matches the cycles the
    harness counts for a stretch without waits, within what the REPL itself costs around it."""
    before = pico.stats()
    out = pico.exec("import time\nt = time.ticks_us()\nfor i in range(100000):\n    pass\n"
                    "print(time.ticks_diff(time.ticks_us(), t))", timeout=300)
    after = pico.stats()
    board = int(out) * 125
    harness = after["cycles"] - before["cycles"]
    assert after["idle_nanos"] - before["idle_nanos"] < 1e6, (before, after)
    assert 10_000_000 < board <= harness < board + 5_000_000, (board, harness)
