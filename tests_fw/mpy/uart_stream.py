# Runs on the MPS2_AN385 board: one of its CMSDK UARTs as a non-blocking stream, for a TLS
# client whose peer is on the host (qemu joins the UART to a TCP connection with
# -serial tcp:127.0.0.1:PORT). Registers are reached through machine.mem32.
import io
import machine

DATA = 0x00
STATE = 0x04
CTRL = 0x08
BAUDDIV = 0x10
TX_FULL = 1
RX_FULL = 2


class Uart(io.IOBase):
    def __init__(self, base, spins=2000):
        self.base = base
        # qemu hands the next received byte over between guest instructions: spin a little for it
        # before reporting "nothing yet".
        self.spins = spins
        machine.mem32[base + BAUDDIV] = 16
        machine.mem32[base + CTRL] = 3  # TX and RX enabled

    def _rx_ready(self):
        return machine.mem32[self.base + STATE] & RX_FULL

    def readinto(self, buf):
        mem = machine.mem32
        state, data = self.base + STATE, self.base + DATA
        n = 0
        idle = 0
        while n < len(buf) and idle < self.spins:
            if mem[state] & RX_FULL:
                buf[n] = mem[data] & 0xFF
                n += 1
                idle = 0
            else:
                idle += 1
        return n if n else None

    def write(self, buf):
        mem = machine.mem32
        state, data = self.base + STATE, self.base + DATA
        for b in buf:
            while mem[state] & TX_FULL:
                pass
            mem[data] = b
        return len(buf)

    def ioctl(self, req, arg):
        if req == 3:  # poll
            ready = arg & 4
            if arg & 1:
                for _ in range(self.spins):
                    if self._rx_ready():
                        ready |= 1
                        break
            return ready
        if req == 4:  # close
            return 0
        return -1


UART1 = 0x40005000
UART2 = 0x40006000


def read_page(c):
    """What an HTTP/1.0 server (openssl s_server -www) sends, up to its closing tag or the end."""
    page = b""
    for _ in range(200):
        d = c.read(512)
        if d:
            page += d
        elif d == b"":
            break
        if b"</HTML>" in page or b"</BODY>" in page:
            break
    return page
