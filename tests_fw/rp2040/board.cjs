'use strict';
// One emulated RP2040 (Wokwi's rp2040js) with what a Pico W image needs from outside the chip
// and rp2040js leaves out:
//   - the flash routines of the bootrom (erase, program), done on the emulator's flash array, so
//     the image's filesystem works and survives a reboot when the array is kept;
//   - the ring oscillator's RANDOMBIT, served from the host's entropy (or a fixed stream, for
//     repeatable benchmarks, or stuck, as rp2040js leaves it, to test a failed source);
//   - a USB CDC host that holds the board's reads until there is data (rp2040js's helper answers
//     every read at once with an empty packet, and the board then spends most of its cycles on
//     USB interrupts).
const crypto = require('crypto');

const FLASH_BASE = 0x10000000;
const UF2_MAGIC = [0x0a324655, 0x9e5d5157];
const UF2_MAGIC_END = 0x0ab16f30;

// The image's bytes as [address, bytes] pieces: a .uf2 (its 512-byte blocks) or a .bin (flash
// from its start).
function imagePieces(data, name) {
  if (!name.endsWith('.uf2')) {
    return [[FLASH_BASE, data]];
  }
  const pieces = [];
  for (let off = 0; off + 512 <= data.length; off += 512) {
    const magic0 = data.readUInt32LE(off);
    const magic1 = data.readUInt32LE(off + 4);
    if (magic0 !== UF2_MAGIC[0] || magic1 !== UF2_MAGIC[1] || data.readUInt32LE(off + 508) !== UF2_MAGIC_END) {
      throw new Error(`${name}: block at ${off} is not a UF2 block`);
    }
    const addr = data.readUInt32LE(off + 12);
    const size = data.readUInt32LE(off + 16);
    pieces.push([addr, data.subarray(off + 32, off + 32 + size)]);
  }
  if (!pieces.length) {
    throw new Error(`${name}: no UF2 blocks`);
  }
  return pieces;
}

// The bootrom's public functions, by their two-letter codes (RP2040 datasheet 2.8.3): the table
// address is the halfword at 0x14, entries are (code, address) halfword pairs ending in a zero code.
function romFunctions(bootrom) {
  const view = new DataView(bootrom.buffer, bootrom.byteOffset, bootrom.byteLength);
  const table = new Map();
  for (let p = view.getUint16(0x14, true); p + 4 <= bootrom.length; p += 4) {
    const code = view.getUint16(p, true);
    if (!code) {
      break;
    }
    const name = String.fromCharCode(code & 0xff, code >> 8);
    table.set(name, view.getUint16(p + 2, true) & ~1);
  }
  return table;
}

// rom_func_lookup codes of the routines pico-sdk's hardware_flash calls, and what the emulator
// does in their place: erase and program act on the flash array; the others (leave XIP, talk to
// the flash chip directly, flush the XIP cache) have nothing to do here. Each returns at once,
// as the routine would, to its caller (LR).
function flashHooks(mcu, rom, counters) {
  const flash = mcu.flash;
  const hooks = new Map();
  const regs = mcu.core.registers;
  const inFlash = (offset, count) => offset >= 0 && count >= 0 && offset + count <= flash.length;
  const noop = () => {};
  for (const name of ['IF', 'EX', 'FC', 'CX']) {
    hooks.set(rom.get(name), noop);
  }
  // flash_range_erase(offset, count, block_size, block_cmd): whole 4 KB sectors to 0xFF.
  hooks.set(rom.get('RE'), () => {
    const offset = regs[0] >>> 0;
    const count = regs[1] >>> 0;
    if (inFlash(offset, count)) {
      const start = offset & ~0xfff;
      const end = (offset + count + 0xfff) & ~0xfff;
      flash.fill(0xff, start, Math.min(end, flash.length));
      counters.flashErases += 1;
    }
  });
  // flash_range_program(offset, data, count): NOR flash only clears bits.
  hooks.set(rom.get('RP'), () => {
    const offset = regs[0] >>> 0;
    const src = regs[1] >>> 0;
    const count = regs[2] >>> 0;
    if (inFlash(offset, count)) {
      for (let i = 0; i < count; i++) {
        flash[offset + i] &= mcu.readUint8(src + i);
      }
      counters.flashPrograms += 1;
    }
  });
  hooks.delete(undefined);
  return hooks;
}

