"""Entropy on the RPI_PICO_W image, in the RP2040 emulator. The RP2040's only unpredictable source
is its ring oscillator (ROSC), read one bit at a time through RANDOMBIT; pico_rand, which the rp2
port's hook (mpy_module/port_hooks.c) reads, mixes those bits with values anyone can know (the
timer, the bus counter, the boot RAM, the flash's id). rp2040js does not model the oscillator
(every register reads all ones), so the harness serves its bits from the host's entropy, or
leaves them stuck to test a board whose oscillator has stopped: that board must refuse to make
keys (SSLError 501), never handshake with predictable ones."""
import pytest

from conftest import PICO_IMAGES, Rp2040, boot_pico

CLIENT_HELLO = """
import tls, binascii
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY)
c, s, ce, se = pair(cctx, sctx)
c.read(1)
print(binascii.hexlify(ce.tx.data).decode())
"""

TRY_HANDSHAKE = """
import tls
cctx, sctx = contexts(tls, CA, EC_CHAIN, EC_KEY)
ends = streams()
try:
    c = cctx.wrap_socket(ends[0], server_hostname="localhost", do_handshake_on_connect=False)
    s = sctx.wrap_socket(ends[1], server_side=True, do_handshake_on_connect=False)
    handshake(c, s)
    print("handshake", c.version(), ends[0].sent)
except OSError as e:
    print(type(e).__name__, e.args[0], ends[0].sent, repr(e.args[1]) if len(e.args) > 1 else "")
"""


def refused(out):
    """(exception name, code, bytes the client sent) of TRY_HANDSHAKE's output."""
    words = out.split()
    return words[0], words[1], int(words[2])


@pytest.mark.parametrize("mode", ["stuck", "stuck0"])
def test_a_stopped_oscillator_refuses_to_make_keys(pki, mode):
    """RANDOMBIT stuck at 1 (what the bare emulator answers) or at 0: no ClientHello leaves, the
    handshake raises SSLError 501, the interpreter goes on; once the bits move again the next
    handshake works (the check runs on every call, it is not latched at boot: shown once)."""
    board = boot_pico("full", pki, rosc=mode)
    try:
        out = board.exec(TRY_HANDSHAKE, timeout=300)
        assert refused(out) == ("SSLError", "501", 0), out
        assert "random source" in out, out
        out = board.exec("import ussl\ntry:\n ussl.wrap_socket(streams()[0], server_hostname='x', timeout=1)\n"
                         "except OSError as e:\n print(e.args[0])")
        assert out.strip() == "501", out
        if mode == "stuck":
            board.set_rosc("host")
            out = board.exec(TRY_HANDSHAKE, timeout=300)
            assert out.split()[:2] == ["handshake", "TLSv1.3"], out
    finally:
        board.close()


def test_the_lean_image_refuses_too(pki):
    """The lean engine's image (when built) has the same hook: its client refuses as well."""
    board = boot_pico("lean", pki, rosc="stuck")
    try:
        out = board.exec("import ussl\ntry:\n ussl.wrap_socket(streams()[0], server_hostname='x', timeout=1)\n"
                         "except OSError as e:\n print(e.args[0], streams is not None)")
        assert out.split() == ["501", "True"], out
    finally:
        board.close()


def test_a_disabled_oscillator_refuses_to_make_keys(pki):
    """The script switches the ROSC off (its CTRL register, as lightsleep does): refused, and
    pico_rand's own check (a hard_assert, which would stop the board) is never reached; switched
    on again, the handshake works."""
    board = boot_pico("full", pki)
    try:
        out = board.exec("machine.mem32[0x40060000] = 0xd1e000\n" + TRY_HANDSHAKE, timeout=300)
        assert refused(out) == ("SSLError", "501", 0), out
        out = board.exec("machine.mem32[0x40060000] = 0xfab000\n" + TRY_HANDSHAKE, timeout=300)
        assert out.split()[:2] == ["handshake", "TLSv1.3"], out
    finally:
        board.close()


def hello(pki):
    board = boot_pico("full", pki)
    try:
        return bytes.fromhex(board.exec(CLIENT_HELLO, timeout=300).strip())
    finally:
        board.close()


def urandom_at_boot(rosc, flash):
    """What main.py's os.urandom(16) gave on a boot from the flash image `flash` (its first use
    of pico_rand, at the same cycle of every boot from it: no host input comes before it)."""
    board = Rp2040(PICO_IMAGES["full"], rosc=rosc, flash_in=flash)
    try:
        return board.get("/urandom.txt")
    finally:
        board.close()


@pytest.mark.parametrize("rosc,same", [("stuck", True), ("host", False)])
def test_pico_rand_repeats_itself_without_oscillator_bits(tmp_path, rosc, same):
    """Why the check exists: pico_rand (os.urandom on the rp2 port, and what the hook reads)
    with RANDOMBIT stuck gives the same bytes on every boot from the same flash, the emulator
    being cycle-exact: its other inputs are the timer, the RAM and the flash's id. With the
    oscillator's bits from the host, they differ."""
    flash = str(tmp_path / "flash.bin")
    board = boot_pico("full", flash_out=flash)
    try:
        board.put("/main.py", b"import os\nwith open('/urandom.txt', 'wb') as f:\n    f.write(os.urandom(16))\n")
    finally:
        board.close()
    first, second = urandom_at_boot(rosc, flash), urandom_at_boot(rosc, flash)
    assert len(first) == 16
    assert (first == second) == same, (first, second)


def test_entropy_differs_between_boots(pki):
    """With the oscillator's bits from the host, two boots of the same image send different
    ClientHello randoms and key shares."""
    first, second = hello(pki), hello(pki)
    assert first[0] == 22 and second[0] == 22  # handshake records: ClientHellos
    assert first[11:43] != second[11:43]       # the 32-byte random
    assert first[43:] != second[43:]           # session id and key shares
