// Go build info read from an ELF executable, as debug/buildinfo does
// (/usr/local/go/src/debug/buildinfo/buildinfo.go). Written here rather than
// shelling out to `go version -m` because the machine running godiag need not
// have Go installed, and reading one section is a few dozen lines.
//
// Layout: the linker puts a 32-byte header starting with "\xff Go buildinf:"
// (16-byte aligned) at the start of the .go.buildinfo section (or, without
// section headers, of the first writable non-executable PT_LOAD segment).
// Byte 14 is the pointer size, byte 15 flags: bit 1 set = Go 1.18+ "inline"
// layout, where two varint-length-prefixed strings (version, modinfo) follow
// the header; clear = pre-1.18 layout, where the header holds two pointers to
// Go string headers {data pointer, length} in the binary's address space.
// The modinfo string carries 16-byte sentinels at both ends, which we strip.

import { closeSync, openSync, readSync } from "node:fs";

const MAGIC = Buffer.from("\xff Go buildinf:", "latin1");
const HEADER = 32;
const ALIGN = 16;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
}

export interface GoBuildInfo {
  goVersion: string;
  /** main package path */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  /** build settings: -buildmode, -compiler, CGO_ENABLED, GOARCH, GOOS, vcs.revision ... */
  settings: Record<string, string>;
  /** the raw modinfo text (what `go version -m` prints, one tab-indented line each) */
  modinfo: string;
}

interface Segment {
  vaddr: bigint;
  offset: bigint;
  filesz: bigint;
  memsz: bigint;
  type: number;
  flags: number;
}

class ElfFile {
  readonly le: boolean;
  readonly is64: boolean;
  readonly segments: Segment[] = [];
  buildinfoSection?: { addr: bigint; size: bigint };

