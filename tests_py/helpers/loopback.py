"""Loopback plumbing shared by the tests and the benchmark: free ports, waiting for a port, and
a listener on 127.0.0.1 whose accept loop runs in a thread and stops when asked."""
import socket
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=10, what="server"):
    """Waits until something accepts on 127.0.0.1:port; fails early if `proc` exits."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
            raise RuntimeError(f"{what} exited: {err}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start on port {port}")


class Listener:
    """Accepts on 127.0.0.1 (a free port) in a thread and hands each connection to
    `on_accept(conn)`; `stop()` ends the loop and closes the socket."""

    def __init__(self, on_accept, backlog=16):
        self.on_accept = on_accept
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.on_accept(conn)

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=5)
        self.sock.close()


def in_thread(fn, *args):
    threading.Thread(target=fn, args=args, daemon=True).start()
