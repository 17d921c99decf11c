// PC -> file:line from .gopclntab (kept in stripped binaries too: the runtime's
// tracebacks need it), so a finding can name the user's line, not only the function.
// Layout learnt from Go's runtime/symtab.go and debug/gosym/pclntab.go (not copied),
// Go 1.18+ tables (magic 0xfffffff0 / 0xfffffff1):
//
//   header words: nfunc nfiles textStart funcnameOff cuOff filetabOff pctabOff pclnOff
//   at pclnOff: nfunc+1 (entryOff u32, funcOff u32) pairs, entries relative to .text
//   _func at pclnOff+funcOff: entryOff u32 | nameOff i32 | args i32 | deferreturn u32 |
//                             pcsp u32 | pcfile u32 | pcln u32 | npcdata u32 | cuOffset u32 ...
//   a pc-value table at pctabOff+off: pairs (value delta: zig-zag varint, pc delta:
//   uvarint x quantum), starting at value -1 and the function's entry; a zero value
//   delta after the first pair ends it. pcfile's value indexes cutab[cuOffset + n]
//   (u32 at cuOff), an offset into filetab (NUL-terminated paths).
//
// The line is the innermost one at that PC: inside a function inlined into the frame's
// function it is the inlined body's line (the inline tree is not read).

import type { Elf } from "./elf.js";

export interface SourceLine {
  file: string;
  line: number;
}

export type LineLookup = (pc: bigint) => SourceLine | undefined;

const NONE: LineLookup = () => undefined;

/** A PC -> file:line lookup for the binary, or one that knows nothing (older or odd tables). */
export function pcLineLookup(elf: Elf): LineLookup {
  const data = elf.sectionData(".gopclntab");
  const text = elf.section(".text");
  if (!data || !text || data.length < 8 + 8 * 8) return NONE;
  const magic = data.readUInt32LE(0);
  if ((magic !== 0xfffffff0 && magic !== 0xfffffff1) || data[7] !== 8) return NONE;
  const quantum = BigInt(data[6]!);
  const word = (i: number): number => Number(data.readBigUInt64LE(8 + i * 8));
  const nfunc = word(0);
  const [cuOff, filetabOff, pctabOff, pclnOff] = [word(4), word(5), word(6), word(7)];
  if (pclnOff + (nfunc + 1) * 8 > data.length) return NONE;
  const entry = (i: number): bigint => text.addr + BigInt(data.readUInt32LE(pclnOff + i * 8));

  /** The value of pc-value table `off` at `pc` (function entry `start`), or undefined. */
  const pcValue = (off: number, start: bigint, pc: bigint): number | undefined => {
    let p = pctabOff + off;
    let val = -1;
    let at = start;
    let first = true;
    const uvarint = (): number | undefined => {
      let v = 0;
      let shift = 0;
      for (;;) {
        if (p >= data.length || shift > 35) return undefined;
        const b = data[p++]!;
        v += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) return v;
        shift += 7;
      }
    };
    for (;;) {
      const uv = uvarint();
      if (uv === undefined || (uv === 0 && !first)) return undefined;
      first = false;
      val += uv % 2 === 1 ? -((uv - 1) / 2) - 1 : uv / 2;
      const d = uvarint();
      if (d === undefined) return undefined;
      at += BigInt(d) * quantum;
      if (pc < at) return val;
    }
  };

  return (pc) => {
    // The function holding pc: binary search of the entries.
    let lo = 0;
    let hi = nfunc - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (entry(mid) <= pc) lo = mid;
      else hi = mid - 1;
    }
    if (nfunc === 0 || pc < entry(lo) || pc >= entry(lo + 1)) return undefined;
    const f = pclnOff + data.readUInt32LE(pclnOff + lo * 8 + 4);
    if (f + 36 > data.length) return undefined;
    const pcfile = data.readUInt32LE(f + 20);
    const pcln = data.readUInt32LE(f + 24);
    const cuOffset = data.readUInt32LE(f + 32);
    const start = entry(lo);
    const line = pcValue(pcln, start, pc);
    const fileNo = pcValue(pcfile, start, pc);
    if (line === undefined || fileNo === undefined || fileNo < 0 || line <= 0) return undefined;
    const cu = cuOff + (cuOffset + fileNo) * 4;
    if (cu + 4 > data.length) return undefined;
    const name = filetabOff + data.readUInt32LE(cu);
    if (name >= data.length) return undefined;
    const end = data.indexOf(0, name);
    return { file: data.toString("utf8", name, end < 0 ? data.length : end), line };
  };
}
