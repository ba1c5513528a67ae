"""Runs a ussl server on build/micropython for the tests, and reads what it reports."""
import os
import subprocess
import time

from helpers import MICROPYTHON, free_port

SERVER = """
import socket, ussl, gc, time
addr = socket.getaddrinfo('127.0.0.1', %(port)d)[0][-1]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(addr)
s.listen(8)
print('ready')
t0 = time.ticks_ms()
for i in range(%(count)d):
    if i == %(mark)d:
        gc.collect(); print('heap', gc.mem_alloc()); t0 = time.ticks_ms()
    c, a = s.accept()
    try:
        t = ussl.wrap_socket(c, server_side=True, timeout=3, %(args)s)
        cert = t.getpeercert()
        subject = dict(x[0] for x in cert['subject']).get('commonName') if cert else None
        data = t.read(5)
        t.write(data.upper())
        line = ['ok', t.version(), t.session_reused, subject]
        if t.selected_alpn_protocol():
            line.append(t.selected_alpn_protocol())
        print(*line)
        t.close()
    except Exception as e:
        print('error', type(e).__name__, e)
        c.close()
elapsed = time.ticks_diff(time.ticks_ms(), t0)
gc.collect(); print('heap', gc.mem_alloc()); print('elapsed', elapsed)
"""


class MpyServer:
    def __init__(self, args, count, mark=-1):
        self.port = free_port()
        script = SERVER % {"port": self.port, "count": count, "mark": mark, "args": args}
        self.proc = subprocess.Popen([MICROPYTHON, "-c", script], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        assert self.next_line(10) == "ready"

    def next_line(self, timeout=15):
        deadline = time.time() + timeout
        os.set_blocking(self.proc.stdout.fileno(), False)
        buf = ""
        while time.time() < deadline:
            chunk = self.proc.stdout.readline()
            if chunk:
                buf += chunk
                if buf.endswith("\n"):
                    return buf.strip()
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.01)
        raise TimeoutError(f"no line from the MicroPython server (got {buf!r})")

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=5)
