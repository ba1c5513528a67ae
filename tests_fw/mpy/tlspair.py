# Runs on the board: a TLS client and server in one MicroPython, joined by in-memory streams.
# Only the mainline `tls` API is used here, so the same code runs on ussl and on MicroPython's
# own mbedTLS module (make bench compares them with it). Every loop is bounded.
import io
import time

POLL = 3
CLOSE = 4
POLL_RD = 1
POLL_WR = 4


class Pipe:
    """Bytes written by one end, waiting to be read by the other."""

    def __init__(self):
        self.data = bytearray()
        self.pos = 0

    def available(self):
        return len(self.data) - self.pos

    def take(self, buf):
        n = min(len(buf), self.available())
        buf[:n] = memoryview(self.data)[self.pos:self.pos + n]
        self.pos += n
        if self.pos == len(self.data):
            self.data = bytearray()
            self.pos = 0
        return n


class End(io.IOBase):
    """One end of a connection, as a non-blocking stream. `pump`, when given, lets the peer run
    a step whenever this end would otherwise wait (for a peer that blocks, like ussl's own
    handshake): that is how a blocking API is driven in one thread."""

    def __init__(self, rx, tx, pump=None):
        self.rx = rx
        self.tx = tx
        self.pump = pump
        self.writes = 0
        self.sent = 0

    def readinto(self, buf):
        if self.rx.available() == 0 and self.pump:
            self.pump()
        n = self.rx.take(buf)
        return n if n else None

    def write(self, buf):
        self.tx.data.extend(buf)
        self.writes += 1
        self.sent += len(buf)
        return len(buf)

    def ioctl(self, req, arg):
        if req == POLL:
            if self.rx.available() == 0 and self.pump:
                self.pump()
            ready = arg & POLL_WR
            if arg & POLL_RD and self.rx.available():
                ready |= POLL_RD
            return ready
        if req == CLOSE:
            return 0
        return -1


def streams(pump=None):
    """(client end, server end); the client end pumps the server with `pump`."""
    c2s, s2c = Pipe(), Pipe()
    return End(s2c, c2s, pump), End(c2s, s2c)


def contexts(tls, ca, cert, key, protocol="1.3", verify=True):
    cctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    sctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    if verify:
        cctx.verify_mode = tls.CERT_REQUIRED
        cctx.load_verify_locations(ca)
    else:
        cctx.verify_mode = tls.CERT_NONE
    if protocol == "1.2":
        # TLS 1.2 through the suites: ours take OpenSSL's names, mbedTLS its own.
        names = [n for n in cctx.get_ciphers() if "ECDHE" in n and "GCM" in n and "SHA256" in n]
        cctx.set_ciphers(names)
    return cctx, sctx


class Meter:
    """Instructions spent in each side's TLS calls (time.ticks_us under qemu -icount shift=0,
    where a microsecond is 1000 instructions)."""

    def __init__(self):
        self.us = {"client": 0, "server": 0}

    def call(self, side, f, *args):
        t = time.ticks_us()
        try:
            return f(*args)
        finally:
            self.us[side] += time.ticks_diff(time.ticks_us(), t)


def pair(cctx, sctx, hostname="localhost"):
    c_end, s_end = streams()
    client = cctx.wrap_socket(c_end, server_hostname=hostname, do_handshake_on_connect=False)
    server = sctx.wrap_socket(s_end, server_side=True, do_handshake_on_connect=False)
    return client, server, c_end, s_end


def metered_pair(cctx, sctx, meter, hostname="localhost"):
    """pair(), with the two wrap_socket() calls counted by `meter`: they belong to the handshake
    (a rustls client makes its key share and ClientHello there)."""
    c_end, s_end = streams()
    client = meter.call("client", lambda: cctx.wrap_socket(c_end, server_hostname=hostname,
                                                           do_handshake_on_connect=False))
    server = meter.call("server", lambda: sctx.wrap_socket(s_end, server_side=True, do_handshake_on_connect=False))
    return client, server, c_end, s_end


def handshake(client, server, meter=None, turns=200):
    """Alternates the two sides until each has received one byte of application data from the
    other, which needs both handshakes finished. Returns the number of turns taken."""
    m = meter or Meter()
    sent_c = sent_s = got_c = got_s = False
    for turn in range(turns):
        if not sent_c:
            sent_c = m.call("client", client.write, b"c") == 1
        if not got_s:
            got_s = m.call("server", server.read, 1) == b"c"
        if got_s and not sent_s:
            sent_s = m.call("server", server.write, b"s") == 1
        if not got_c:
            got_c = m.call("client", client.read, 1) == b"s"
        if got_c and got_s:
            return turn + 1
    raise OSError("handshake did not finish in %d turns" % turns)