// Bits for the ring oscillator's RANDOMBIT register.
//   host      the host's CSPRNG (tests)
//   seed:N    a fixed stream from N (benchmarks: the same bits, so the same cycles, every run)
//   stuck     always 1: what rp2040js answers for the oscillator it does not model
//   stuck0    always 0
function roscBits(mode) {
  if (mode === 'host') {
    let pool = Buffer.alloc(0);
    let pos = 0;
    return () => {
      if (pos >= pool.length * 8) {
        pool = crypto.randomBytes(4096);
        pos = 0;
      }
      const bit = (pool[pos >> 3] >> (pos & 7)) & 1;
      pos += 1;
      return bit;
    };
  }
  if (mode.startsWith('seed:')) {
    // xorshift32: statistically fine, and all the benchmarks need is repeatability.
    let x = (Number(mode.slice(5)) >>> 0) || 1;
    return () => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x & 1;
    };
  }
  if (mode === 'stuck') {
    return () => 1;
  }
  if (mode === 'stuck0') {
    return () => 0;
  }
  throw new Error(`unknown ROSC mode ${mode}`);
}

// The ROSC peripheral (RP2040 datasheet 2.17.8): enable control, status and RANDOMBIT. `stuck`
// keeps rp2040js's own answer to the unmodelled block (every register reads all ones).
function makeRosc(rp2040js, mcu, mode) {
  const CTRL = 0x00;
  const STATUS = 0x18;
  const RANDOMBIT = 0x1c;
  const ENABLE_MASK = 0xfff000;
  const DISABLE = 0xd1e000;
  const ENABLED = 1 << 12;
  const STABLE = 1 << 31;
  const next = roscBits(mode);
  class Rosc extends rp2040js.BasePeripheral {
    constructor() {
      super(mcu, 'ROSC_BASE');
      this.ctrl = 0xfab000 | 0xaa0;
      this.regs = new Map();
    }
    readUint32(offset) {
      if (mode === 'stuck') {
        return 0xffffffff;
      }
      switch (offset) {
        case CTRL:
          return this.ctrl;
        case STATUS:
          return ((this.ctrl & ENABLE_MASK) === DISABLE ? 0 : ENABLED | STABLE) >>> 0;
        case RANDOMBIT:
          return (this.ctrl & ENABLE_MASK) === DISABLE ? 0 : next();
        default:
          return this.regs.get(offset) || 0;
      }
    }
    writeUint32(offset, value) {
      if (offset === CTRL) {
        this.ctrl = value >>> 0;
      } else {
        this.regs.set(offset, value >>> 0);
      }
    }
  }
  return new Rosc();
}

// A USB CDC host on the emulated controller that holds each read of the board's OUT endpoint
// until the host has bytes for it.
function attachCdc(rp2040js, mcu, onSerialData) {
  const cdc = new rp2040js.USBCDC(mcu.usbCtrl);
  const queue = [];
  let queued = 0;
  let pending = null;
  const answer = (size) => {
    const n = Math.min(size, queued);
    const out = new Uint8Array(n);
    let i = 0;
    while (i < n) {
      const head = queue[0];
      const take = Math.min(head.length, n - i);
      out.set(head.subarray(0, take), i);
      i += take;
      if (take === head.length) {
        queue.shift();
      } else {
        queue[0] = head.subarray(take);
      }
    }
    queued -= n;
    mcu.usbCtrl.endpointReadDone(cdc.outEndpoint, out);
  };
  mcu.usbCtrl.onEndpointRead = (endpoint, size) => {
    if (endpoint !== cdc.outEndpoint) {
      return;
    }
    if (queued) {
      answer(size);
    } else {
      pending = size;
    }
  };
  cdc.onSerialData = onSerialData;
  // A newline once the port is open: the prompt the banner (sent before the host listened) lost.
  cdc.onDeviceConnected = () => send(Buffer.from('\r\n'));
  const send = (bytes) => {
    if (!bytes.length) {
      return;
    }
    queue.push(Buffer.from(bytes));
    queued += bytes.length;
    if (pending !== null && cdc.outEndpoint >= 0) {
      const size = pending;
      pending = null;
      answer(size);
    }
  };
  return { cdc, send };
}

