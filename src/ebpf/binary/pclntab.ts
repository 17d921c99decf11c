// Function names and bounds from .gopclntab, which the linker keeps in stripped
// binaries (-ldflags=-s drops .symtab and DWARF, not this: the runtime needs it
// for tracebacks). Layouts learnt from Go's runtime/symtab.go and
// debug/gosym/pclntab.go (not copied):
//
//   magic (u32) | 0 0 | quantum (u8) | ptrSize (u8) | header words (ptrSize each)
//   0xfffffffa  Go 1.16-1.17: nfunc nfiles funcnameOff cuOff filetabOff pctabOff pclnOff
//   0xfffffff0  Go 1.18-1.19: nfunc nfiles (textStart) funcnameOff cuOff filetabOff pctabOff pclnOff
//   0xfffffff1  Go 1.20+:     same words as 1.18 (the change is elsewhere in the table)
//
// At pclnOff: nfunc+1 (entry, funcOff) pairs, u32 each since 1.18 (entry relative to
// textStart), ptrSize each before; the last entry is the end of the text. At
// pclnOff+funcOff the _func starts with its entry and a 32-bit name offset into
// the function name table.

import { InputError } from "../../core/input/index.js";
import type { Elf } from "./elf.js";

export interface GoFunc {
  name: string;
  /** virtual addresses, [entry, end) */
  entry: bigint;
  end: bigint;
}

const MAGIC_116 = 0xfffffffa;
const MAGIC_118 = 0xfffffff0;
const MAGIC_120 = 0xfffffff1;
/** More functions than any real binary has: a corrupt count must not allocate without bound. */
const MAX_FUNCS = 4_000_000;

export function pclntabVersion(magic: number): string | undefined {
  if (magic === MAGIC_116) return "1.16";
  if (magic === MAGIC_118) return "1.18";
  if (magic === MAGIC_120) return "1.20";
  return undefined;
}

export function readPclntab(elf: Elf): GoFunc[] {
  const sec = elf.section(".gopclntab");
  const data = elf.sectionData(".gopclntab");
  if (!sec || !data) throw new InputError(elf.file, "no .gopclntab section: not a Go binary, or not one this reader knows");
  const fail = (what: string, at: number): never => {
    throw new InputError(elf.file, `.gopclntab: ${what}`, sec.offset + at);
  };
  if (data.length < 16) fail("too short", 0);
  const magic = data.readUInt32LE(0);
  const version = pclntabVersion(magic);
  if (!version) fail(`magic 0x${magic.toString(16)} is not Go 1.16+ (older Go is not supported)`, 0);
  const ptr = data[7]!;
  if (ptr !== 8) fail(`pointer size ${ptr}: only 64-bit binaries`, 7);
  const word = (i: number): number => {
    const o = 8 + i * ptr;
    if (o + 8 > data.length) fail("header runs past the section", o);
    return Number(data.readBigUInt64LE(o));
  };
  const nfunc = word(0);
  if (nfunc > MAX_FUNCS) fail(`function count ${nfunc} is not plausible`, 8);
  const new118 = version !== "1.16";
  // The header's textStart word may be unrelocated (0 in Go 1.26): like debug/gosym,
  // take the start of .text (runtime.text; equal unless cgo puts C code first).
  const text = elf.section(".text");
  if (new118 && !text) fail("no .text section to relate function entries to", 0);
  const textStart = new118 ? text!.addr : 0n;
  const funcnameOff = word(new118 ? 3 : 2);
  const pclnOff = word(new118 ? 7 : 6);
  const pairSize = new118 ? 8 : 16;
  if (pclnOff + (nfunc + 1) * pairSize > data.length) fail("function table runs past the section", 8);
  const entryAt = (i: number): bigint => {
    const o = pclnOff + i * pairSize;
    return new118 ? textStart + BigInt(data.readUInt32LE(o)) : data.readBigUInt64LE(o);
  };
  const funcOffAt = (i: number): number => {
    const o = pclnOff + i * pairSize + pairSize / 2;
    return new118 ? data.readUInt32LE(o) : Number(data.readBigUInt64LE(o));
  };
  const out: GoFunc[] = [];
  for (let i = 0; i < nfunc; i++) {
    const f = pclnOff + funcOffAt(i);
    const nameAt = f + (new118 ? 4 : 8);
    if (nameAt + 4 > data.length) fail(`function ${i} record outside the section`, f);
    const nameOff = funcnameOff + data.readInt32LE(nameAt);
    if (nameOff < 0 || nameOff >= data.length) fail(`function ${i} name outside the section`, nameAt);
    const end = data.indexOf(0, nameOff);
    out.push({ name: data.toString("utf8", nameOff, end < 0 ? data.length : end), entry: entryAt(i), end: entryAt(i + 1) });
  }
  return out;
}
