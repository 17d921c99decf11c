// Reading bpftrace's output (no root needed): duplicate keys kept, log2
// histograms summarised (hand-computed), and user stacks named with our symbol
// table the way `go tool addr2line` names them (stripped binary included).

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseJsonPairs, readGoBinary } from "../src/ebpf/index.js";
import { summarise } from "../src/ebpf/probes/hist.js";
import { parseUstack } from "../src/ebpf/probes/stacks.js";
import { available } from "./helpers/available.js";
import { buildSvc, SVC_SRC, toolchainAvailable, type GoToolchain } from "./helpers/ebpf.js";

const hasGo = available(spawnSync("go", ["version"]).status === 0, "go");

describe("bpftrace output", () => {
  it("a stack-keyed map with a repeated key keeps both entries (JSON.parse keeps one)", () => {
    const line = '{"type": "map", "data": {"@s": {"\\n\\t4096ae 0x4096ae ([unknown])\\n": 68, "\\n\\t4096ae 0x4096ae ([unknown])\\n": 274}}}';
    const v = parseJsonPairs(line) as { pairs: [string, { pairs: [string, { pairs: [string, number][] }][] }][] };
    const s = v.pairs[1]![1].pairs[0]![1].pairs;
    expect(s.map(([, n]) => n)).toEqual([68, 274]);
    expect(s[0]![0]).toBe("\n\t4096ae 0x4096ae ([unknown])\n");
  });

  it("rejects what is not JSON, naming where", () => {
    expect(() => parseJsonPairs('{"a": [1, 2}')).toThrow(/at character 11/);
  });

  it("log2 histogram quantiles are the upper bounds of the buckets that hold them", () => {
    // 10 values: 5 in [1,1], 4 in [2,3], 1 in [64,127] -> p50 in the first bucket (5th value),
    // p90 in the second (9th value), p99 in the last (10th value).
    const h = summarise([
      { min: 1, max: 1, count: 5 },
      { min: 2, max: 3, count: 4 },
      { min: 4, max: 7, count: 0 },
      { min: 64, max: 127, count: 1 },
    ]);
    expect(h).toMatchObject({ count: 10, p50: 1, p90: 3, p99: 127, max: 127 });
    expect(h.buckets).toHaveLength(3);
  });

  it.skipIf(!hasGo)("user stack frames are named as go tool addr2line names them (stripped: from .gopclntab)", () => {
    const full = buildSvc("1.26");
    const bin = readGoBinary(buildSvc("1.26", true));
    const nm = execFileSync("go", ["tool", "nm", full], { encoding: "utf8" });
    const at = (name: string) => BigInt("0x" + new RegExp(`^\\s*([0-9a-f]+) T ${name.replace(/[.*()]/g, "\\$&")}$`, "m").exec(nm)![1]);
    // A leaf at a function's entry + 5, callers at return addresses inside their functions.
    const addrs = [at("runtime.gopark") + 5n, at("main.saveOrder") + 40n, at("main.handleOrder") + 30n];
    const text = addrs.map((a) => `\n\t${a.toString(16)} 0x${a.toString(16)} ([unknown])`).join("") + "\n";
    const ours = parseUstack(text, bin).map((f) => f.func);
    // addr2line looks up each address as given; the callers' lookups use addr-1 (the call), same function here.
    const peer = execFileSync("go", ["tool", "addr2line", full], { input: addrs.map((a) => `0x${a.toString(16)}`).join("\n") + "\n", encoding: "utf8" })
      .split("\n")
      .filter((_, i) => i % 2 === 0)
      .slice(0, addrs.length);
    expect(ours).toEqual(peer);
    expect(ours).toEqual(["runtime.gopark", "main.saveOrder", "main.handleOrder"]);
  });

  // file:line from .gopclntab (so findings name the user's line): every CALL site in a few
  // user and runtime functions, as go tool objdump lists them, against go tool addr2line.
  // Inside a body inlined from another file (syscall.Read in main.readRecord) the peer gives
  // the inlined file's line; a frame's line is its own call site instead: with symbols
  // (the inline tree) the line in main.go of the call, checked against the source (the
  // call's text, once in the function's body); stripped, no line at all. A helper inlined
  // from the same file: stripped, the helper's line (as the peer); with symbols, in the
  // same file (the call site, which the peer does not give).
  const TOOLCHAINS: GoToolchain[] = ["1.26", "1.19"];
  for (const v of TOOLCHAINS) {
    for (const stripped of [false, true]) {
      it.skipIf(!hasGo || (v === "1.19" && !toolchainAvailable("1.19")))(`file:line of call sites as go tool addr2line gives them (Go ${v}${stripped ? ", stripped" : ""})`, () => {
        const full = buildSvc(v);
        const bin = readGoBinary(buildSvc(v, stripped));
        const dump = execFileSync("go", ["tool", "objdump", "-s", "^(main\\.saveOrder|main\\.readRecord|main\\.handleCall|runtime\\.gopark|net/http\\.\\(\\*conn\\)\\.serve)$", full], { encoding: "utf8", maxBuffer: 1 << 26 });
        const calls: { pc: bigint; func: string; callee: string }[] = [];
        let func = "";
        for (const l of dump.split("\n")) {
          const t = /^TEXT (\S+)\(SB\)/.exec(l);
          if (t) func = t[1]!;
          const m = /^\s+\S+:\d+\s+0x([0-9a-f]+)\s+[0-9a-f]+\s+CALL (\S+)/.exec(l);
          if (m) calls.push({ pc: BigInt("0x" + m[1]!), func, callee: m[2]!.replace(/\(SB\)$/, "") });
        }
        expect(calls.length).toBeGreaterThan(20);
        const peer = execFileSync("go", ["tool", "addr2line", full], { input: calls.map((c) => `0x${c.pc.toString(16)}`).join("\n") + "\n", encoding: "utf8" }).split("\n");
        const entryFile = new Map<string, string>();
        for (const fn of new Set(calls.map((c) => c.func))) {
          const entry = execFileSync("go", ["tool", "addr2line", full], { input: `0x${bin.funcs.find((f) => f.name === fn)!.entry.toString(16)}\n`, encoding: "utf8" }).split("\n")[1]!;
          entryFile.set(fn, entry.slice(0, entry.lastIndexOf(":")));
        }
        const source = readFileSync(join(SVC_SRC, "svc/main.go"), "utf8").split("\n");
        /** The line number of `text` in the body of main.`fn` (it must be there exactly once). */
        const lineOf = (fn: string, text: string): number => {
          const from = source.findIndex((l) => l.startsWith(`func ${fn}(`));
          const to = source.findIndex((l, i) => i > from && l === "}");
          const hits = source.map((l, i) => (i > from && i < to && l.includes(text) ? i + 1 : 0)).filter((n) => n > 0);
          expect(hits, `${text} in ${fn}`).toHaveLength(1);
          return hits[0]!;
        };
        // What each inlined callee was called as in svc's source.
        const CALLED_AS: [RegExp, string][] = [
          [/\.\(\*Mutex\)\.lockSlow$/, ".Lock()"],
          [/\.\(\*Mutex\)\.unlockSlow$/, ".Unlock()"],
          [/^syscall\.read$/, "syscall.Read("],
          [/^syscall\.write$/, "syscall.Write("],
        ];
        let withLine = 0;
        let inlinedUser = 0;
        calls.forEach((c, i) => {
          expect(peer[2 * i]).toBe(c.func);
          const theirs = peer[2 * i + 1]!;
          const ours = bin.lineAt(c.pc);
          const where = `0x${c.pc.toString(16)} in ${c.func} (CALL ${c.callee})`;
          if (theirs.slice(0, theirs.lastIndexOf(":")) === entryFile.get(c.func)) {
            if (stripped || c.func.startsWith("main.")) {
              expect(ours && `${ours.file}:${ours.line}`, where).toBe(theirs);
            } else {
              // A helper inlined from the same file (net/http's): the peer gives the helper's line, ours the call site's.
              expect(ours?.file, where).toBe(entryFile.get(c.func));
            }
            if (ours && `${ours.file}:${ours.line}` === theirs) withLine++;
          } else if (stripped) {
            expect(ours, `${where}: inlined from ${theirs}`).toBeUndefined();
          } else {
            expect(ours?.file, where).toBe(entryFile.get(c.func));
            if (c.func.startsWith("main.")) {
              const as = CALLED_AS.find(([re]) => re.test(c.callee));
              expect(as, where).toBeDefined();
              expect(ours!.line, where).toBe(lineOf(c.func.slice(5), as![1]));
              inlinedUser++;
            }
          }
        });
        expect(withLine).toBeGreaterThan(10);
        // saveOrder's Lock, readRecord's Read and Write, handleCall's Lock and Unlock are inlined.
        if (!stripped) expect(inlinedUser).toBeGreaterThanOrEqual(5);
      });
    }
  }
});
