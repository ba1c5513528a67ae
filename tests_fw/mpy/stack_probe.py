# Runs on the board: measures the deepest stack a call reaches by painting a stack region with
# a pattern beforehand and finding afterwards the lowest word that changed. Two regions: the C
# stack below the Python caller, and the engine's own stack (ussl runs rustls on a separate
# stack on boards). The test passes the addresses, read from the image's symbol table.
import machine
import micropython

PATTERN = 0x5AA5C33C
PAINT_BYTES = 16 * 1024
# Left unpainted below the caller: the painting loop's own frames live there.
MARGIN = 384


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


class StackProbe:
    """A drop-in for tlspair.Meter: call(side, f, *args) runs f and keeps, per side, the most C
    stack used below the Python caller (an upper bound of the use below the shim's entry) and
    the most engine stack used. `limit`, when given, is the bottom of the C stack: nothing below
    it is painted (RP2's 8 KB stack has the heap right under it), and `deepest` keeps, per side, the
    most C stack used from `estack`, its top, the caller's own frames included."""

    def __init__(self, estack, engine_base=0, engine_size=0, limit=0):
        self.estack = estack
        self.engine = (engine_base, engine_base + engine_size)
        self.limit = limit
        self.c = {"client": 0, "server": 0}
        self.e = {"client": 0, "server": 0}
        self.deepest = {"client": 0, "server": 0}

    def caller_sp(self):
        # stack_use() counts from where main() started: at most a few hundred bytes under ESTACK,
        # so this overstates the use by that much, never understates it.
        return self.estack - micropython.stack_use()

    def call(self, side, f, *args):
        top = (self.caller_sp() - MARGIN) & ~3
        bottom = max(top - PAINT_BYTES, self.limit)
        paint(bottom, top)
        if self.engine[1]:
            paint(*self.engine)
        r = f(*args)
        a = lowest_changed(bottom, top)
        if a == bottom:
            raise OSError("stack probe: the call used all %d painted bytes" % PAINT_BYTES)
        if a < top:
            self.c[side] = max(self.c[side], self.caller_sp() - a)
            self.deepest[side] = max(self.deepest[side], self.estack - a)
        if self.engine[1]:
            a = lowest_changed(*self.engine)
            if a == self.engine[0]:
                raise OSError("stack probe: the engine stack overflowed")
            self.e[side] = max(self.e[side], self.engine[1] - a)
        return r
