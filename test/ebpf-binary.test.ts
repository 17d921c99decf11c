// src/ebpf/binary against peers: go tool nm (symbols and addresses), readelf's
// DWARF dump (struct offsets), the binary's own runtime.waitReasonStrings (the
// wait-reason table), go tool objdump (RET counts). Binaries: testdata/ebpf/svc
// built with Go 1.19 (Debian), 1.26 (go) and 1.27 (GOTOOLCHAIN=go1.27.3, through
// the module proxy; skipped with a message when it cannot be downloaded).

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { InputError } from "../src/core/input/index.js";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findFunc, readGoBinary, retAddresses, OFFSET_TABLE, WAIT_REASON_TABLE, Elf, waitReasonsFromSymtab, type RuntimeOffsets } from "../src/ebpf/index.js";
import { available } from "./helpers/available.js";
import { buildSvc, toolchainAvailable, type GoToolchain } from "./helpers/ebpf.js";
import { ROOT } from "./helpers/run.js";

const hasGo = available(spawnSync("go", ["version"]).status === 0, "go");
const has119 = available(spawnSync("/usr/lib/go-1.19/bin/go", ["version"]).status === 0, "Debian golang-1.19-go");
const hasReadelf = available(spawnSync("readelf", ["--version"]).status === 0, "readelf (binutils)");
const has127 = hasGo && toolchainAvailable("1.27");
if (hasGo && !has127) console.warn("Go 1.27.3 toolchain not downloadable here: its table row is not checked");

const VERSIONS: GoToolchain[] = [...(has119 ? ["1.19" as const] : []), ...(hasGo ? ["1.26" as const] : []), ...(has127 ? ["1.27" as const] : [])];

/** go tool nm: text symbols with their addresses. */
function nm(bin: string): Map<string, bigint> {
  const out = execFileSync("go", ["tool", "nm", bin], { encoding: "utf8", maxBuffer: 64 << 20 });
  const m = new Map<string, bigint>();
  for (const line of out.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 3 && (f[1] === "T" || f[1] === "t")) m.set(f.slice(2).join(" "), BigInt("0x" + f[0]));
  }
  return m;
}

/** Member offsets of one struct type, from readelf's DWARF dump (a peer decoder). */
function readelfOffsets(bin: string, struct: string): Map<string, number> {
  const out = execFileSync("readelf", ["--debug-dump=info", "-W", bin], { encoding: "utf8", maxBuffer: 1 << 30 });
  const lines = out.split("\n");
  const start = lines.findIndex((l, i) => l.includes("DW_TAG_structure_type") && /DW_AT_name\s*:\s*(?:\([^)]*\)\s*)?(\S+)/.exec(lines[i + 1] ?? "")?.[1] === struct);
  if (start < 0) throw new Error(`readelf: no ${struct}`);
  const level = /<(\d+)>/.exec(lines[start]!)![1]!;
  const child = String(Number(level) + 1);
  const m = new Map<string, number>();
  let name = "";
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    const tag = /<(\d+)><[0-9a-f]+>: Abbrev Number: (\d+)/.exec(l);
    if (tag && Number(tag[1]) <= Number(level)) break;
    if (tag && tag[1] !== child) name = "";
    const n = /DW_AT_name\s*:\s*(?:\([^)]*\)\s*)?(\S+)/.exec(l);
    if (n) name = n[1]!;
    const loc = /DW_AT_data_member_location\s*:\s*(?:\([^)]*\)\s*)?(\d+)/.exec(l);
    if (loc && name) m.set(name, Number(loc[1]));
  }
  return m;
}

