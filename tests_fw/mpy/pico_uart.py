# Runs on the Pico W image in the RP2040 emulator: one of the RP2040's UARTs as the stream under a
# TLS connection whose peer is on the host (the harness joins the UART to a TCP connection).
import io
import machine
import select
import time


class UartStream(io.IOBase):
    """machine.UART(n) as a socket-like stream: a read waits up to `timeout` ms for its first
    byte and 20 ms between bytes (None when nothing came), poll reports what the UART holds, and
    close is accepted (a UART's own ioctl refuses it, so closing a TLS socket over it would raise)."""

    def __init__(self, n, timeout=10000):
        # The emulated UART moves a byte per register access whatever the baud rate; the ring
        # buffers hold a TLS flight.
        self.uart = machine.UART(n, baudrate=1000000, rxbuf=4096, txbuf=4096, timeout=timeout, timeout_char=20)
        self.poller = select.poll()
        self.poller.register(self.uart, select.POLLIN | select.POLLOUT)

    def readinto(self, buf):
        return self.uart.readinto(buf)

    def drain(self):
        """Drops what a previous connection left unread in the UART (its FIFO and ring buffer)."""
        buf = bytearray(64)
        while self.uart.any():
            self.uart.readinto(buf)

    def write(self, buf):
        return self.uart.write(buf)

    def ioctl(self, req, arg):
        if req == 3:  # MP_STREAM_POLL
            ready = 0
            for _, events in self.poller.poll(0):
                ready |= events
            return ready & arg
        if req == 4:  # MP_STREAM_CLOSE
            return 0
        return -1


def uart(n, timeout=10000):
    return UartStream(n, timeout)


def read_page(c, seconds=60):
    """What an HTTP/1.0 server (openssl s_server -www) sends, up to its closing tag, the end of the
    stream, or `seconds` of the board's time."""
    page = b""
    start = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), start) < seconds * 1000:
        d = c.read(512)
        if d:
            page += d
        elif d == b"":
            break
        if b"</HTML>" in page or b"</BODY>" in page:
            break
    return page


def read_request(c, seconds=60):
    """An HTTP request's head, from a client on the host."""
    req = b""
    start = time.ticks_ms()
    while b"\r\n\r\n" not in req and time.ticks_diff(time.ticks_ms(), start) < seconds * 1000:
        d = c.read(256)
        if d:
            req += d
        elif d == b"":
            break
    return req
