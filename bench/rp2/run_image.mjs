// Runs a MicroPython script inside an RPI_PICO_W image in rp2040js and prints what the script
// printed: `node run_image.mjs IMAGE.uf2 SCRIPT.py [TIMEOUT_MCYCLES]`. A stand-in until the
// emulator harness of issue 24 lands (that one replaces this file): all the tests need from it is
// "run this script in the image, give back its output", with the cycle counter below.
//
// The cycle counter: a read of the word at 0x40070000 (an unused peripheral slot) returns the
// emulator's cycle count (low 32 bits), exact and the same on every run, so a script measures
// itself with `machine.mem32[0x40070000]` before and after.
//
// Also: the bootrom from ../shared/vendor (BOOTROM, default ../../../shared/vendor/rp2040-bootrom-b1.bin),
// rp2040js 1.4.1 from RP2040JS (default build/rp2040js, `npm install rp2040js@1.4.1` there); USB
// reads from the host are held until there is input (the stock helper answers each poll with an
// empty packet, which interrupts the program all the time), and the script goes in through the
// raw REPL. Exit status 0 when the script ran without an exception, 1 otherwise, 2 on a timeout.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const [imagePath, scriptPath, limitArg] = process.argv.slice(2);
const jsDir = process.env.RP2040JS || path.resolve(here, '../../build/rp2040js');
const bootromPath = process.env.BOOTROM || path.resolve(here, '../../../shared/vendor/rp2040-bootrom-b1.bin');
const { RP2040, USBCDC, ConsoleLogger, LogLevel } = await import(path.join(jsDir, 'node_modules/rp2040js/dist/esm/index.js'));

const CYCLE_COUNTER = 0x40070000;
const limit = Number(limitArg || 20000) * 1e6;

const mcu = new RP2040();
mcu.logger = new ConsoleLogger(LogLevel.Error);
const rom = readFileSync(bootromPath);
mcu.loadBootrom(new Uint32Array(rom.buffer, rom.byteOffset, rom.length / 4));

// UF2: 512-byte blocks, each 256 bytes of payload for a flash address.
const image = readFileSync(imagePath);
if (imagePath.endsWith('.uf2')) {
  for (let off = 0; off + 512 <= image.length; off += 512) {
    const addr = image.readUInt32LE(off + 12), size = image.readUInt32LE(off + 16);
    mcu.flash.set(image.subarray(off + 32, off + 32 + size), addr - 0x10000000);
  }
} else {
  mcu.flash.set(image, 0);
}
// PROFILE_READS=A,B: profile only between the A-th and B-th reads of the counter (1-based).
const [profileFrom, profileTo] = (process.env.PROFILE_READS || '0,0').split(',').map(Number);
let counterReads = 0;
let profiling = !process.env.PROFILE_READS;
mcu.peripherals[CYCLE_COUNTER >>> 12] = {
  readUint32: () => {
    counterReads++;
    if (counterReads === profileFrom) profiling = true;
    if (counterReads === profileTo) profiling = false;
    return mcu.core.cycles >>> 0;
  },
  writeUint32: () => {},
  writeUint32Atomic: () => {},
};
mcu.core.PC = 0x10000000;

// USB CDC with reads held until there is input.
const cdc = new USBCDC(mcu.usbCtrl);
const cdcRead = mcu.usbCtrl.onEndpointRead;
let pendingRead = null;
const input = [];
mcu.usbCtrl.onEndpointRead = (endpoint, size) => {
  if (cdc.txFIFO.empty && input.length === 0) {
    pendingRead = [endpoint, size];
    return;
  }
  while (!cdc.txFIFO.full && input.length) cdc.sendSerialByte(input.shift());
  cdcRead(endpoint, size);
};
function send(text) {
  for (const b of Buffer.from(text)) input.push(b);
  if (pendingRead) {
    const [endpoint, size] = pendingRead;
    pendingRead = null;
    mcu.usbCtrl.onEndpointRead(endpoint, size);
  }
}

let output = '';
let state = 'boot';
let result = null;
cdc.onDeviceConnected = () => send('\r\x03\x03');
cdc.onSerialData = (buffer) => {
  output += Buffer.from(buffer).toString('latin1');
  if (state === 'boot' && output.includes('>>> ')) {
    state = 'raw';
    output = '';
    send('\x01');
  } else if (state === 'raw' && output.includes('raw REPL; CTRL-B to exit\r\n>')) {
    state = 'run';
    output = '';
    send(readFileSync(scriptPath, 'latin1') + '\x04');
  } else if (state === 'run') {
    // "OK", stdout, \x04, the exception if any, \x04, ">".
    const m = output.match(/^OK([\s\S]*?)\x04([\s\S]*?)\x04>$/);
    if (m) result = { stdout: m[1], stderr: m[2] };
  }
};

// Runs until the script is done: WFI advances the clock to the next alarm, as rp2040js's own
// Simulator does.
// PROFILE=FILE: where the cycles went, by function (the image's ELF beside it, symbols from
// arm-none-eabi-nm), written to FILE at the end.
const profile = process.env.PROFILE ? new Map() : null;
const cycleNanos = 1e9 / 125e6;
const clock = mcu.clock;
let lastYield = Date.now();
while (!result && mcu.core.cycles < limit) {
  if (mcu.core.waiting) {
    const { nanosToNextAlarm } = clock;
    clock.tick(nanosToNextAlarm);
  } else if (profile) {
    const pc = mcu.core.PC;
    const n = mcu.core.executeInstruction();
    if (profiling) profile.set(pc, (profile.get(pc) || 0) + n);
    clock.tick(n * cycleNanos);
  } else {
    clock.tick(mcu.core.executeInstruction() * cycleNanos);
  }
  if (Date.now() - lastYield > 200) {
    await new Promise((r) => setImmediate(r));
    lastYield = Date.now();
  }
}
if (profile) {
  const { execFileSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const elf = imagePath.replace(/\.(uf2|bin)$/, '.elf');
  const syms = execFileSync('arm-none-eabi-nm', ['-C', '-n', '-S', elf], { maxBuffer: 1 << 28 }).toString()
    .split('\n').map((l) => l.match(/^([0-9a-f]+) ([0-9a-f]+ )?[tTwW] (.*)$/)).filter(Boolean)
    .map((m) => [parseInt(m[1], 16), m[3]]);
  const byName = new Map();
  let total = 0;
  for (const [pc, n] of profile) {
    let lo = 0, hi = syms.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (syms[mid][0] <= (pc | 1) || syms[mid][0] <= pc) lo = mid; else hi = mid - 1; }
    const name = syms[lo] ? syms[lo][1] : '?';
    byName.set(name, (byName.get(name) || 0) + n);
    total += n;
  }
  const rows = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 60)
    .map(([name, n]) => `${(100 * n / total).toFixed(1).padStart(5)}% ${String(n).padStart(11)}  ${name}`);
  writeFileSync(process.env.PROFILE, `${total} cycles\n${rows.join('\n')}\n`);
}
if (!result) {
  process.stdout.write(output);
  console.error(`\nno result after ${Math.round(mcu.core.cycles / 1e6)} M cycles (state ${state})`);
  process.exit(2);
}
process.stdout.write(result.stdout);
if (result.stderr) process.stderr.write(result.stderr);
process.exit(result.stderr ? 1 : 0);
