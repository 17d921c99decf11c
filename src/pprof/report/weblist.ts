// `weblist`: the data of pprof's weblist page (internal/report/source.go, MakeWebList),
// without disassembly. Values are kept per address, as pprof keeps them; every address
// of a location whose frames match the regexp is attributed to the source line of each
// interesting frame, and a line that inlined calls lists the chain of inlined callees
// (pprof's "inlined calls" expansion, which it shows also when it has no binary to
// disassemble, as here: godiag never reads binaries).

import type { GoRegExp } from "../../core/go/index.js";
import { percentage } from "../../core/measure/index.js";
import { cleanPath, fileBase } from "../graph/paths.js";
import { ReportError, type Report } from "./report.js";
import { SourceReader } from "./source-reader.js";
import { symbolRegExp } from "./tree.js";

export interface WebListCall {
  srcLine: string;
  fileBase: string;
  line: number;
}

export interface WebListInstruction {
  newBlock: boolean;
  flat: string;
  cum: string;
  fileLine: string;
  inlinedCalls: WebListCall[];
}

export interface WebListLine {
  line: number;
  srcLine: string;
  /** nop (no samples), deadsrc (samples), livesrc (samples and inlined calls to expand) */
  htmlClass: "nop" | "deadsrc" | "livesrc";
  flat: string;
  cum: string;
  /** raw values, for JSON and tests */
  flatValue: number;
  cumValue: number;
  instructions: WebListInstruction[];
}

export interface WebListFunc {
  name: string;
  file: string;
  flat: string;
  cum: string;
  percent: string;
  flatValue: number;
  cumValue: number;
  lines: WebListLine[];
}

export interface WebListData {
  total: string;
  funcs: WebListFunc[];
}

interface Frame {
  func: string;
  file: string;
  line: number;
}

interface CallId {
  file: string;
  line: number;
}

interface SourceInst {
  addr: bigint;
  /** inlined call chain, caller first */
  stack: CallId[];
}

interface Inst {
  file: string;
  line: number;
  flat: number;
  cum: number;
}

interface SourceFile {
  fname: string;
  lines: Map<number, SourceInst[]>;
  funcName: Map<number, string>;
}

interface SourceFunction {
  name: string;
  begin: number;
  end: number;
  flat: number;
  cum: number;
}

/** Lines merged into one function listing when this close (pprof's mergeLimit). */
const MERGE_LIMIT = 20;
/** Lines of context around a listing (pprof's expand). */
const EXPAND = 5;

/** strconv.ParseUint(s, 0, 64): a regexp that is a number selects one address. */
function parseAddress(s: string): bigint | null {
  const t = s.replace(/_/g, "");
  if (!/^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]*|[1-9][0-9]*)$/.test(t)) return null;
  if (s.includes("_") && !/^0[xXbBoO]?/.test(s)) return null;
  const v = /^0[0-7]/.test(t) ? BigInt("0o" + t.slice(1)) : /^0[oO]/.test(t) ? BigInt("0o" + t.slice(2)) : BigInt(t);
  return v < 1n << 64n ? v : null;
}

/** canonicalizeFileName: pprof's key of a source file. */
function canonicalFile(f: string): string {
  if (f.startsWith("/proc/self/cwd/")) f = f.slice("/proc/self/cwd/".length);
  if (f.startsWith("./")) f = f.slice(2);
  return cleanPath(f);
}

/** Columns of leading whitespace, tabs to the next multiple of 8. */
function indentation(line: string): number {
  let col = 0;
  for (const c of line) {
    if (c === " ") col++;
    else if (c === "\t") col += 8 - (col % 8);
    else break;
  }
  return col;
}

/** rightPad: tabs expanded, then spaces up to n columns (counted in code points). */
function rightPad(s: string, n: number): string {
  let out = "";
  let col = 0;
  for (const c of s) {
    col++;
    if (c === "\t") {
      out += " ";
      while (col % 8 !== 0) {
        col++;
        out += " ";
      }
    } else out += c;
  }
  while (col < n) {
    col++;
    out += " ";
  }
  return out;
}

class Collector {
  readonly interest = new Set<string>();
  readonly prettyNames = new Map<string, string>();
  readonly flat = new Map<bigint, number>();
  readonly cum = new Map<bigint, number>();
  /** first location seen at each interesting address */
  readonly addrs = new Map<bigint, number>();

  constructor(
    private readonly rpt: Report,
    private readonly sym: GoRegExp,
  ) {}

