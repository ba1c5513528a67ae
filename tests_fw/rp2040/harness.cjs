'use strict';
// Runs a Raspberry Pi Pico (W) image in Wokwi's RP2040 emulator (rp2040js), instruction by
// instruction, at its fixed 125 MHz:
//   stdin/stdout   the board's USB CDC serial port (its REPL), raw bytes both ways
//                  (stdout also carries REBOOT_MARK where a reboot happens)
//   --ctl-fd N     a control socket (JSON lines, each request answered by a line with its id):
//                    {"op": "stats"}                      cycles executed, virtual time, flash writes
//                    {"op": "uart", "uart": 0, "port": P} join UART0 to a TCP connection to 127.0.0.1:P
//                    {"op": "uart_close", "uart": 0}
//                    {"op": "rosc", "mode": "stuck"}      change the ring oscillator's bits now
//                    {"op": "reboot"}                     power-cycle the board, keeping its flash
//                    {"op": "quit"}
//                  and unasked lines {"event": "reboot", "reason": "watchdog"} when the board resets itself
//   --image F      .uf2 or .bin;  --bootrom F  the RP2040's 16 KB mask ROM
//   --rosc MODE    host | seed:N | stuck | stuck0 (board.cjs)
//   --flash-in F   the flash array starts as F's bytes (with the image written over them)
//   --flash-out F  the flash array is written to F at quit
//   --profile F    cycles by instruction address while the board has the profile on (it writes 1,
//                  then 0, to the cycle counter's word, board.cjs), as JSON [[pc, cycles], ...] in F
//                  at quit (bench/rp2040_bench.py --profile names the functions)
// The board's idle time (WFI/WFE until the next timer alarm) passes no faster than real time
// beyond a millisecond per wait, so timeouts on the board give the host's peers real time to
// answer, and an idle board costs the host no CPU; what the board computes runs flat out and its
// cycle count does not depend on the host.
const fs = require('fs');
const net = require('net');
const path = require('path');
const { makeBoard, makeRosc } = require('./board.cjs');
const { UartBridge } = require('./uart_bridge.cjs');

const NS_PER_CYCLE = 8; // 125 MHz
const SLICE_CYCLES = 4000000;
const IDLE_GRACE_NS = 1000000;
const IDLE_MAX_SLEEP_MS = 20;
// Written to the serial stream (stdout) where a reboot happens; tests_fw/rp2040.py drops what
// came before it.
const REBOOT_MARK = '\x00ussl-reboot\x00';

function parseArgs(argv) {
  const args = { rosc: 'host' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-/g, '_');
    if (i + 1 >= argv.length) {
      throw new Error(`missing value for ${argv[i]}`);
    }
    args[key] = argv[i + 1];
  }
  for (const need of ['image', 'bootrom']) {
    if (!args[need]) {
      throw new Error(`--${need} is required`);
    }
  }
  return args;
}

function loadEmulator() {
  const dir = process.env.RP2040JS || path.join(__dirname, '..', '..', 'build', 'rp2040js', 'node_modules', 'rp2040js');
  return require(dir);
}

class Harness {
  constructor(args) {
    this.args = args;
    this.rp2040js = loadEmulator();
    this.bootrom = fs.readFileSync(args.bootrom);
    this.image = fs.readFileSync(args.image);
    this.flash = args.flash_in ? fs.readFileSync(args.flash_in) : null;
    this.rosc = args.rosc;
    this.uarts = [new UartBridge(() => this.wake()), new UartBridge(() => this.wake())];
    this.boots = 0;
    this.timer = null;
    this.stopped = false;
    this.idleSince = null;
    this.idleNanos = 0;
    this.totalIdleNanos = 0;
    this.profile = args.profile ? new Map() : null;
    this.profiling = false;
    this.boot();
  }

  boot() {
    const keep = this.board ? Buffer.from(this.board.mcu.flash) : this.flash;
    this.board = makeBoard({
      rp2040js: this.rp2040js, bootrom: this.bootrom, image: this.image, imageName: this.args.image,
      flash: keep, rosc: this.rosc, onSerialData: (data) => process.stdout.write(data),
      onCounterWrite: (value) => {
        this.profiling = this.profile !== null && value === 1;
      },
    });
    this.boots += 1;
    this.totalIdleNanos = 0;
    const { mcu } = this.board;
    mcu.watchdog = Object.values(mcu.peripherals).find((p) => p.name === 'WATCHDOG_BASE');
    mcu.watchdog.onWatchdogTrigger = () => {
      // Not from inside the instruction that triggered it: the next turn of the run loop.
      this.rebootReason = 'watchdog';
    };
    mcu.uart.forEach((uart, i) => this.uarts[i].attach(uart));
  }

