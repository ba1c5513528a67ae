# Runs on the board: measures the deepest stack a call reaches. The C stack is painted with a
# pattern beforehand and afterwards the lowest word that changed is found. The engine runs each
# call on a stack of its own, taken from the heap for the call: the engine paints those itself
# once asked to, and keeps the deepest use per kind of call in `ussl_engine_meters` (the test
# passes its address, read from the image's symbol table; src/runtime/workspace.rs, `Meters`).
import machine
import micropython

PATTERN = 0x5AA5C33C
PAINT_BYTES = 16 * 1024
# Left unpainted below the caller: the painting loop's own frames live there.
MARGIN = 384
# Words of ussl_engine_meters: the paint switch, the stack sizes, the reserve sizes, the deepest
# stack uses and the most reserve lent (Deep calls then Light ones), workspaces taken, refused,
# allocations refused outside any call, workspace blocks taken from the heap rather than spares.
PAINT, STACK_SIZE, RESERVE_SIZE, STACK_PEAK, RESERVE_PEAK, TAKEN, REFUSED, OUTSIDE, HEAP_BLOCKS = 0, 1, 3, 5, 7, 9, 10, 11, 12


def paint(bottom, top):
    mem = machine.mem32
    for a in range(bottom, top, 4):
        mem[a] = PATTERN


def lowest_changed(bottom, top):
    mem = machine.mem32
    a = bottom
    while a < top and (mem[a] & 0xFFFFFFFF) == PATTERN:
        a += 4
    return a


def meter(meters, word, kind=0):
    """A word of ussl_engine_meters; `kind` 0 for Deep calls, 1 for Light ones."""
    return machine.mem32[meters + 4 * (word + kind)] & 0xFFFFFFFF


class StackProbe:
    """A drop-in for tlspair.Meter: call(side, f, *args) runs f and keeps, per side, the most C
    stack used below the Python caller (an upper bound of the use below the shim's entry), the
    deepest engine stack of its handshake calls (`e`) and of its calls on an established
    connection (`light`). `meters` is the address of ussl_engine_meters (0: the C stack only).
    `limit`, when given, is the bottom of the C stack: nothing below it is painted (RP2's 8 KB
    stack has the heap right under it), and `deepest` keeps, per side, the most C stack used
    from `estack`, its top, the caller's own frames included."""

    def __init__(self, estack, meters=0, limit=0):
        self.estack = estack
        self.meters = meters
        self.limit = limit
        self.c = {"client": 0, "server": 0}
        self.e = {"client": 0, "server": 0}
        self.light = {"client": 0, "server": 0}
        self.deepest = {"client": 0, "server": 0}
        if meters:
            machine.mem32[meters + 4 * PAINT] = 1

    def sizes(self):
        """The engine stacks' sizes: (Deep, Light)."""
        return meter(self.meters, STACK_SIZE), meter(self.meters, STACK_SIZE, 1)

    def caller_sp(self):
        # stack_use() counts from where main() started: at most a few hundred bytes under ESTACK,
        # so this overstates the use by that much, never understates it.
        return self.estack - micropython.stack_use()

    def call(self, side, f, *args):
        top = (self.caller_sp() - MARGIN) & ~3
        bottom = max(top - PAINT_BYTES, self.limit)
        paint(bottom, top)
        if self.meters:
            machine.mem32[self.meters + 4 * STACK_PEAK] = 0
            machine.mem32[self.meters + 4 * (STACK_PEAK + 1)] = 0
        r = f(*args)
        a = lowest_changed(bottom, top)
        if a == bottom:
            raise OSError("stack probe: the call used all %d painted bytes" % PAINT_BYTES)
        if a < top:
            self.c[side] = max(self.c[side], self.caller_sp() - a)
            self.deepest[side] = max(self.deepest[side], self.estack - a)
        if self.meters:
            self.e[side] = max(self.e[side], meter(self.meters, STACK_PEAK))
            self.light[side] = max(self.light[side], meter(self.meters, STACK_PEAK, 1))
        return r


class Probed:
    """A TLS socket whose reads and writes go through a probe, as `side`."""

    def __init__(self, sock, probe, side):
        self.sock = sock
        self.probe = probe
        self.side = side

    def write(self, b):
        return self.probe.call(self.side, self.sock.write, b)

    def readinto(self, b):
        return self.probe.call(self.side, self.sock.readinto, b)

    def read(self, n):
        return self.probe.call(self.side, self.sock.read, n)

    def close(self):
        return self.probe.call(self.side, self.sock.close)