  run(): void {
    const view = this.rpt.view;
    const p = view.p;
    const address = parseAddress(this.rpt.cfg.symbol);
    const meanIndex = this.rpt.cfg.mean ? 0 : -1;
    // synthCode: locations without an address get fresh ones past every mapping
    let next = 1n;
    for (const m of p.mappings) if (next < m.limit) next = m.limit;
    const synth = new Map<number, bigint>();
    const fnName = (f: number) => p.str(p.functions.name[f]);
    const fnSys = (f: number) => p.str(p.functions.systemName[f]);
    const fnFile = (f: number) => p.str(p.functions.filename[f]);
    const matches = (f: number) => this.sym.test(fnName(f)) || this.sym.test(fnSys(f)) || this.sym.test(fnFile(f));
    for (let i = 0; i < view.sampleCount; i++) {
      let value = view.value(i);
      if (meanIndex >= 0) {
        const div = view.valueAt(i, meanIndex);
        if (div !== 0) value = Math.trunc(value / div);
      }
      const s0 = view.stackStart[i];
      for (let s = view.stackStart[i + 1] - 1; s >= s0; s--) {
        const loc = view.stack[s];
        const lo = view.locLineStart[loc];
        const hi = view.locLineStart[loc + 1];
        for (let k = lo; k < hi; k++) {
          const f = p.lines.func[view.locLines[k]];
          if (f >= 0) this.prettyNames.set(fnSys(f), fnName(f));
        }
        let addr = p.locations.address[loc];
        if (addr === 0n) {
          let a = synth.get(loc);
          if (a === undefined) synth.set(loc, (a = next++));
          addr = a;
        }
        this.cum.set(addr, (this.cum.get(addr) ?? 0) + value);
        if (s === s0) this.flat.set(addr, (this.flat.get(addr) ?? 0) + value);
        if (address !== null && addr === address) {
          if (hi > lo) this.markInterest(addr, loc, view.locLines[hi - 1]);
          continue;
        }
        const m = p.locations.mapping[loc];
        const matchFile = m >= 0 && this.sym.test(p.mappings[m].file);
        for (let k = lo; k < hi; k++) {
          const f = p.lines.func[view.locLines[k]];
          if ((k === lo && matchFile) || (f >= 0 && matches(f))) this.markInterest(addr, loc, view.locLines[k]);
        }
      }
    }
  }

  private markInterest(addr: bigint, loc: number, lineRow: number): void {
    const p = this.rpt.view.p;
    const f = p.lines.func[lineRow];
    if (f < 0) return;
    this.interest.add(p.str(p.functions.name[f]));
    this.interest.add(p.str(p.functions.systemName[f]));
    if (!this.addrs.has(addr)) this.addrs.set(addr, loc);
  }

  /** The frames of a location, innermost first (pprof's handleUnprocessed makeFrames). */
  frames(loc: number): Frame[] {
    const view = this.rpt.view;
    const p = view.p;
    const out: Frame[] = [];
    for (let k = view.locLineStart[loc]; k < view.locLineStart[loc + 1]; k++) {
      const ln = view.locLines[k];
      const f = p.lines.func[ln];
      if (f < 0) continue;
      out.push({ func: p.str(p.functions.name[f]), file: p.str(p.functions.filename[f]), line: p.lines.line[ln] });
    }
    return out;
  }
}

function functionsOf(file: SourceFile, insts: Map<bigint, Inst>, pretty: Map<string, string>): SourceFunction[] {
  const funcs: SourceFunction[] = [];
  const lines = [...file.lines.keys()].sort((a, b) => a - b);
  for (const l of lines) {
    let name = file.funcName.get(l) as string;
    name = pretty.get(name) ?? name;
    const fn: SourceFunction = { name, begin: l, end: l + 1, flat: 0, cum: 0 };
    for (const x of file.lines.get(l) as SourceInst[]) {
      const inst = insts.get(x.addr) as Inst;
      fn.flat += inst.flat;
      fn.cum += inst.cum;
    }
    const last = funcs[funcs.length - 1];
    if (last !== undefined && l - last.end < MERGE_LIMIT && last.name === name) {
      last.end = l + 1;
      last.flat += fn.flat;
      last.cum += fn.cum;
      continue;
    }
    funcs.push(fn);
  }
  funcs.forEach((f, i) => {
    if (i === 0) {
      if (f.begin > EXPAND) f.begin -= EXPAND;
      else if (f.begin > 1) f.begin = 1;
    } else {
      const halfGap = Math.min(Math.trunc((f.begin - funcs[i - 1].end) / 2), EXPAND);
      funcs[i - 1].end += halfGap;
      f.begin -= halfGap;
    }
  });
  if (funcs.length > 0) funcs[funcs.length - 1].end += EXPAND;
  return funcs;
}

