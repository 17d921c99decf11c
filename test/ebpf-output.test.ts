// Reading bpftrace's output (no root needed): duplicate keys kept, log2
// histograms summarised (hand-computed), and user stacks named with our symbol
// table the way `go tool addr2line` names them (stripped binary included).

import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseJsonPairs, readGoBinary } from "../src/ebpf/index.js";
import { summarise } from "../src/ebpf/probes/hist.js";
import { parseUstack } from "../src/ebpf/probes/stacks.js";
import { available } from "./helpers/available.js";
import { buildSvc } from "./helpers/ebpf.js";

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
});
