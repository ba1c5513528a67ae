"""Helpers of the pytest suite, shared by its modules (fixtures are in conftest.py)."""
from .loopback import Listener, free_port, in_thread, wait_port
from .mpy import CLIENT_PROFILE, LEAN_PROFILE, MICROPYTHON, MPY_DIR, PRELUDE, ROOT, Result, mpy_file, run_mpy, verified
from .peers import Pki, RawServer, TlsliteTicketServer, TlsServer, echo_handler, server_context

__all__ = ["Listener", "free_port", "in_thread", "wait_port", "CLIENT_PROFILE", "LEAN_PROFILE", "MICROPYTHON", "MPY_DIR", "PRELUDE", "ROOT",
           "Result", "mpy_file", "run_mpy", "verified", "Pki", "RawServer", "TlsliteTicketServer", "TlsServer", "echo_handler",
           "server_context"]
