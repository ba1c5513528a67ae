"""Running the built MicroPython: where it is, the tree it was built from, and a script runner.
The MicroPython side of the tests is in files next to this one (prelude.py)."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MICROPYTHON = os.environ.get("MICROPYTHON", os.path.join(ROOT, "build", "micropython"))
# The `client` build profile's binary (build/micropython-client): no server side, no RSA keys.
CLIENT_PROFILE = MICROPYTHON.endswith("-client")
# The lean engine (build/micropython-lean): a TLS 1.3 client on embedded-tls.
LEAN_PROFILE = MICROPYTHON.endswith("-lean")
# The MicroPython tree the binary was built from (its tests and micropython-lib are used here);
# the Makefile passes it, and by hand the default trees are found in build/.
MPY_DIR = os.environ.get("MICROPY_DIR") or next(
    (d for d in (os.path.join(ROOT, "build", n) for n in ("micropython-1.28.0", "micropython-src"))
     if os.path.isdir(d)), os.path.join(ROOT, "build", "micropython-1.28.0"))


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def lines(self):
        return self.out.strip().splitlines()

    def __repr__(self):
        return f"rc={self.rc}\nstdout:\n{self.out}\nstderr:\n{self.err}"


def run_mpy(script, timeout=60, heapsize=None, wrapper=(), **params):
    """Runs `script` on build/micropython, under the `wrapper` command when given (faketime).
    Keyword params are substituted into the script as Python literals (`{name}` placeholders,
    via repr)."""
    for name, value in params.items():
        script = script.replace("{" + name + "}", repr(value))
    args = [*wrapper, MICROPYTHON]
    if heapsize:
        args += ["-X", f"heapsize={heapsize}"]
    proc = subprocess.run(args + ["-c", script], capture_output=True, text=True, timeout=timeout)
    return Result(proc)


def mpy_file(name):
    """A MicroPython script of this package, as text."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name)) as f:
        return f.read()


# The helpers every client script starts with (prelude.py: connect, read_all, fails).
PRELUDE = mpy_file("prelude.py")


def verified(port, hostname="localhost", **extra):
    """The MicroPython call that makes a verified client connection (prelude's connect())."""
    kw = dict(cert_reqs="ussl.CERT_REQUIRED", server_hostname=repr(hostname))
    kw.update(extra)
    return "connect(%d, %s)" % (port, ", ".join(f"{k}={v}" for k, v in kw.items()))
