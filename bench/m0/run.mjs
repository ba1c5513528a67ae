// Runs the bench program (an ELF linked for SRAM, link.x) on rp2040js's Cortex-M0+ core and prints
// the cycles between its marks: `node run.mjs <elf>`. The program talks through bkpt: #1 prints the
// string at r0 (length r1), #2 marks a point named by r0/r1, #0x7f ends, #0x7e is a panic.
// rp2040js comes from RP2040JS (the directory holding node_modules), default build/rp2040js.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const elfPath = process.argv[2];
const jsDir = process.env.RP2040JS || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../build/rp2040js');
const { RP2040 } = await import(path.join(jsDir, 'node_modules/rp2040js/dist/esm/index.js'));

// Loads the ELF's PT_LOAD segments (32-bit little-endian ARM) into SRAM.
const elf = readFileSync(elfPath);
const phoff = elf.readUInt32LE(28), phentsize = elf.readUInt16LE(42), phnum = elf.readUInt16LE(44);
const entry = elf.readUInt32LE(24);
const mcu = new RP2040();
for (let i = 0; i < phnum; i++) {
  const o = phoff + i * phentsize;
  if (elf.readUInt32LE(o) !== 1) continue;
  const offset = elf.readUInt32LE(o + 4), paddr = elf.readUInt32LE(o + 12), filesz = elf.readUInt32LE(o + 16);
  if (paddr < 0x20000000) throw new Error(`segment at ${paddr.toString(16)} is not in SRAM`);
  mcu.sram.set(elf.subarray(offset, offset + filesz), paddr - 0x20000000);
}
const core = mcu.core;
core.PC = entry & ~1;
core.SP = 0x20041000;
// The groups to run (argv[3], comma-separated; all when absent), above the stack.
const filter = Buffer.from(process.argv[3] || '');
mcu.sram.set(filter, 0x41000);
core.registers[0] = 0x20041000;
core.registers[1] = filter.length;
const text = (addr, len) => Buffer.from(mcu.sram.subarray(addr - 0x20000000, addr - 0x20000000 + len)).toString();
let done = false, failed = false, last = 0, inRegion = false;
const results = new Map();
mcu.onBreak = (code) => {
  const r = core.registers;
  if (code === 1) {
    const s = text(r[0], r[1]);
    if (s.startsWith('FAIL')) failed = true;
    console.log(s);
  } else if (code === 2) {
    const label = text(r[0], r[1]);
    inRegion = label === '-';
    if (inRegion && regions) regions.push(new Map());
    if (label !== '-') {
      if (!results.has(label)) results.set(label, []);
      results.get(label).push(core.cycles - last);
    }
    last = core.cycles;
  } else {
    done = true;
    if (code === 0x7e) failed = true;
  }
};
const limit = 4e9;
// PROFILE=FILE: cycles by function (symbols from arm-none-eabi-nm on the ELF).
const profile = process.env.PROFILE ? new Map() : null;
const regions = process.env.PROFILE_REGIONS ? [] : null;
if (profile) {
  while (!done && core.cycles < limit) {
    const pc = core.PC;
    const before = core.cycles;
    core.executeInstruction();
    // Only inside the measured regions (between a '-' mark and the next).
    if (inRegion) profile.set(pc, (profile.get(pc) || 0) + core.cycles - before);
    // PROFILE_REGIONS=FILE: every region's per-instruction counts, for diffing two secrets.
    if (inRegion && regions) {
      const m = regions[regions.length - 1];
      m.set(pc, (m.get(pc) || 0) + core.cycles - before);
    }
  }
  const { execFileSync } = await import('node:child_process');
  const syms = execFileSync('arm-none-eabi-nm', ['-C', '-n', elfPath], { maxBuffer: 1 << 26 }).toString().split('\n')
    .map((l) => l.match(/^([0-9a-f]+) [tTwW] (.*)$/)).filter(Boolean).map((m) => [parseInt(m[1], 16) & ~1, m[2]]);
  const byName = new Map();
  let total = 0;
  for (const [pc, n] of profile) {
    let lo = 0, hi = syms.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (syms[mid][0] <= pc) lo = mid; else hi = mid - 1; }
    byName.set(syms[lo][1], (byName.get(syms[lo][1]) || 0) + n);
    total += n;
  }
  const rows = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 40)
    .map(([name, n]) => `${(100 * n / total).toFixed(1).padStart(5)}% ${String(n).padStart(11)}  ${name}`);
  (await import('node:fs')).writeFileSync(process.env.PROFILE, `${total} cycles\n${rows.join('\n')}\n`);
  if (regions) {
    (await import('node:fs')).writeFileSync(process.env.PROFILE_REGIONS,
      JSON.stringify(regions.map((m) => Object.fromEntries([...m].map(([pc, n]) => [pc.toString(16), n])))));
  }
}
while (!done && core.cycles < limit) core.executeInstruction();
if (!done) { console.log(`no end after ${limit} cycles (pc ${core.PC.toString(16)})`); failed = true; }
const json = {};
for (const [label, counts] of results) {
  const same = counts.every((c) => c === counts[0]);
  console.log(`${label.padEnd(22)} ${counts.map((c) => String(c).padStart(10)).join(' ')}${same ? '' : '   (differ)'}`);
  json[label] = counts;
}
if (process.env.BENCH_JSON) (await import('node:fs')).writeFileSync(process.env.BENCH_JSON, JSON.stringify(json, null, 1));
process.exit(failed ? 1 : 0);