describe.skipIf(VERSIONS.length === 0)("Go binaries", () => {
  for (const v of VERSIONS) {
    describe(`Go ${v}`, () => {
      it("functions and addresses from .symtab and (stripped) .gopclntab equal go tool nm's", () => {
        const full = readGoBinary(buildSvc(v));
        const stripped = readGoBinary(buildSvc(v, true));
        expect(full.goVersion).toMatch(new RegExp(`^go${v.replace(".", "\\.")}\\b`));
        expect(full.stripped).toBe(false);
        expect(stripped.stripped).toBe(true);
        const peer = nm(buildSvc(v));
        for (const name of ["runtime.gopark", "runtime.execute", "runtime.netpoll", "main.saveOrder", "main.handleOrder", "net/http.(*conn).serve"]) {
          expect(findFunc(full, name)?.entry, name).toBe(peer.get(name));
          expect(findFunc(stripped, name)?.entry, `${name} (stripped)`).toBe(peer.get(name));
        }
        // Every function .gopclntab knows sits where nm says, and the two tables agree on bounds.
        // An ABI wrapper has its function's name in .gopclntab (nm adds ".abi0"): such names are skipped.
        const seen = new Map<string, number>();
        for (const f of stripped.funcs) seen.set(f.name, (seen.get(f.name) ?? 0) + 1);
        let checked = 0;
        for (const f of stripped.funcs) {
          if (seen.get(f.name) !== 1) continue;
          const at = peer.get(f.name);
          if (at === undefined) continue;
          expect(f.entry, f.name).toBe(at);
          const sym = findFunc(full, f.name);
          if (sym) expect(f.end >= sym.end, f.name).toBe(true);
          checked++;
        }
        expect(checked).toBeGreaterThan(3000);
      });

      it.skipIf(!hasReadelf)("struct offsets: DWARF equals readelf's dump, and the table row equals DWARF", () => {
        const bin = buildSvc(v);
        const b = readGoBinary(bin);
        expect(b.offsetsFrom).toBe("dwarf");
        const g = readelfOffsets(bin, "runtime.g");
        const m = readelfOffsets(bin, "runtime.m");
        const peer: RuntimeOffsets = {
          g_goid: g.get("goid")!,
          g_m: g.get("m")!,
          g_atomicstatus: g.get("atomicstatus")!,
          g_waitreason: g.get("waitreason")!,
          m_procid: m.get("procid")!,
          m_curg: m.get("curg")!,
          m_g0: m.get("g0")!,
        };
        expect(b.offsets).toEqual(peer);
        expect(OFFSET_TABLE[v]).toEqual(peer);
        const s = readGoBinary(buildSvc(v, true));
        expect(s.offsetsFrom).toBe("table");
        expect(s.offsets).toEqual(peer);
      });

      it("the wait-reason table equals the binary's runtime.waitReasonStrings", () => {
        const elf = Elf.read(buildSvc(v));
        const fromBinary = waitReasonsFromSymtab(elf, elf.symbols());
        expect(fromBinary).toBeDefined();
        expect(WAIT_REASON_TABLE[v]).toEqual(fromBinary);
        expect(readGoBinary(buildSvc(v, true)).waitReasons).toEqual(fromBinary);
      });

      it("RET instructions found by capstone: as many as go tool objdump shows", async () => {
        const bin = buildSvc(v);
        const b = readGoBinary(bin);
        const s = readGoBinary(buildSvc(v, true));
        for (const name of ["runtime.gopark", "runtime.execute", "runtime.netpoll", "runtime.mallocgc", "main.saveOrder", "internal/poll.(*FD).Fsync", "syscall.Syscall"]) {
          const fn = findFunc(b, name);
          if (!fn) continue; // syscall.Syscall moved between versions
          const dump = execFileSync("go", ["tool", "objdump", "-s", `^${name.replace(/[.*()/]/g, "\\$&")}$`, bin], { encoding: "utf8" });
          const peerRets = dump.split("\n").filter((l) => /\tRET\s*$/.test(l) || /\sRET\s/.test(l)).map((l) => BigInt(/0x[0-9a-f]+/.exec(l)![0]));
          expect(peerRets.length, name).toBeGreaterThan(0);
          expect(await retAddresses(b, fn), name).toEqual(peerRets);
          expect(await retAddresses(s, findFunc(s, name)!), `${name} (stripped)`).toEqual(peerRets);
        }
      });
    });
  }
});

describe("bad binaries", () => {
  it.skipIf(!hasGo)("byte flips in the headers and tables: the binary reads, or one InputError (no crash, no hang)", () => {
    const good = readFileSync(buildSvc("1.26", true));
    const elf = Elf.read(buildSvc("1.26", true));
    const pcln = elf.section(".gopclntab")!;
    const shoff = Number(good.readBigUInt64LE(0x28));
    const phoff = Number(good.readBigUInt64LE(0x20));
    // Where a flip changes what the readers trust: ELF/program/section headers, the pclntab header and function table.
    const regions: [number, number][] = [[0, 64], [phoff, phoff + 56 * 8], [shoff, shoff + 64 * 30], [pcln.offset, pcln.offset + 128], [pcln.offset + 128, pcln.offset + 64 * 1024]];
    const file = join(ROOT, "test-output/ebpf/flipped");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: regions.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (r, at, x) => {
        const [from, to] = regions[r]!;
        const data = Buffer.from(good);
        const off = from + (at % (to - from));
        data[off] = data[off]! ^ x;
        writeFileSync(file, data);
        try {
          readGoBinary(file);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(InputError);
          expect((e as Error).message.split("\n")).toHaveLength(1);
        }
      }),
      { numRuns: 40, seed: 16 },
    );
  });

  it("a truncated or non-ELF file is one line naming the file", () => {
    const dir = join(ROOT, "test-output/ebpf");
    const notElf = join(dir, "not-elf");
    execFileSync("mkdir", ["-p", dir]);
    writeFileSync(notElf, "#!/bin/sh\necho hi\n");
    expect(() => readGoBinary(notElf)).toThrow(/not-elf: not an ELF executable \(at byte 0\)/);
    if (!hasGo) return;
    const cut = join(dir, "cut-elf");
    const data = execFileSync("head", ["-c", "200000", buildSvc("1.26")]);
    writeFileSync(cut, data);
    expect(() => readGoBinary(cut)).toThrow(/cut-elf: /);
  });
});
