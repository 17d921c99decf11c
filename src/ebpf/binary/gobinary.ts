// Everything the probe generator needs to know about one Go executable:
// version, functions (from .symtab, or .gopclntab when stripped), runtime
// struct offsets (DWARF, or the per-version table), wait-reason names.

import { readBuildInfo } from "../../core/go/index.js";
import { InputError } from "../../core/input/index.js";
import { structOffsets } from "./dwarf.js";
import { Elf } from "./elf.js";
import { OFFSET_FIELDS, goMinor, goparkReasonRegister, tableOffsets, type RuntimeOffsets } from "./offsets.js";
import { readPclntab, type GoFunc } from "./pclntab.js";
import { pcLineLookup, type LineLookup } from "./pcline.js";
import { waitReasonsFromSymtab, waitReasonsFromTable } from "./waitreasons.js";

export interface GoBinary {
  file: string;
  elf: Elf;
  goVersion: string;
  /** no .symtab: names and bounds came from .gopclntab */
  stripped: boolean;
  /** sorted by entry */
  funcs: GoFunc[];
  /** PC -> file:line from .gopclntab (Go 1.18+ tables; undefined otherwise) */
  lineAt: LineLookup;
  offsets: RuntimeOffsets;
  offsetsFrom: "dwarf" | "table";
  waitReasons: readonly string[];
  waitReasonsFrom: "binary" | "table";
  /** register holding gopark's reason argument, e.g. "cx" */
  goparkReasonReg: string;
  /** what was guessed (a version missing from a table) */
  notes: string[];
}

export function readGoBinary(file: string): GoBinary {
  const elf = Elf.read(file);
  let goVersion: string;
  try {
    goVersion = readBuildInfo(file).goVersion;
  } catch (e) {
    throw new InputError(file, (e as Error).message.replace(`${file}: `, ""));
  }
  const minor = goMinor(goVersion);
  if (minor === undefined || minor < 17) {
    throw new InputError(file, `${goVersion}: the probes need Go 1.17 or newer (register ABI, g in R14)`);
  }
  const notes: string[] = [];
  const syms = elf.symbols();
  const stripped = syms.length === 0;
  let funcs: GoFunc[];
  if (!stripped) {
    funcs = syms.filter((s) => s.isFunc && s.size > 0).map((s) => ({ name: s.name, entry: s.addr, end: s.addr + BigInt(s.size) }));
  } else {
    funcs = readPclntab(elf);
  }
  funcs.sort((a, b) => (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0));

  let offsets: RuntimeOffsets | undefined;
  let offsetsFrom: GoBinary["offsetsFrom"] = "dwarf";
  const dw = structOffsets(elf, ["runtime.g", "runtime.m"]);
  if (dw) {
    const o: Partial<RuntimeOffsets> = {};
    for (const [k, [struct, member]] of Object.entries(OFFSET_FIELDS) as [keyof RuntimeOffsets, [string, string]][]) {
      const v = dw.get(struct)?.get(member);
      if (v === undefined) throw new InputError(file, `DWARF has no ${struct}.${member}`);
      o[k] = v;
    }
    offsets = o as RuntimeOffsets;
  } else {
    const t = tableOffsets(goVersion);
    if (!t) throw new InputError(file, `stripped ${goVersion} binary and no offsets table for it: build without -w`);
    offsets = t.offsets;
    offsetsFrom = "table";
    if (t.note) notes.push(t.note);
  }
  let waitReasons: readonly string[] | undefined = stripped ? undefined : waitReasonsFromSymtab(elf, syms);
  let waitReasonsFrom: GoBinary["waitReasonsFrom"] = "binary";
  if (!waitReasons) {
    waitReasons = waitReasonsFromTable(goVersion) ?? [];
    waitReasonsFrom = "table";
  }
  return {
    file,
    elf,
    goVersion,
    stripped,
    funcs,
    lineAt: pcLineLookup(elf, syms.find((s) => s.name === "go:func.*" || s.name === "go.func.*")?.addr),
    offsets,
    offsetsFrom,
    waitReasons,
    waitReasonsFrom,
    goparkReasonReg: goparkReasonRegister(minor)!,
    notes,
  };
}

export function findFunc(bin: GoBinary, name: string): GoFunc | undefined {
  return bin.funcs.find((f) => f.name === name);
}

/** The function holding a virtual address (binary search over sorted entries). */
export function funcAt(bin: GoBinary, addr: bigint): GoFunc | undefined {
  let lo = 0;
  let hi = bin.funcs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = bin.funcs[mid]!;
    if (addr < f.entry) hi = mid - 1;
    else if (addr >= f.end) lo = mid + 1;
    else return f;
  }
  return undefined;
}
