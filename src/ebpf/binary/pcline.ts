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
// The table gives the innermost position at a PC: inside a function inlined into the
// frame's function (syscall.Read in a user function) it is the inlined body's file and
// line. The frame is the outer function, so its line is the call site of the inlined
// code: the inline tree (FUNCDATA_InlTree, offsets from go:func.* / go.func.*) gives
// each inlined call's parentPc, an instruction of the caller at the call site; the
// PCDATA_InlTreeIndex table says which inlined call a PC is in (-1: none). We follow
// parentPc out to the frame's own function and read pcfile/pcln there. When the inline
// tree cannot be read (stripped: no go:func.* symbol to relate its offsets to), a PC whose
// file is not the file of the function's entry gets no line (undefined): a user function
// is never given a line in the standard library.
//   _func after cuOffset: (1.20+: startLine i32) funcID u8, flag u8, pad, nfuncdata u8,
//   then npcdata u32 pcdata offsets, then nfuncdata u32 funcdata offsets (~0: none).
//   inlinedCall: 1.20+ 16 bytes, parentPc at +8; 1.18-1.19 20 bytes, parentPc at +16.

import type { Elf } from "./elf.js";

export interface SourceLine {
  file: string;
  line: number;
}

export type LineLookup = (pc: bigint) => SourceLine | undefined;

const NONE: LineLookup = () => undefined;

const PCDATA_INL_TREE_INDEX = 2;
const FUNCDATA_INL_TREE = 3;
/** Inlining depth followed at most (a corrupt tree must not loop). */
const MAX_INLINE_DEPTH = 64;

/**
 * A PC -> file:line lookup for the binary, or one that knows nothing (older or odd
 * tables). `gofunc`: the address of go:func.* (go.func.* before 1.20), from .symtab.
 */
export function pcLineLookup(elf: Elf, gofunc?: bigint): LineLookup {
  const data = elf.sectionData(".gopclntab");
  const text = elf.section(".text");
  if (!data || !text || data.length < 8 + 8 * 8) return NONE;
  const magic = data.readUInt32LE(0);
  if ((magic !== 0xfffffff0 && magic !== 0xfffffff1) || data[7] !== 8) return NONE;
  const go120 = magic === 0xfffffff1;
  const inlSize = go120 ? 16 : 20;
  const parentPcAt = go120 ? 8 : 16;
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
    const npcdata = data.readUInt32LE(f + 28);
    const cuOffset = data.readUInt32LE(f + 32);
    const nfuncdata = data[f + (go120 ? 43 : 39)]!;
    const arrays = f + (go120 ? 44 : 40);
    const start = entry(lo);
    // Out of inlined bodies to the call site in the frame's own function.
    let tree: bigint | undefined;
    if (gofunc !== undefined && npcdata > PCDATA_INL_TREE_INDEX && nfuncdata > FUNCDATA_INL_TREE && arrays + (npcdata + nfuncdata) * 4 <= data.length) {
      const off = data.readUInt32LE(arrays + npcdata * 4 + FUNCDATA_INL_TREE * 4);
      if (off !== 0xffffffff) tree = gofunc + BigInt(off);
    }
    const inlTab = tree !== undefined ? data.readUInt32LE(arrays + PCDATA_INL_TREE_INDEX * 4) : 0;
    let at = pc;
    if (tree !== undefined && inlTab !== 0) {
      for (let depth = 0; depth < MAX_INLINE_DEPTH; depth++) {
        const ix = pcValue(inlTab, start, at);
        if (ix === undefined || ix < 0) break;
        const rec = elf.bytesAt(tree + BigInt(ix * inlSize), inlSize);
        if (!rec) return undefined;
        at = start + BigInt(rec.readInt32LE(parentPcAt));
        if (depth === MAX_INLINE_DEPTH - 1) return undefined;
      }
    }
    const line = pcValue(pcln, start, at);
    const fileNo = pcValue(pcfile, start, at);
    if (line === undefined || fileNo === undefined || fileNo < 0 || line <= 0) return undefined;
    // Without the inline tree, a PC in a body inlined from another file is not the frame's line.
    if (tree === undefined && fileNo !== pcValue(pcfile, start, start)) return undefined;
    const cu = cuOff + (cuOffset + fileNo) * 4;
    if (cu + 4 > data.length) return undefined;
    const name = filetabOff + data.readUInt32LE(cu);
    if (name >= data.length) return undefined;
    const end = data.indexOf(0, name);
    return { file: data.toString("utf8", name, end < 0 ? data.length : end), line };
  };
}