// SRAM first: rp2040js looks for a peripheral before anything else on every write (and for the
// bootrom and flash before SRAM on every read), a tenth of its time on a handshake. The same
// answers, sooner.
function fastSram(mcu) {
  const RAM = 0x20000000;
  const end = RAM + mcu.sram.length - 3;
  const view = mcu.sramView;
  const read = mcu.readUint32.bind(mcu);
  const write = mcu.writeUint32.bind(mcu);
  mcu.readUint32 = (address) => {
    const a = address >>> 0;
    return a >= RAM && a < end && !(a & 3) ? view.getUint32(a - RAM, true) : read(address);
  };
  mcu.writeUint32 = (address, value) => {
    const a = address >>> 0;
    if (a >= RAM && a < end) {
      view.setUint32(a - RAM, value, true);
    } else {
      write(address, value);
    }
  };
}

// An exact cycle counter for the board's own scripts (the RP2040 has none a Cortex-M0+ program
// can read): a read of the word at CYCLE_COUNTER, a slot no RP2040 peripheral uses, returns the
// core's cycle count (its low 32 bits), the same on every run, so a script measures itself with
// `machine.mem32[0x40070000]` before and after (tests_fw/test_primitives.py, bench/rp2040_bench.py).
// A write there is passed to `onWrite` (the harness's profile: 1 starts it, 0 stops it).
const CYCLE_COUNTER = 0x40070000;
function cycleCounter(mcu, onWrite) {
  return {
    readUint32: () => mcu.core.cycles >>> 0,
    writeUint32: (offset, value) => onWrite(value >>> 0),
    writeUint32Atomic: (offset, value) => onWrite(value >>> 0),
  };
}

// A booted RP2040: bootrom, flash (the image over `flash`, a kept array, when given), ROSC, CDC,
// the cycle counter.
function makeBoard({ rp2040js, bootrom, image, imageName, flash, rosc, onSerialData, onCounterWrite = () => {} }) {
  const mcu = new rp2040js.RP2040();
  mcu.logger = new rp2040js.ConsoleLogger(rp2040js.LogLevel.Error, true);
  mcu.loadBootrom(new Uint32Array(bootrom.buffer, bootrom.byteOffset, bootrom.byteLength / 4));
  if (flash) {
    mcu.flash.set(flash);
  }
  for (const [addr, bytes] of imagePieces(image, imageName)) {
    mcu.flash.set(bytes, addr - FLASH_BASE);
  }
  const counters = { flashErases: 0, flashPrograms: 0 };
  const hooks = flashHooks(mcu, romFunctions(bootrom), counters);
  mcu.peripherals[0x40060] = makeRosc(rp2040js, mcu, rosc);
  mcu.peripherals[CYCLE_COUNTER >>> 12] = cycleCounter(mcu, onCounterWrite);
  fastSram(mcu);
  const { send } = attachCdc(rp2040js, mcu, onSerialData);
  // As rp2040js's demo does: start at the second-stage boot loader at the start of flash.
  mcu.core.PC = FLASH_BASE;
  return { mcu, hooks, counters, send };
}

module.exports = { makeBoard, makeRosc, romFunctions, imagePieces, FLASH_BASE, CYCLE_COUNTER };
