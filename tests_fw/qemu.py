"""Boots a firmware image in qemu and runs MicroPython code on it through the raw REPL over the
emulated UART (qemu's stdin/stdout). Every wait is bounded; `close()` stops the emulator."""
import atexit
import os
import queue
import shutil
import struct
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRMWARE = os.path.join(ROOT, "build", "firmware")

# How each board runs: the emulator and its machine. -icount shift=0 makes virtual time advance
# 1 ns per instruction, so time.ticks_us() differences times 1000 count instructions.
BOARDS = {
    "MPS2_AN385": ["qemu-system-arm", "-machine", "mps2-an385"],
    "VIRT_RV32": ["qemu-system-riscv32", "-machine", "virt", "-bios", "none"],
    # The same machine, with an image built for the Cortex-M0+ (the RP2040's core).
    "MPS2_AN385_M0PLUS": ["qemu-system-arm", "-machine", "mps2-an385"],
}


class MpyError(Exception):
    """A Python exception raised by the code on the board; `.text` is its traceback."""

    def __init__(self, text, out):
        super().__init__(text.strip().splitlines()[-1] if text.strip() else "error")
        self.text = text
        self.out = out


# Emulators still running when the process ends are stopped: an idle board spins a core.
_running = set()
atexit.register(lambda: [q.close() for q in list(_running)])


class Qemu:
    def __init__(self, board, elf=None, extra=(), icount=False, timeout=30):
        self.board = board
        self.elf = elf or os.path.join(FIRMWARE, board, "firmware.elf")
        if not os.path.exists(self.elf):
            raise FileNotFoundError(f"{self.elf}: run `make firmware` first")
        args = [*BOARDS[board], "-nographic", "-monitor", "null", "-semihosting", "-serial", "stdio"]
        if icount:
            args += ["-icount", "shift=0"]
        args += [*extra, "-kernel", self.elf]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)
        self.chunks = queue.Queue()
        self.buf = b""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        _running.add(self)
        try:
            self.read_until(b">>> ", timeout)
            self._enter_raw(timeout)
        except BaseException:
            self.close()
            raise

    def _read(self):
        while True:
            try:
                data = self.proc.stdout.read(4096)
            except (OSError, ValueError):  # closed by close()
                data = b""
            if not data:
                self.chunks.put(None)
                return
            self.chunks.put(data)

    def read_until(self, marker, timeout):
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"waited {timeout} s for {marker!r}; got {self.buf[-400:]!r}")
            try:
                data = self.chunks.get(timeout=left)
            except queue.Empty:
                continue
            if data is None:
                err = self.proc.stderr.read().decode(errors="replace")
                raise EOFError(f"qemu exited (rc={self.proc.wait()}) waiting for {marker!r}; "
                               f"output {self.buf[-400:]!r}; stderr {err}")
            self.buf += data
        head, _, self.buf = self.buf.partition(marker)
        return head

    def read_exact(self, n, timeout):
        deadline = time.monotonic() + timeout
        while len(self.buf) < n:
            data = self.chunks.get(timeout=max(0.01, deadline - time.monotonic()))
            if data is None:
                raise EOFError("qemu exited")
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def _enter_raw(self, timeout):
        self.send(b"\r\x03\x03\x01")
        self.read_until(b"raw REPL; CTRL-B to exit\r\n>", timeout)

    def exec(self, code, timeout=60):
        """Runs `code` and returns what it printed; raises MpyError for an exception on the board."""
        data = code.encode() if isinstance(code, str) else code
        # Raw paste mode: the board grants a window of bytes at a time, so nothing overruns the
        # emulated UART.
        self.send(b"\x05A\x01")
        if self.read_exact(2, timeout) != b"R\x01":
            raise RuntimeError("the board does not support raw paste mode")
        window = struct.unpack("<H", self.read_exact(2, timeout))[0]
        remain = window
        i = 0
        while i < len(data):
            while remain == 0 or self.buf:
                b = self.read_exact(1, timeout)
                if b == b"\x01":
                    remain += window
                elif b == b"\x04":
                    self.send(b"\x04")
                    raise RuntimeError("the board aborted the paste")
                else:
                    raise RuntimeError(f"unexpected {b!r} during raw paste")
            chunk = data[i:i + remain]
            self.send(chunk)
            remain -= len(chunk)
            i += len(chunk)
        self.send(b"\x04")
        self.read_until(b"\x04", timeout)
        out = self.read_until(b"\x04", timeout).decode(errors="replace")
        err = self.read_until(b"\x04>", timeout).decode(errors="replace")
        if err:
            raise MpyError(err, out)
        return out

    def eval(self, expr, timeout=60):
        """The value of a Python expression on the board (its repr must be a Python literal)."""
        import ast
        out = self.exec(f"print(repr({expr}))", timeout)
        return ast.literal_eval(out.strip().splitlines()[-1])

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        _running.discard(self)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def have_emulator(board):
    return shutil.which(BOARDS[board][0]) is not None
