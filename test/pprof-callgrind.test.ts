// godiag callgrind against `go tool pprof -callgrind`: byte-identical on google/pprof's
// callgrind goldens and on every real profile of testdata/profiles and testdata/captures.
// With -call_tree pprof's output is not stable from run to run (ties in its node order
// and the " [k/n]" numbering follow Go map order), so there the decoded content is
// compared: every cost line and call with names and addresses expanded.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReportConfig } from "../src/pprof/report/config.js";
import { CORPUS, pprofBinary, ROOT, runCli, runPprof, runReport } from "./helpers/run.js";
import { available } from "./helpers/available.js";

const hasGo = available(pprofBinary() !== null, "Go (go tool pprof)");

function profiles(): string[] {
  const out: string[] = [];
  for (const top of ["testdata/profiles", "testdata/captures"]) {
    for (const dir of readdirSync(join(ROOT, top))) {
      const d = join(ROOT, top, dir);
      if (!statSync(d).isDirectory()) continue;
      for (const f of readdirSync(d)) if (f.endsWith(".pb.gz") || f.endsWith(".debug1.txt")) out.push(join(d, f));
    }
  }
  return out.sort();
}

/**
 * The callgrind file decoded: one entry per cost line, "objfile|file|function|address|line|cost"
 * followed by its calls "-> file|function|address|line|weight", the disambiguating " [k/n]"
 * dropped (its numbering is the unstable part). Sorted, as node order among ties is not stable.
 */
function decodeCallgrind(text: string): string[] {
  const names = { ob: new Map<string, string>(), fl: new Map<string, string>(), fn: new Map<string, string>() };
  const resolve = (m: Map<string, string>, v: string): string => {
    const r = /^\((\d+)\)(?: (.*))?$/.exec(v);
    if (r === null) return v;
    if (r[2] !== undefined) m.set(r[1], r[2]);
    return (m.get(r[1]) ?? `?${r[1]}`).replace(/ \[\d+\/\d+\]$/, "");
  };
  let prev: bigint | null = null;
  const addr = (s: string): bigint => {
    if (s === "*") return prev as bigint;
    if (s.startsWith("0x")) return BigInt(s);
    return BigInt.asUintN(64, (prev as bigint) + BigInt(s));
  };
  const entries: string[] = [];
  let ob = "";
  let fl = "";
  let fn = "";
  let cur: string[] | null = null;
  let nodeAddr = 0n;
  let cfl = "";
  let cfn = "";
  let call = "";
  const lines = text.split("\n");
  expect(lines.slice(0, 2).join("\n")).toMatch(/^positions: instr line\nevents: \S+\(\S*\)$/);
  for (const line of lines.slice(2)) {
    if (line === "") continue;
    let m: RegExpExecArray | null;
    if ((m = /^(ob|fl|fn)=(.*)$/.exec(line))) {
      const v = resolve(names[m[1] as "ob" | "fl" | "fn"], m[2]);
      if (m[1] === "ob") ob = v;
      else if (m[1] === "fl") fl = v;
      else fn = v;
    } else if ((m = /^cfl=(.*)$/.exec(line))) cfl = resolve(names.fl, m[1]);
    else if ((m = /^cfn=(.*)$/.exec(line))) cfn = resolve(names.fn, m[1]);
    else if ((m = /^calls=0 (\S+) (\d+)$/.exec(line))) call = `-> ${cfl}|${cfn}|${addr(m[1])}|${m[2]}`;
    else if ((m = /^\* \* (-?\d+)$/.exec(line))) (cur as string[]).push(`${call}|${m[1]}`);
    else if ((m = /^(\S+) (\d+) (-?\d+)$/.exec(line))) {
      if (cur !== null) {
        entries.push(cur.join("\n"));
        prev = nodeAddr;
      }
      nodeAddr = addr(m[1]);
      cur = [`${ob}|${fl}|${fn}|${nodeAddr}|${m[2]}|${m[3]}`];
    } else throw new Error(`unexpected callgrind line: ${line}`);
  }
  if (cur !== null) entries.push(cur.join("\n"));
  return entries.sort();
}

describe("google/pprof's callgrind goldens (internal/driver/testdata)", () => {
  const dir = join(CORPUS, "google-pprof/internal/driver/testdata");
  const cases: [string, string, Partial<ReportConfig>][] = [
    ["pprof.cpu.callgrind", "cpu", {}],
    ["pprof.cpu.call_tree.callgrind", "cpu", { callTree: true }],
    ["pprof.heap.callgrind", "heap", {}],
  ];
  for (const [golden, source, cfg] of cases) {
    it(`${golden} byte for byte`, () => {
      const file = join(CORPUS, `google-pprof/synthetic/${source}.demangled.pb.gz`);
      const [ours] = runReport("callgrind", { sources: [file] }, cfg);
      expect(ours).toBe(readFileSync(join(dir, golden), "utf8"));
    });
  }
});

describe.skipIf(!hasGo)("godiag callgrind vs go tool pprof -callgrind on real profiles", () => {
  const files = profiles();
  // outputs that name functions (some profiles, e.g. an idle mutex profile, have no samples)
  let named = 0;
  let namedTrees = 0;
  it("has real profiles", () => {
    expect(files.length).toBeGreaterThan(40);
  });
  for (const file of files) {
    const rel = file.slice(ROOT.length + 1);
    it(`${rel}`, () => {
      const theirs = runPprof(["-symbolize=none", "-callgrind", file]);
      expect(theirs.code, theirs.stderr).toBe(0);
      const [ours] = runReport("callgrind", { sources: [file] }, {});
      expect(ours).toBe(theirs.stdout);
      if (/^fn=\(1\) \S/m.test(ours)) named++;
    });
  }
  const some = files.filter((f) => /\/(cpu|allocs|mutex|goroutine)\.pb\.gz$/.test(f));
  for (const file of some) {
    const rel = file.slice(ROOT.length + 1);
    it(`${rel} -cum -focus=main`, () => {
      const theirs = runPprof(["-symbolize=none", "-callgrind", "-cum", "-focus=main", file]);
      expect(theirs.code, theirs.stderr).toBe(0);
      const [ours] = runReport("callgrind", { sources: [file] }, { cum: true, focus: "main" });
      expect(ours).toBe(theirs.stdout);
    });
    it(`${rel} -call_tree (decoded)`, () => {
      const theirs = runPprof(["-symbolize=none", "-callgrind", "-call_tree", file]);
      expect(theirs.code, theirs.stderr).toBe(0);
      const [ours] = runReport("callgrind", { sources: [file] }, { callTree: true });
      const want = decodeCallgrind(theirs.stdout);
      expect(decodeCallgrind(ours)).toEqual(want);
      if (want.length > 10) namedTrees++;
    });
  }

  it("most of those profiles had functions to compare", () => {
    expect(named).toBeGreaterThan(files.length / 2);
    expect(namedTrees).toBeGreaterThan(some.length / 2);
  });

  it("the CLI writes the same bytes", () => {
    const file = join(ROOT, "testdata/captures/cpuhotspot/cpu.pb.gz");
    const theirs = runPprof(["-symbolize=none", "-callgrind", "-sample_index=0", file]);
    const r = runCli(["callgrind", "-sample_index=0", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(theirs.stdout);
    expect(r.stdout).toMatch(/^events: samples\(count\)$/m);
  });
});