export function makeWebList(rpt: Report, cwd: string = process.cwd()): WebListData {
  const cfg = rpt.cfg;
  const c = new Collector(rpt, symbolRegExp(cfg.symbol));
  c.run();
  if (c.interest.size === 0) throw new ReportError(`no matches found for regexp: ${cfg.symbol}`);
  const reader = new SourceReader(cfg.sourcePath !== "" ? cfg.sourcePath : cwd, cfg.trimPath);

  // Every address is "unprocessed" (no object file): its frames come from the profile.
  // pprof visits them in Go map order; ascending addresses make ours deterministic.
  const insts = new Map<bigint, Inst>();
  const files = new Map<string, SourceFile>();
  for (const addr of [...c.addrs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const frames = c.frames(c.addrs.get(addr) as number);
    insts.set(addr, {
      file: frames.length > 0 ? frames[0].file : "",
      line: frames.length > 0 ? frames[0].line : 0,
      flat: c.flat.get(addr) ?? 0,
      cum: c.cum.get(addr) ?? 0,
    });
    frames.forEach((f, i) => {
      if (!c.interest.has(f.func)) return;
      const fname = canonicalFile(f.file);
      let file = files.get(fname);
      if (file === undefined) files.set(fname, (file = { fname, lines: new Map(), funcName: new Map() }));
      const stack: CallId[] = [];
      for (let j = i - 1; j >= 0; j--) stack.push({ file: frames[j].file, line: frames[j].line });
      let at = file.lines.get(f.line);
      if (at === undefined) file.lines.set(f.line, (at = []));
      at.push({ addr, stack });
      if (!file.funcName.has(f.line)) file.funcName.set(f.line, f.func);
    });
  }

  const fv = (v: number) => (v === 0 ? "." : rpt.formatValue(v));
  const funcs: WebListFunc[] = [];
  const ordered = [...files.values()].sort((a, b) => (a.fname < b.fname ? -1 : a.fname > b.fname ? 1 : 0));
  for (const f of ordered) {
    for (const fn of functionsOf(f, insts, c.prettyNames)) {
      if (fn.cum === 0) continue;
      const out: WebListFunc = {
        name: fn.name,
        file: f.fname,
        flat: rpt.formatValue(fn.flat),
        cum: rpt.formatValue(fn.cum),
        percent: percentage(fn.cum, rpt.total),
        flatValue: fn.flat,
        cumValue: fn.cum,
        lines: [],
      };
      for (let l = fn.begin; l < fn.end; l++) {
        const here = f.lines.get(l) ?? [];
        let text = reader.line(f.fname, l);
        if (text === null) {
          if (here.length === 0) continue;
          text = l === 0 ? "<instructions with unknown line numbers>" : "???";
        }
        out.lines.push(webListLine(l, text, here, insts, reader, fv));
      }
      funcs.push(out);
    }
  }
  return { total: rpt.formatValue(rpt.total), funcs };
}

function webListLine(
  l: number,
  text: string,
  here: SourceInst[],
  insts: Map<bigint, Inst>,
  reader: SourceReader,
  fv: (v: number) => string,
): WebListLine {
  let flat = 0;
  let cum = 0;
  for (const x of here) {
    const inst = insts.get(x.addr) as Inst;
    flat += inst.flat;
    cum += inst.cum;
  }
  const line: WebListLine = { line: l, srcLine: text, htmlClass: "nop", flat: fv(flat), cum: fv(cum), flatValue: flat, cumValue: cum, instructions: [] };
  if (here.length === 0) return line;
  // without disassembly, only inlined calls give a line something to expand
  const nested = here.some((x) => x.stack.length > 0);
  line.htmlClass = nested ? "livesrc" : "deadsrc";
  if (!nested) return line;
  const indent = indentation(text);
  let cur: CallId[] = [];
  let lastAddr = 0n;
  here.forEach((x, i) => {
    const inst = insts.get(x.addr) as Inst;
    // a new block unless this address follows the previous one (synthetic length 1)
    const lastLen = insts.has(lastAddr) ? 1n : 0n;
    const startsBlock = x.addr !== lastAddr + lastLen;
    lastAddr = x.addr;
    const calls: WebListCall[] = [];
    x.stack.forEach((call, j) => {
      if (j < cur.length && cur[j].file === call.file && cur[j].line === call.line) return;
      cur = [];
      const src = reader.line(call.file, call.line) ?? "";
      calls.push({ srcLine: rightPad(" ".repeat(indent + 4 + 4 * j) + src.trim(), 80), fileBase: fileBase(call.file), line: call.line });
    });
    cur = x.stack;
    line.instructions.push({
      newBlock: startsBlock && i !== 0,
      flat: fv(inst.flat),
      cum: fv(inst.cum),
      fileLine: inst.file !== "" ? `${fileBase(inst.file)}:${inst.line}` : "",
      inlinedCalls: calls,
    });
  });
  return line;
}
