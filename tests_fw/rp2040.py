"""Boots a Raspberry Pi Pico (W) image in the RP2040 emulator (tests_fw/rp2040/harness.cjs, on
Wokwi's rp2040js, which `make rp2040js` installs into build/) and runs MicroPython code on it
through the raw REPL over the emulated USB serial port, as qemu.Qemu does for the qemu boards.
Beyond that: the board's cycle count (read by the board itself at CYCLE_COUNTER), its UARTs joined to TCP connections on the host, files
put on its filesystem, and a power cycle that keeps the flash. Every wait is bounded."""
import base64
import json
import os
import queue
import shutil
import socket
import subprocess
import threading
import time

from qemu import FIRMWARE, ROOT, MpyError, Qemu, _running  # noqa: F401

HARNESS = os.path.join(ROOT, "tests_fw", "rp2040", "harness.cjs")
RP2040JS = os.path.join(ROOT, "build", "rp2040js", "node_modules", "rp2040js")
SHARED = os.environ.get("SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
BOOTROM = os.path.join(SHARED, "vendor", "rp2040-bootrom-b1.bin")
BOOTROM_SHA256 = "90b31e108faedfa6bbcfcc33ba05dac61e645108cfbbdc385f8dafc71fde44ae"
MHZ = 125
# What the harness writes to the board's serial stream where a reboot happens (harness.cjs).
REBOOT_MARK = b"\x00ussl-reboot\x00"
# A read of this word on the board gives the emulator's exact cycle count (low 32 bits); writes of
# 1 and 0 there start and stop the profile of an Rp2040 made with `profile` (board.cjs).
CYCLE_COUNTER = 0x40070000
# The images: ours (full engine, the lean one when built) and the stock one with mbedTLS.
IMAGES = {
    "full": os.path.join(FIRMWARE, "RPI_PICO_W", "firmware.uf2"),
    "lean": os.path.join(FIRMWARE, "RPI_PICO_W-lean", "firmware.uf2"),
    "mbedtls": os.path.join(FIRMWARE, "RPI_PICO_W-mbedtls", "firmware.uf2"),
}


def missing_tools():
    """What the emulator needs and is not there (make rp2040js installs it), as text; '' if all is."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not os.path.exists(os.path.join(RP2040JS, "package.json")):
        missing.append(f"rp2040js in {RP2040JS}")
    if not os.path.exists(BOOTROM):
        missing.append(BOOTROM)
    return ", ".join(missing)


class Rp2040(Qemu):
    """A Pico W image in the emulator. `rosc`: where the ring oscillator's random bits come from
    (host, seed:N for the same bits every run, stuck as the bare emulator has them). `flash_in`:
    a file the flash starts from; `flash_out`: where the flash goes when the board is closed;
    `profile`: where the cycles by instruction address go when it is closed."""

    def __init__(self, image, rosc="host", flash_in=None, flash_out=None, profile=None, timeout=60):
        self.board = "RPI_PICO_W"
        self.elf = image
        if not os.path.exists(image):
            raise FileNotFoundError(f"{image}: run `make firmware-rp2` first")
        self.ctl, child = socket.socketpair()
        args = ["node", HARNESS, "--image", image, "--bootrom", BOOTROM, "--rosc", rosc,
                "--ctl-fd", str(child.fileno())]
        if flash_in:
            args += ["--flash-in", flash_in]
        if flash_out:
            args += ["--flash-out", flash_out]
        if profile:
            args += ["--profile", profile]
        env = dict(os.environ, RP2040JS=RP2040JS, TZ="UTC")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     bufsize=0, pass_fds=[child.fileno()], env=env)
        child.close()
        self.chunks = queue.Queue()
        self.buf = b""
        self.replies = queue.Queue()
        self.events = queue.Queue()
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.ctl_reader = threading.Thread(target=self._read_ctl, daemon=True)
        self.ctl_reader.start()
        _running.add(self)
        try:
            self._wait_repl(timeout)
        except BaseException:
            self.close()
            raise

    def _read_ctl(self):
        f = self.ctl.makefile("rb")
        for line in f:
            msg = json.loads(line)
            (self.replies if "id" in msg else self.events).put(msg)
        self.replies.put(None)

    def _wait_repl(self, timeout):
        self.read_until(b">>> ", timeout)
        self._enter_raw(timeout)

    def request(self, op, timeout=30, **kw):
        """A control request to the harness; returns its answer (a dict)."""
        self.next_id += 1
        self.ctl.sendall((json.dumps(dict(kw, op=op, id=self.next_id)) + "\n").encode())
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self.replies.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"the harness did not answer {op} in {timeout} s") from None
            if msg is None:
                raise EOFError(f"the harness exited: {self.proc.stderr.read().decode(errors='replace')}")
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{op}: {msg['error']}")
                return msg

    def stats(self):
        """{'cycles': executed, 'nanos': virtual time, 'idle_nanos', 'boots', 'flash_erases', ...}"""
        return self.request("stats")

    def uart_connect(self, uart, port):
        """Joins the board's UART `uart` (0 or 1) to a new TCP connection to 127.0.0.1:port."""
        self.request("uart", uart=uart, port=port)

    def uart_close(self, uart):
        self.request("uart_close", uart=uart)

    def set_rosc(self, mode):
        self.request("rosc", mode=mode)

    def power_cycle(self, timeout=60):
        """Switches the board off and on again: RAM is lost, the flash (filesystem) kept."""
        self.request("reboot")
        self._after_reboot(timeout)

    def reset_from_board(self, timeout=60):
        """machine.reset() on the board (a watchdog reset), then the REPL again."""
        self.send(b"import machine\r\nmachine.reset()\r\n\x04")
        self._after_reboot(timeout)

    def _after_reboot(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                ev = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"the board did not reboot in {timeout} s") from None
            if ev.get("event") == "reboot":
                break
        # What the board printed before it went away is of no interest now. The harness marks the
        # reboot in the serial stream as well: the event comes on the control channel, which may be
        # read after the new board's first output (the REPL's prompt among it).
        self.read_until(REBOOT_MARK, max(1, deadline - time.monotonic()))
        self._wait_repl(max(1, deadline - time.monotonic()))

    def put(self, path, data, chunk=768):
        """Writes bytes to a file on the board's filesystem."""
        self.exec(f"_f = open({path!r}, 'wb')")
        for i in range(0, len(data), chunk):
            b64 = base64.b64encode(data[i:i + chunk]).decode()
            self.exec(f"import binascii; _f.write(binascii.a2b_base64({b64!r}))")
        self.exec("_f.close(); del _f")

    def get(self, path):
        out = self.exec(f"import binascii\nwith open({path!r}, 'rb') as f: print(binascii.b2a_base64(f.read()).decode())")
        return base64.b64decode(out.strip())

    def close(self):
        _running.discard(self)
        if self.proc.poll() is None:
            try:
                self.ctl.sendall(b'{"op": "quit", "id": 0}\n')
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        self.ctl.close()
        self.ctl_reader.join(timeout=10)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()