def transfer(src, dst, total, block=4096):
    """Sends `total` bytes of a known pattern from src to dst; returns (sha256 sent, received)."""
    import hashlib
    h_out, h_in = hashlib.sha256(), hashlib.sha256()
    chunk = bytearray(block)
    buf = bytearray(block)
    sent = got = 0
    for _ in range(20 * total // block + 100):
        if sent < total:
            n = min(block, total - sent)
            for i in range(0, n, 64):
                chunk[i] = (sent + i) & 0xFF
            w = src.write(memoryview(chunk)[:n])
            if w:
                h_out.update(memoryview(chunk)[:w])
                sent += w
        r = dst.readinto(buf)
        if r:
            h_in.update(memoryview(buf)[:r])
            got += r
        if got >= total and sent >= total:
            return h_out.digest(), h_in.digest()
    raise OSError("transfer stalled at %d/%d" % (got, total))


def with_free_heap(free, attempt, block=256, failures=None):
    """Runs attempt() with about `free` bytes of the heap left free (the rest held by blocks;
    the free bytes are the last blocks taken, so mostly one region). Returns (ok, result).
    With a `failures` list, any exception counts as not finishing and is noted there (mbedTLS
    reports some allocation failures as certificate errors)."""
    import gc
    gc.collect()
    hog = []
    try:
        while True:
            hog.append(bytearray(block))
    except MemoryError:
        pass
    while hog and gc.mem_free() < free:
        for _ in range(4):
            if hog:
                hog.pop()
        gc.collect()
    try:
        return True, attempt()
    except MemoryError:
        return False, None
    except OSError as e:
        # MicroPython's mbedTLS module reports its allocation failures as OSError(ENOMEM).
        if e.errno == 12:
            return False, None
        if failures is None:
            raise
        failures.append(repr(e))
        return False, None
    except Exception as e:
        if failures is None:
            raise
        failures.append(repr(e))
        return False, None
    finally:
        hog = None
        gc.collect()


def needed_heap(attempt, lo=2048, hi=128 * 1024, step=1024, failures=None):
    """The least free heap (within `step` bytes) with which attempt() finishes."""
    while hi - lo > step:
        mid = (lo + hi) // 2
        if with_free_heap(mid, attempt, failures=failures)[0]:
            hi = mid
        else:
            lo = mid
    return hi


def pycom_api_round(ca, chain, key, timeout):
    """The Pycom API on an in-memory pair: ussl.wrap_socket blocks in its handshake (select.poll
    on the stream lets the echoing server run whenever the client would wait), save_session, a
    second connection resumed from it, and garbage session bytes refused. Prints three lines."""
    import tls, ussl
    sctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(chain, key)

    def connect(saved=None):
        state = {}

        def pump():
            srv = state.get("server")
            if srv is None:
                return
            d = srv.read(256)
            if d:
                srv.write(d)
        ce, se = streams(pump)
        state["server"] = sctx.wrap_socket(se, server_side=True, do_handshake_on_connect=False)
        c = ussl.wrap_socket(ce, cert_reqs=ussl.CERT_REQUIRED, ca_certs=ca, server_hostname="localhost",
                             do_handshake=False, saved_session=saved, timeout=timeout)
        c.do_handshake()
        c.write(b"hello")
        return c, c.read(5)

    c, echoed = connect()
    session = ussl.save_session(c)
    print(echoed, c.session_reused, session)
    c.close()
    c, echoed = connect(session)
    print(echoed, c.session_reused)
    c.close()
    try:
        ussl.wrap_socket(streams()[0], saved_session=b"garbage")
    except TypeError:
        print("TypeError")


def handshakes_on_a_nearly_full_heap(cctx, sctx, leaves_kb):
    """For each amount in `leaves_kb`: the heap filled with 512-byte blocks but for that many KB,
    then a client+server handshake; "ok", "MemoryError" or the other exception, one per amount.
    Everything is released between attempts."""
    import gc
    outcomes = []
    for leave_kb in leaves_kb:
        gc.collect()
        hog = []
        try:
            while True:
                hog.append(bytearray(512))
        except MemoryError:
            pass
        del hog[:2 * leave_kb]
        try:
            c, s, ce, se = pair(cctx, sctx)
            handshake(c, s)
            outcomes.append("ok")
        except MemoryError:
            outcomes.append("MemoryError")
        except Exception as e:
            outcomes.append("%s:%s" % (type(e).__name__, e))
        c = s = ce = se = None
        hog = None
        gc.collect()
    return outcomes
