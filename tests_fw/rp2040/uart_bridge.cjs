'use strict';
// One of the RP2040's UARTs joined to a TCP connection on the host: what the board writes to the
// UART goes to the socket, what the socket receives is fed into the UART's receive FIFO, never
// more than the FIFO holds (a byte goes in each time the board takes one out), so nothing is lost
// however slowly the board reads.
const net = require('net');

class UartBridge {
  constructor(onWake) {
    this.onWake = onWake;
    this.uart = null;
    this.socket = null;
    this.rx = [];
    this.rxBytes = 0;
    this.tx = [];
    this.stats = { toBoard: 0, fromBoard: 0 };
    this.closed = false;
  }

  // (Re)binds to a board's UART: after a reboot the board is a new object.
  attach(uart) {
    this.uart = uart;
    // rp2040js raises the transmit interrupt on every register access (its TX FIFO is not
    // modelled), and the rp2 port's handler, which clears it, then runs forever. Here the
    // interrupt comes as a PL011's does when its FIFO has drained: once after a burst of writes
    // (each byte leaves at once; the burst ends when no write follows within a microsecond).
    const TX_INTERRUPT = 1 << 5;
    const mcu = uart.rp2040;
    uart.checkInterrupts = () => mcu.setInterrupt(uart.irq, !!(uart.interruptStatus & uart.interruptMask));
    const drained = mcu.clock.createAlarm(() => {
      uart.interruptStatus |= TX_INTERRUPT;
      uart.checkInterrupts();
    });
    uart.onByte = (b) => {
      this.stats.fromBoard += 1;
      this.tx.push(b);
      if (this.tx.length >= 512) {
        this.flush();
      }
      drained.schedule(1000);
    };
    const read = uart.readUint32.bind(uart);
    uart.readUint32 = (offset) => {
      const value = read(offset);
      if (offset === 0) {
        this.feed();
      }
      return value;
    };
    this.feed();
  }

  // Bytes the board wrote since the last call go out in one socket write.
  flush() {
    if (this.tx.length && this.socket && !this.closed) {
      this.socket.write(Buffer.from(this.tx));
    }
    this.tx = [];
  }

  feed() {
    const { uart } = this;
    if (!uart) {
      return;
    }
    while (this.rxBytes && !uart.rxFIFO.full) {
      const head = this.rx[0];
      uart.feedByte(head[0]);
      this.stats.toBoard += 1;
      this.rxBytes -= 1;
      if (head.length === 1) {
        this.rx.shift();
      } else {
        this.rx[0] = head.subarray(1);
      }
    }
  }

  connect(port, done) {
    this.close();
    this.closed = false;
    const socket = net.connect({ host: '127.0.0.1', port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => done(null));
    socket.on('data', (data) => {
      this.rx.push(data);
      this.rxBytes += data.length;
      this.feed();
      this.onWake();
    });
    socket.on('error', (err) => {
      if (!this.closed) {
        done(err);
      }
      this.closed = true;
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  close() {
    if (this.socket) {
      this.socket.destroy();
      this.socket = null;
    }
    this.closed = true;
    this.rx = [];
    this.rxBytes = 0;
    this.tx = [];
  }
}

module.exports = { UartBridge };