  constructor(
    private readonly fd: number,
    private readonly name: string,
  ) {
    const id = this.read(0n, 64);
    if (id.length < 52 || id.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${name}: not an ELF executable`);
    this.is64 = id[4] === 2;
    this.le = id[5] === 1;
    const u16 = (b: Buffer, o: number) => (this.le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const word = (b: Buffer, o: number) => (this.is64 ? this.u64(b, o) : BigInt(this.le ? b.readUInt32LE(o) : b.readUInt32BE(o)));
    const [phoff, shoff] = this.is64 ? [word(id, 0x20), word(id, 0x28)] : [word(id, 0x1c), word(id, 0x20)];
    const [phentsize, phnum, shentsize, shnum, shstrndx] = this.is64
      ? [u16(id, 0x36), u16(id, 0x38), u16(id, 0x3a), u16(id, 0x3c), u16(id, 0x3e)]
      : [u16(id, 0x2a), u16(id, 0x2c), u16(id, 0x2e), u16(id, 0x30), u16(id, 0x32)];
    const u32 = (b: Buffer, o: number) => (this.le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    for (let i = 0; i < phnum && i < 4096; i++) {
      const p = this.read(phoff + BigInt(i * phentsize), phentsize);
      if (p.length < phentsize) break;
      this.segments.push(
        this.is64
          ? { type: u32(p, 0), flags: u32(p, 4), offset: word(p, 8), vaddr: word(p, 0x10), filesz: word(p, 0x20), memsz: word(p, 0x28) }
          : { type: u32(p, 0), offset: word(p, 4), vaddr: word(p, 8), filesz: word(p, 0x10), memsz: word(p, 0x14), flags: u32(p, 0x18) },
      );
    }
    if (shoff !== 0n && shnum > 0 && shnum < 65536 && shstrndx < shnum) {
      const sec = (i: number) => {
        const s = this.read(shoff + BigInt(i * shentsize), shentsize);
        return this.is64
          ? { name: u32(s, 0), addr: word(s, 0x10), offset: word(s, 0x18), size: word(s, 0x20) }
          : { name: u32(s, 0), addr: word(s, 0x0c), offset: word(s, 0x10), size: word(s, 0x14) };
      };
      const strtab = sec(shstrndx);
      const names = this.read(strtab.offset, Number(strtab.size > 1n << 20n ? 1n << 20n : strtab.size));
      for (let i = 0; i < shnum; i++) {
        const s = sec(i);
        const end = names.indexOf(0, s.name);
        if (names.toString("latin1", s.name, end < 0 ? names.length : end) === ".go.buildinfo") {
          this.buildinfoSection = { addr: s.addr, size: s.size };
        }
      }
    }
  }

  u64(b: Buffer, o: number): bigint {
    return this.le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o);
  }

  read(offset: bigint, length: number): Buffer {
    const buf = Buffer.alloc(Math.max(0, length));
    if (length <= 0) return buf;
    const n = readSync(this.fd, buf, 0, length, Number(offset));
    return buf.subarray(0, n);
  }

  /** Bytes at a virtual address, from the PT_LOAD segment holding it (as elfExe.DataReader). */
  readAddr(addr: bigint, length: number): Buffer {
    for (const p of this.segments) {
      if (p.type === 1 && p.vaddr <= addr && addr < p.vaddr + p.filesz) {
        const room = Number(p.vaddr + p.filesz - addr);
        return this.read(p.offset + (addr - p.vaddr), Math.min(length, room));
      }
    }
    throw new Error(`${this.name}: address 0x${addr.toString(16)} is outside the file's segments`);
  }

  /** Where the build info search starts, and how far it goes (as elfExe.DataStart). */
  dataStart(): { addr: bigint; size: bigint } | undefined {
    if (this.buildinfoSection) return this.buildinfoSection;
    const PF_X = 1;
    const PF_W = 2;
    const seg = this.segments.find((p) => p.type === 1 && (p.flags & (PF_X | PF_W)) === PF_W);
    return seg ? { addr: seg.vaddr, size: seg.memsz } : undefined;
  }
}

/** Reads the build info of a Go ELF executable; throws a one-line Error when it is not one. */
export function readBuildInfo(file: string): GoBuildInfo {
  const fd = openSync(file, "r");
  try {
    const elf = new ElfFile(fd, file);
    const start = elf.dataStart();
    if (!start) throw new Error(`${file}: not a Go executable (no data segment)`);
    const addr = findMagic(elf, start.addr, start.size);
    if (addr === undefined) throw new Error(`${file}: not a Go executable (no build info)`);
    const header = elf.readAddr(addr, HEADER);
    if (header.length < HEADER) throw new Error(`${file}: truncated build info header`);
    const flags = header[15]!;
    let vers: string;
    let mod: string;
    if ((flags & 2) !== 0) {
      const [v, next] = varString(elf, addr + BigInt(HEADER), file);
      vers = v;
      mod = varString(elf, next, file)[0];
    } else {
      const ptrSize = header[14]!;
      const big = (flags & 1) === 1;
      const ptr = (b: Buffer, o: number): bigint =>
        ptrSize === 8 ? (big ? b.readBigUInt64BE(o) : b.readBigUInt64LE(o)) : BigInt(big ? b.readUInt32BE(o) : b.readUInt32LE(o));
      if (ptrSize !== 4 && ptrSize !== 8) throw new Error(`${file}: bad pointer size ${ptrSize} in build info`);
      const goString = (at: bigint): string => {
        const h = elf.readAddr(at, 2 * ptrSize);
        if (h.length < 2 * ptrSize) return "";
        const len = Number(ptr(h, ptrSize));
        if (len > 1 << 24) return "";
        return elf.readAddr(ptr(h, 0), len).toString("utf8");
      };
      vers = goString(ptr(header, 16));
      mod = goString(ptr(header, 16 + ptrSize));
    }
    if (vers === "") throw new Error(`${file}: not a Go executable (empty version)`);
    // Strip the 16-byte sentinels around modinfo (buildinfo.go does the same check).
    mod = mod.length >= 33 && mod[mod.length - 17] === "\n" ? mod.slice(16, -16) : "";
    return parseModinfo(vers, mod);
  } finally {
    closeSync(fd);
  }
}

function findMagic(elf: ElfFile, start: bigint, size: bigint): bigint | undefined {
  const CHUNK = 1 << 20;
  const end = start + size;
  let at = (start + BigInt(ALIGN - 1)) & ~BigInt(ALIGN - 1);
  while (at < end) {
    const want = Number(end - at < BigInt(CHUNK) ? end - at : BigInt(CHUNK));
    let data: Buffer;
    try {
      data = elf.readAddr(at, want);
    } catch {
      return undefined;
    }
    if (data.length === 0) return undefined;
    for (let i = data.indexOf(MAGIC); i >= 0; i = data.indexOf(MAGIC, i + 1)) {
      if (i % ALIGN === 0) return at + BigInt(i);
    }
    // Keep an overlap so a magic straddling two chunks is found.
    at += BigInt(Math.max(ALIGN, data.length - ALIGN * 2));
  }
  return undefined;
}

function varString(elf: ElfFile, addr: bigint, file: string): [string, bigint] {
  const b = elf.readAddr(addr, 10);
  let len = 0;
  let n = 0;
  for (let shift = 0; n < b.length; shift += 7) {
    const c = b[n++]!;
    len += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) break;
    if (n === b.length) throw new Error(`${file}: bad varint in build info`);
  }
  if (len > 1 << 24) throw new Error(`${file}: build info string too long`);
  const start = addr + BigInt(n);
  const s = elf.readAddr(start, len);
  if (s.length < len) throw new Error(`${file}: truncated build info string`);
  return [s.toString("utf8"), start + BigInt(len)];
}

/** Parse modinfo text (runtime/debug.ParseBuildInfo's format: tab-separated lines). */
export function parseModinfo(goVersion: string, modinfo: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, deps: [], settings: {}, modinfo };
  for (const line of modinfo.split("\n")) {
    const f = line.split("\t");
    const mod = (): GoModule => ({ path: f[1] ?? "", version: f[2] ?? "", ...(f[3] ? { sum: f[3] } : {}) });
    if (f[0] === "path") info.path = f[1];
    else if (f[0] === "mod") info.main = mod();
    else if (f[0] === "dep") info.deps.push(mod());
    else if (f[0] === "=>" && info.deps.length > 0) info.deps[info.deps.length - 1]!.version += ` => ${f.slice(1).join(" ")}`;
    else if (f[0] === "build" && f[1]) {
      const eq = f[1].indexOf("=");
      if (eq > 0) info.settings[f[1].slice(0, eq)] = f[1].slice(eq + 1);
    }
  }
  return info;
}

/** What `go version -m FILE` prints, for comparing with the go command. */
export function formatVersionM(file: string, info: GoBuildInfo): string {
  let out = `${file}: ${info.goVersion}\n`;
  if (info.modinfo.length > 0) out += `\t${info.modinfo.replace(/\n$/, "").replaceAll("\n", "\n\t")}\n`;
  return out;
}
