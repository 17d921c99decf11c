// A 64-bit little-endian ELF executable held in memory: sections (decompressed
// on demand: SHF_COMPRESSED and the older .zdebug_* form), PT_LOAD segments for
// address <-> file offset, and .symtab. Only what probe placement needs
// (ELF-64 spec; Go's debug/elf was read to learn the layout, not copied).
// Every malformed field throws InputError naming the file and byte offset.

import { readFileSync, statSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { InputError } from "../../core/input/index.js";

/** Largest executable we read: Go binaries are 2-200 MB. */
export const MAX_BINARY_BYTES = 1 << 30;
/** Largest decompressed debug section (Go's .debug_info is a few MB). */
const MAX_SECTION_BYTES = 256 << 20;
const SHF_COMPRESSED = 0x800;
const SHT_SYMTAB = 2;
const PT_LOAD = 1;
const STT_FUNC = 2;

export interface Section {
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  offset: number;
  size: number;
}

export interface Segment {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
  memsz: number;
}

export interface ElfSymbol {
  name: string;
  /** virtual address */
  addr: bigint;
  size: number;
  isFunc: boolean;
}

export class Elf {
  readonly sections: Section[] = [];
  readonly segments: Segment[] = [];
  private readonly cache = new Map<string, Buffer>();

  constructor(
    readonly file: string,
    readonly data: Buffer,
  ) {
    const fail = (what: string, at: number): never => {
      throw new InputError(file, what, at);
    };
    if (data.length < 64 || data.readUInt32BE(0) !== 0x7f454c46) fail("not an ELF executable", 0);
    if (data[4] !== 2 || data[5] !== 1) fail("only 64-bit little-endian ELF (amd64) is supported", 4);
    const machine = data.readUInt16LE(0x12);
    if (machine !== 62) fail(`ELF machine ${machine} is not x86-64: the probes need amd64`, 0x12);
    const phoff = Number(data.readBigUInt64LE(0x20));
    const shoff = Number(data.readBigUInt64LE(0x28));
    const phentsize = data.readUInt16LE(0x36);
    const phnum = data.readUInt16LE(0x38);
    const shentsize = data.readUInt16LE(0x3a);
    const shnum = data.readUInt16LE(0x3c);
    const shstrndx = data.readUInt16LE(0x3e);
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      if (phentsize < 56 || o + 56 > data.length) fail("program header outside the file", o);
      this.segments.push({
        type: data.readUInt32LE(o),
        flags: data.readUInt32LE(o + 4),
        offset: Number(data.readBigUInt64LE(o + 8)),
        vaddr: data.readBigUInt64LE(o + 0x10),
        filesz: Number(data.readBigUInt64LE(o + 0x20)),
        memsz: Number(data.readBigUInt64LE(o + 0x28)),
      });
    }
    if (shoff === 0 || shnum === 0) return;
    const raw: (Omit<Section, "name"> & { nameOff: number })[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      if (shentsize < 64 || o + 64 > data.length) fail("section header outside the file", o);
      const s = {
        nameOff: data.readUInt32LE(o),
        type: data.readUInt32LE(o + 4),
        flags: Number(data.readBigUInt64LE(o + 8)),
        addr: data.readBigUInt64LE(o + 0x10),
        offset: Number(data.readBigUInt64LE(o + 0x18)),
        size: Number(data.readBigUInt64LE(o + 0x20)),
      };
      // SHT_NOBITS (.bss) occupies no file bytes.
      if (s.type !== 8 && s.offset + s.size > data.length) fail(`section ${i} runs past the end of the file`, o);
      raw.push(s);
    }
    const strtab = raw[shstrndx];
    if (!strtab) fail("bad section name table index", 0x3e);
    for (const s of raw) {
      this.sections.push({ ...s, name: cstring(data, strtab!.offset + s.nameOff, strtab!.offset + strtab!.size) });
    }
  }

  static read(file: string): Elf {
    let size: number;
    try {
      size = statSync(file).size;
    } catch (e) {
      throw new InputError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (size > MAX_BINARY_BYTES) throw new InputError(file, `executable is larger than ${MAX_BINARY_BYTES} bytes`);
    return new Elf(file, readFileSync(file));
  }

  section(name: string): Section | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** A section's bytes, decompressed; .debug_x is also looked up as .zdebug_x. */
  sectionData(name: string): Buffer | undefined {
    const hit = this.cache.get(name);
    if (hit) return hit;
    let s = this.section(name);
    let zdebug = false;
    if (!s && name.startsWith(".debug_")) {
      s = this.section(".z" + name.slice(1));
      zdebug = s !== undefined;
    }
    if (!s || s.type === 8) return undefined;
    let bytes = this.data.subarray(s.offset, s.offset + s.size);
    if ((s.flags & SHF_COMPRESSED) !== 0) {
      // Elf64_Chdr: ch_type (1 = zlib), reserved, ch_size, ch_addralign.
      if (bytes.length < 24 || bytes.readUInt32LE(0) !== 1) throw new InputError(this.file, `${name}: unsupported compression`, s.offset);
      bytes = this.inflate(bytes.subarray(24), Number(bytes.readBigUInt64LE(8)), name, s.offset);
    } else if (zdebug) {
      // "ZLIB" + 8-byte big-endian size, then the zlib stream.
      if (bytes.toString("latin1", 0, 4) !== "ZLIB") throw new InputError(this.file, `${s.name}: no ZLIB header`, s.offset);
      bytes = this.inflate(bytes.subarray(12), Number(bytes.readBigUInt64BE(4)), name, s.offset);
    }
    this.cache.set(name, bytes);
    return bytes;
  }

  private inflate(z: Buffer, size: number, name: string, at: number): Buffer {
    if (size > MAX_SECTION_BYTES) throw new InputError(this.file, `${name}: decompressed size ${size} is over the cap`, at);
    try {
      return inflateSync(z, { maxOutputLength: Math.max(1, size) });
    } catch (e) {
      throw new InputError(this.file, `${name}: corrupt compressed data (${(e as Error).message})`, at);
    }
  }

  /** The file offset of a virtual address inside a PT_LOAD segment (what uprobes attach to). */
  fileOffset(addr: bigint): number | undefined {
    for (const p of this.segments) {
      if (p.type === PT_LOAD && p.vaddr <= addr && addr < p.vaddr + BigInt(p.filesz)) return p.offset + Number(addr - p.vaddr);
    }
    return undefined;
  }

  /** Bytes at a virtual address (code, read-only data). */
  bytesAt(addr: bigint, length: number): Buffer | undefined {
    const off = this.fileOffset(addr);
    if (off === undefined || off + length > this.data.length) return undefined;
    return this.data.subarray(off, off + length);
  }

  /** .symtab symbols (empty for a stripped binary). */
  symbols(): ElfSymbol[] {
    const sym = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!sym) return [];
    const strs = this.linkedStrtab(sym);
    const out: ElfSymbol[] = [];
    for (let o = sym.offset + 24; o + 24 <= sym.offset + sym.size; o += 24) {
      const info = this.data[o + 4]!;
      out.push({
        name: strs ? cstring(this.data, strs.offset + this.data.readUInt32LE(o), strs.offset + strs.size) : "",
        isFunc: (info & 0xf) === STT_FUNC,
        addr: this.data.readBigUInt64LE(o + 8),
        size: Number(this.data.readBigUInt64LE(o + 16)),
      });
    }
    return out;
  }

  private linkedStrtab(sym: Section): Section | undefined {
    // sh_link of the symbol table names its string table.
    const idx = this.sections.indexOf(sym);
    const hdr = Number(this.data.readBigUInt64LE(0x28)) + idx * this.data.readUInt16LE(0x3a);
    return this.sections[this.data.readUInt32LE(hdr + 0x28)];
  }
}

function cstring(b: Buffer, start: number, limit: number): string {
  const end = b.indexOf(0, start);
  return b.toString("latin1", start, end < 0 || end > limit ? limit : end);
}