  // Runs the board for a slice of cycles, then lets the host's I/O in.
  run() {
    this.timer = null;
    if (this.stopped) {
      return;
    }
    const { mcu, hooks } = this.board;
    const { core, clock } = mcu;
    const end = core.cycles + SLICE_CYCLES;
    while (core.cycles < end) {
      if (this.rebootReason) {
        const reason = this.rebootReason;
        this.rebootReason = null;
        // In the serial stream too, before the new board says anything: the host's events come
        // on another channel, which may be read after the new board's first output.
        process.stdout.write(REBOOT_MARK);
        this.boot();
        this.event({ event: 'reboot', reason });
        return this.later(0);
      }
      if (core.waiting) {
        const delay = this.idle(clock);
        if (delay !== 0) {
          return this.later(delay);
        }
        continue;
      }
      this.idleSince = null;
      const hook = core.PC < 0x4000 ? hooks.get(core.PC) : undefined;
      if (hook) {
        hook();
        core.PC = core.LR & ~1;
        continue;
      }
      if (this.profiling) {
        const pc = core.PC;
        const n = core.executeInstruction();
        this.profile.set(pc, (this.profile.get(pc) || 0) + n);
        clock.tick(n * NS_PER_CYCLE);
        continue;
      }
      clock.tick(core.executeInstruction() * NS_PER_CYCLE);
    }
    this.uarts.forEach((u) => u.flush());
    this.later(-1);
  }

  // The core waits for an interrupt: advances virtual time to the next alarm when that keeps the
  // idle stretch within real time (plus a grace); returns 0 to go on, else how long (ms) to sleep,
  // or null to sleep until the host has something for the board.
  idle(clock) {
    const now = process.hrtime.bigint();
    if (this.idleSince === null) {
      this.idleSince = now;
      this.idleNanos = 0;
    }
    this.uarts.forEach((u) => u.flush());
    if (!clock.nextAlarm) {
      return null;
    }
    const step = clock.nanosToNextAlarm;
    const allowed = Number(now - this.idleSince) + IDLE_GRACE_NS;
    if (this.idleNanos + step <= allowed) {
      clock.tick(step);
      this.idleNanos += step;
      this.totalIdleNanos += step;
      return 0;
    }
    return Math.max(1, Math.min(IDLE_MAX_SLEEP_MS, Math.ceil((this.idleNanos + step - allowed) / 1e6)));
  }

  // delay: -1 next turn of the event loop, null until woken, else milliseconds.
  later(delay) {
    if (this.stopped || this.timer) {
      return;
    }
    if (delay === null) {
      this.sleeping = true;
      return;
    }
    this.sleeping = delay > 0;
    this.timer = delay > 0 ? setTimeout(() => this.run(), delay) : setImmediate(() => this.run());
    this.timerKind = delay > 0 ? 'timeout' : 'immediate';
  }

  // The host has something for the board: stop sleeping.
  wake() {
    if (!this.sleeping || this.stopped) {
      return;
    }
    if (this.timer) {
      if (this.timerKind === 'timeout') {
        clearTimeout(this.timer);
      } else {
        clearImmediate(this.timer);
      }
      this.timer = null;
    }
    this.sleeping = false;
    this.timer = setImmediate(() => this.run());
    this.timerKind = 'immediate';
  }

  input(data) {
    this.board.send(data);
    this.wake();
  }

  event(obj) {
    if (this.ctl) {
      this.ctl.write(JSON.stringify(obj) + '\n');
    }
  }

  stats() {
    const { mcu, counters } = this.board;
    return {
      cycles: mcu.core.cycles, nanos: mcu.clock.nanos, idle_nanos: this.totalIdleNanos, boots: this.boots,
      flash_erases: counters.flashErases, flash_programs: counters.flashPrograms,
      uarts: this.uarts.map((u) => u.stats),
    };
  }

  command(req, reply) {
    switch (req.op) {
      case 'stats':
        return reply(this.stats());
      case 'uart': {
        let answered = false;
        return this.uarts[req.uart].connect(req.port, (err) => {
          if (!answered) {
            answered = true;
            reply(err ? { error: String(err) } : {});
          }
        });
      }
      case 'uart_close':
        this.uarts[req.uart].close();
        return reply({});
      case 'rosc':
        this.rosc = req.mode;
        this.board.mcu.peripherals[0x40060] = makeRosc(this.rp2040js, this.board.mcu, req.mode);
        return reply({});
      case 'reboot':
        this.rebootReason = 'host';
        this.wake();
        return reply({});
      case 'quit':
        this.quit();
        return reply({});
      default:
        return reply({ error: `unknown op ${req.op}` });
    }
  }

  listen(fd) {
    this.ctl = new net.Socket({ fd, readable: true, writable: true });
    let buf = '';
    this.ctl.on('data', (chunk) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let req;
        try {
          req = JSON.parse(line);
        } catch (e) {
          this.event({ error: `bad request ${line}` });
          continue;
        }
        this.command(req, (r) => this.ctl.write(JSON.stringify({ id: req.id, ...r }) + '\n'));
        this.wake();
      }
    });
    this.ctl.on('end', () => this.quit());
    this.ctl.on('error', () => this.quit());
  }

  quit() {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    if (this.args.flash_out) {
      fs.writeFileSync(this.args.flash_out, this.board.mcu.flash);
    }
    if (this.profile) {
      fs.writeFileSync(this.args.profile, JSON.stringify([...this.profile]));
    }
    this.uarts.forEach((u) => u.close());
    setImmediate(() => process.exit(0));
  }
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const h = new Harness(args);
  if (args.ctl_fd) {
    h.listen(Number(args.ctl_fd));
  }
  process.stdin.on('data', (data) => h.input(data));
  process.stdin.on('end', () => h.quit());
  h.later(0);
}

main();
