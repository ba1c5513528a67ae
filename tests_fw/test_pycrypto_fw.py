"""hashlib and cryptolib over the engine inside the firmware images (issue 29): MicroPython's own
tests for the two modules (tests/extmod/hashlib_*.py, cryptolib_*.py) on the three qemu boards
and on the RPI_PICO_W images, full and lean, in the RP2040 emulator. Their expected output is the
test's .exp, or CPython's, as run-tests.py takes it. The stock qemu image has no cryptolib and
the stock Pico W's has no CTR, so every test running (none prints SKIP) shows the modules are
ours; test_rp2_image.py checks that the Pico W images link no mbedTLS."""
import glob
import os
import subprocess
import sys

import pytest

from conftest import BOARDS, boot_pico
from qemu import Qemu, have_emulator
from helpers import MPY_DIR
from helpers.strict import missing

TESTS = os.path.join(MPY_DIR, "tests")
NAMES = sorted(os.path.basename(p) for pattern in ("hashlib_*.py", "cryptolib_*.py")
               for p in glob.glob(os.path.join(TESTS, "extmod", pattern)))


def expected(name):
    path = os.path.join(TESTS, "extmod", name)
    if os.path.exists(path + ".exp"):
        return open(path + ".exp").read()
    return subprocess.run([sys.executable, path], capture_output=True, text=True, cwd=TESTS, timeout=30).stdout


@pytest.fixture(scope="module", params=BOARDS + ["pico-full", "pico-lean"])
def board(request):
    if request.param.startswith("pico-"):
        b = boot_pico(request.param[5:], clock=False)
    else:
        if not have_emulator(request.param):
            missing(f"the emulator for {request.param}", "`make firmware` installs it")
        b = Qemu(request.param)
    yield b
    b.close()


def test_the_suite_has_the_tests():
    assert len(NAMES) >= 12, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_micropython_test(board, name):
    source = open(os.path.join(TESTS, "extmod", name)).read()
    # Inside exec(): a test that skips itself ends with `raise SystemExit`, which at the top of
    # the raw REPL would soft-reset the board instead of returning its "SKIP".
    out = board.exec(f"try:\n    exec({source!r}, {{'__name__': '__main__'}})\nexcept SystemExit:\n    pass\n", timeout=300)
    assert out.strip() != "SKIP", f"{name} skips itself: the image's module is not ussl's"
    assert out.replace("\r\n", "\n") == expected(name)
