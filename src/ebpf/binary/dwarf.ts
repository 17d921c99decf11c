// Struct member offsets from DWARF .debug_info (versions 2-5, 32-bit DWARF):
// just enough of the format (DWARF 5 spec, sections 7.5) to find named
// structure types and their members' DW_AT_data_member_location. Go writes
// names inline (DW_FORM_string), so .debug_str is consulted only if present.
// Hand-written: no DWARF reader on npm reads Go's compressed sections, and we
// need a few dozen DIEs out of a hundred thousand.

import { InputError } from "../../core/input/index.js";
import type { Elf } from "./elf.js";

const TAG_STRUCT = 0x13;
const TAG_MEMBER = 0x0d;
const AT_NAME = 0x03;
const AT_MEMBER_LOCATION = 0x38;
const FORM_IMPLICIT_CONST = 0x21;

interface Abbrev {
  tag: number;
  children: boolean;
  attrs: { at: number; form: number; implicit?: number }[];
}

class Cursor {
  constructor(
    readonly b: Buffer,
    public o: number,
    readonly fail: (what: string, at: number) => never,
  ) {}
  need(n: number): void {
    if (this.o + n > this.b.length) this.fail("runs past the section", this.o);
  }
  u8(): number {
    this.need(1);
    return this.b[this.o++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16LE(this.o);
    this.o += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.b.readUInt32LE(this.o);
    this.o += 4;
    return v;
  }
  uleb(): number {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const c = this.u8();
      if (shift < 53) v += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) return v;
    }
  }
  sleb(): number {
    let v = 0;
    let shift = 0;
    let c: number;
    do {
      c = this.u8();
      if (shift < 53) v += (c & 0x7f) * 2 ** shift;
      shift += 7;
    } while (c >= 0x80);
    return c & 0x40 && shift < 53 ? v - 2 ** shift : v;
  }
  cstr(): string {
    const end = this.b.indexOf(0, this.o);
    if (end < 0) this.fail("unterminated string", this.o);
    const s = this.b.toString("utf8", this.o, end);
    this.o = end + 1;
    return s;
  }
}

function readAbbrevs(c: Cursor): Map<number, Abbrev> {
  const m = new Map<number, Abbrev>();
  for (;;) {
    const code = c.uleb();
    if (code === 0) return m;
    const tag = c.uleb();
    const children = c.u8() === 1;
    const attrs: Abbrev["attrs"] = [];
    for (;;) {
      const at = c.uleb();
      const form = c.uleb();
      if (at === 0 && form === 0) break;
      attrs.push(form === FORM_IMPLICIT_CONST ? { at, form, implicit: c.sleb() } : { at, form });
    }
    m.set(code, { tag, children, attrs });
  }
}

/** Reads one attribute value: numbers for constants, strings for names, undefined for the rest (skipped). */
function readForm(c: Cursor, form: number, addrSize: number, strs: Buffer | undefined, version: number): number | string | undefined {
  const skip = (n: number) => {
    c.need(n);
    c.o += n;
    return undefined;
  };
  switch (form) {
    case 0x01: return skip(addrSize); // addr
    case 0x03: return skip(c.u16()); // block2
    case 0x04: return skip(c.u32()); // block4
    case 0x05: return c.u16(); // data2
    case 0x06: return c.u32(); // data4
    case 0x07: { c.need(8); const v = Number(c.b.readBigUInt64LE(c.o)); c.o += 8; return v; } // data8
    case 0x08: return c.cstr(); // string
    case 0x09: case 0x18: return skip(c.uleb()); // block, exprloc
    case 0x0a: return skip(c.u8()); // block1
    case 0x0b: return c.u8(); // data1
    case 0x0c: case 0x11: case 0x25: case 0x29: return skip(1); // flag, ref1, strx1, addrx1
    case 0x0d: return c.sleb(); // sdata
    case 0x0e: case 0x1f: { // strp, line_strp
      const off = c.u32();
      if (form === 0x0e && strs && off < strs.length) {
        const end = strs.indexOf(0, off);
        return strs.toString("utf8", off, end < 0 ? strs.length : end);
      }
      return undefined;
    }
    case 0x0f: return c.uleb(); // udata
    case 0x10: return skip(version <= 2 ? addrSize : 4); // ref_addr
    case 0x12: case 0x26: case 0x2a: return skip(2); // ref2, strx2, addrx2
    case 0x27: case 0x2b: return skip(3); // strx3, addrx3
    case 0x13: case 0x17: case 0x1c: case 0x1d: case 0x28: case 0x2c: return skip(4); // ref4, sec_offset, ref_sup4, strp_sup, strx4, addrx4
    case 0x14: case 0x20: case 0x24: return skip(8); // ref8, ref_sig8, ref_sup8
    case 0x15: case 0x1a: case 0x1b: case 0x22: case 0x23: c.uleb(); return undefined; // ref_udata, strx, addrx, loclistx, rnglistx
    case 0x16: return readForm(c, c.uleb(), addrSize, strs, version); // indirect
    case 0x19: return undefined; // flag_present
    case 0x1e: return skip(16); // data16
    default: return c.fail(`unknown attribute form 0x${form.toString(16)}`, c.o);
  }
}

/**
 * Member offsets of the named struct types, e.g. {"runtime.g": {"goid": 152, ...}}.
 * Returns undefined when the binary has no DWARF (stripped). The first
 * definition of each wanted type wins (Go emits each type once).
 */
export function structOffsets(elf: Elf, wanted: readonly string[]): Map<string, Map<string, number>> | undefined {
  const info = elf.sectionData(".debug_info");
  const abbrevSec = elf.sectionData(".debug_abbrev");
  if (!info || !abbrevSec) return undefined;
  const strs = elf.sectionData(".debug_str");
  const fail = (sec: string) => (what: string, at: number): never => {
    throw new InputError(elf.file, `${sec}: ${what} (offset in the decompressed section)`, at);
  };
  const out = new Map<string, Map<string, number>>();
  const want = new Set(wanted);
  const abbrevCache = new Map<number, Map<number, Abbrev>>();
  let unit = 0;
  while (unit + 11 <= info.length && out.size < want.size) {
    const c = new Cursor(info, unit, fail(".debug_info"));
    const len = c.u32();
    if (len >= 0xfffffff0) c.fail("64-bit DWARF is not supported", unit);
    const end = unit + 4 + len;
    if (end > info.length) c.fail("unit runs past the section", unit);
    const version = c.u16();
    let abbrevOff: number;
    let addrSize: number;
    if (version >= 5) {
      c.u8(); // unit_type
      addrSize = c.u8();
      abbrevOff = c.u32();
    } else {
      abbrevOff = c.u32();
      addrSize = c.u8();
    }
    let abbrevs = abbrevCache.get(abbrevOff);
    if (!abbrevs) {
      abbrevs = readAbbrevs(new Cursor(abbrevSec, abbrevOff, fail(".debug_abbrev")));
      abbrevCache.set(abbrevOff, abbrevs);
    }
    let depth = 0;
    /** depth of the wanted struct we are inside of, and its member map */
    let inStruct: { depth: number; members: Map<string, number> } | undefined;
    while (c.o < end) {
      const code = c.uleb();
      if (code === 0) {
        depth--;
        if (inStruct && depth <= inStruct.depth) inStruct = undefined;
        if (depth <= 0) break;
        continue;
      }
      const ab = abbrevs.get(code);
      if (!ab) c.fail(`unknown abbreviation code ${code}`, c.o);
      let name: string | undefined;
      let loc: number | undefined;
      for (const a of ab!.attrs) {
        const v = a.form === FORM_IMPLICIT_CONST ? a.implicit : readForm(c, a.form, addrSize, strs, version);
        if (a.at === AT_NAME && typeof v === "string") name = v;
        else if (a.at === AT_MEMBER_LOCATION && typeof v === "number") loc = v;
      }
      if (inStruct && depth === inStruct.depth + 1 && ab!.tag === TAG_MEMBER && name !== undefined && loc !== undefined) {
        inStruct.members.set(name, loc);
      }
      if (ab!.tag === TAG_STRUCT && name !== undefined && want.has(name) && !out.has(name) && ab!.children) {
        const members = new Map<string, number>();
        out.set(name, members);
        inStruct = { depth, members };
      }
      if (ab!.children) depth++;
    }
    unit = end;
  }
  return out;
}
