// Flame tree widths against go tool pprof: every frame's width must be the sum of
// the values of pprof's -traces samples whose stack (root first) starts with that
// frame's path. The oracle sums pprof's own printed traces (exact integer values via
// -unit=<base unit>), so nothing here comes from our own output.

import { describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeProfileGz } from "../src/core/codec/index.js";
import { ProfileBuilder } from "../src/core/model/index.js";
import { loadProfiles } from "../src/api/profiles.js";
import { defaultConfig, type ReportConfig } from "../src/pprof/report/config.js";
import { flameTreeFromProfile, type FlameTree } from "../src/pprof/flame/index.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { pprofBinary, ROOT, runCli, runPprof } from "./helpers/run.js";
import { available } from "./helpers/available.js";

const P = (w: string, f: string) => join(ROOT, "testdata/profiles", w, f);
const hasGo = available(pprofBinary() !== null, "Go (go tool pprof)");

function ourTree(files: string[], cfg: Partial<ReportConfig> = {}, tagRoot = "", maxFrames?: number, warn: (m: string) => void = () => {}): FlameTree {
  const p = loadProfiles({ sources: files, bases: [], diffBase: false, normalize: false, limits: DEFAULT_LIMITS }, () => {});
  return flameTreeFromProfile(p, { ...defaultConfig(), ...cfg }, { tagRoot, maxFrames }, warn);
}

/** path (frames root first, joined by \n) -> summed value, from pprof -traces output. */
function pprofPrefixSums(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  const blocks = text.split(/^-{11}\+-+$/m).slice(1);
  for (const block of blocks) {
    let value: number | null = null;
    const frames: string[] = [];
    for (const line of block.split("\n")) {
      if (line.trim() === "") continue;
      if (line.startsWith("             ")) {
        frames.push(line.slice(13).replace(/ \(inline\)$/, ""));
        continue;
      }
      if (/^\s*\S+: {2}/.test(line)) continue; // a label line
      const m = /^\s*(-?[\d.]+)[a-zA-Z]* {3}(.*)$/.exec(line);
      if (!m) throw new Error(`unexpected traces line: ${JSON.stringify(line)}`);
      value = Number(m[1]);
      frames.push(m[2].replace(/ \(inline\)$/, ""));
    }
    if (value === null || frames.length === 0) continue;
    frames.reverse();
    for (let k = 1; k <= frames.length; k++) {
      const key = frames.slice(0, k).join("\n");
      sums.set(key, (sums.get(key) ?? 0) + value);
    }
  }
  for (const [k, v] of sums) if (v === 0) sums.delete(k);
  return sums;
}

function ourPathSums(t: FlameTree): Map<string, number> {
  const out = new Map<string, number>();
  const path: string[] = [];
  for (let i = 1; i < t.count; i++) {
    path.length = t.depth[i] - 1;
    path.push(t.frames[t.frame[i]].name);
    const v = t.totalPos[i] - t.totalNeg[i];
    if (v !== 0) out.set(path.join("\n"), v);
  }
  return out;
}

function compare(files: string[], pprofArgs: string[], cfg: Partial<ReportConfig>, unit: string, tagRoot = "") {
  const r = runPprof(["-traces", `-unit=${unit}`, ...pprofArgs, ...files]);
  expect(r.code, r.stderr).toBe(0);
  const want = pprofPrefixSums(r.stdout);
  const got = ourPathSums(ourTree(files, cfg, tagRoot));
  expect(want.size).toBeGreaterThan(5);
  // Same set of frames (paths) and the same width for each.
  const missing = [...want.keys()].filter((k) => !got.has(k));
  const extra = [...got.keys()].filter((k) => !want.has(k));
  expect(missing.slice(0, 3)).toEqual([]);
  expect(extra.slice(0, 3)).toEqual([]);
  for (const [k, v] of want) expect(got.get(k), k).toBe(v);
}

describe.skipIf(!hasGo)("flame widths = pprof -traces prefix sums", () => {
  const cases: { name: string; files: string[]; sampleIndex?: string; unit: string }[] = [
    { name: "cpu", files: [P("cpubound", "cpu.pb.gz")], unit: "ns" },
    { name: "heap inuse_space", files: [P("allocheavy", "heap.pb.gz")], sampleIndex: "inuse_space", unit: "B" },
    { name: "heap inuse_objects", files: [P("allocheavy", "heap.pb.gz")], sampleIndex: "inuse_objects", unit: "count" },
    { name: "heap alloc_space", files: [P("allocheavy", "heap.pb.gz")], sampleIndex: "alloc_space", unit: "B" },
    { name: "heap alloc_objects", files: [P("allocheavy", "heap.pb.gz")], sampleIndex: "alloc_objects", unit: "count" },
    { name: "block delay", files: [P("chanblock", "block.pb.gz")], unit: "ns" },
    { name: "block contentions", files: [P("chanblock", "block.pb.gz")], sampleIndex: "contentions", unit: "count" },
    { name: "mutex", files: [P("mutexcontention", "mutex.pb.gz")], unit: "ns" },
    { name: "goroutine", files: [P("manygoroutines", "goroutine.pb.gz")], unit: "count" },
    { name: "merged cpu inputs", files: [P("cpubound", "cpu.pb.gz"), P("allocheavy", "cpu.pb.gz")], unit: "ns" },
    { name: "labels cpu", files: [P("labels", "cpu.pb.gz")], unit: "ns" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const args = c.sampleIndex ? [`-sample_index=${c.sampleIndex}`] : [];
      compare(c.files, args, c.sampleIndex ? { sampleIndex: c.sampleIndex } : {}, c.unit);
    });
  }

  it("filters and granularity go through pprof's pipeline (--focus, --lines)", () => {
    compare([P("cpubound", "cpu.pb.gz")], ["-focus=main\\.walk"], { focus: "main\\.walk" }, "ns");
    compare([P("cpubound", "cpu.pb.gz")], ["-lines"], { granularity: "lines" }, "ns");
  });

  it("more node ids than 16 bits hold (the paths are then 32-bit)", () => {
    // 70,000 functions, each called from one site: 400 samples of 40 random frames, every
    // fifth repeating the stack before it (equal stacks group); pprof's text stays under 1 MB
    const b = new ProfileBuilder();
    b.sampleTypes = [{ type: "cpu", unit: "nanoseconds" }];
    b.periodType = { type: "cpu", unit: "nanoseconds" };
    b.period = 1;
    const locs: number[] = [];
    for (let i = 0; i < 70_000; i++) locs.push(b.addLocation([{ func: b.addFunction(`main.f${i}`, `main.f${i}`, "/src/f.go", i), line: i + 1 }], BigInt(0x1000 + i * 16)));
    let x = 7;
    const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x % 70_000);
    let stack: number[] = [];
    for (let s = 0; s < 400; s++) {
      if (s % 5 !== 4) stack = Array.from({ length: 40 }, () => locs[next()]!);
      b.addSample(stack, [1 + (s % 7)]);
    }
    const dir = join(ROOT, "test-output/flame-tree");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "70k-functions.pb.gz");
    writeFileSync(file, writeProfileGz(b.build()));
    compare([file], [], {}, "ns");
  });

  it("--tagroot adds pprof's label pseudo frames", () => {
    compare([P("labels", "cpu.pb.gz")], ["-tagroot=service,stage"], {}, "ns", "service,stage");
    // the split is real: the root has one child per service value plus the unlabelled rest
    const t = ourTree([P("labels", "cpu.pb.gz")], {}, "service");
    const rootKids: string[] = [];
    for (let i = 1; i < t.count; i = t.end[i]) rootKids.push(t.frames[t.frame[i]].name);
    expect(new Set(rootKids)).toEqual(new Set(["api", "batch", "<unknown>"]));
  });
});

describe.skipIf(!hasGo)("--max_frames folds narrow frames into (other)", () => {
  const file = P("cpubound", "cpu.pb.gz");
  // cpubound: 365 frames from 2,720 path frames, so cap 100 counts first; labels: 373 frames
  // from 1,131, so cap 300 first builds, stops at the cap, then counts (both code paths).
  for (const [w, cap] of [["cpubound", 100], ["labels", 300]] as const) {
    it(`${w}, cap ${cap}: keeps exactly pprof's paths wider than the threshold, with pprof's widths, within the cap`, () => {
      checkCap(P(w, "cpu.pb.gz"), cap);
    });
  }

  function checkCap(file: string, cap: number) {
    const r = runPprof(["-traces", "-unit=ns", file]);
    expect(r.code, r.stderr).toBe(0);
    const want = pprofPrefixSums(r.stdout);
    let total = 0;
    for (const [k, v] of want) if (!k.includes("\n")) total += v;
    const full = ourTree([file]);
    expect(full.folded).toBeUndefined();
    expect(full.frames.some((f) => f.name === "(other)")).toBe(false);
    expect(full.count).toBeGreaterThan(cap); // the cap must bite
    const warnings: string[] = [];
    const t = ourTree([file], {}, "", cap, (m) => warnings.push(m));
    expect(t.count).toBeLessThanOrEqual(cap);
    const f = t.folded!;
    expect(f).toBeDefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`folded ${f.foldedFrames} frames`);
    expect(f.fullCount).toBe(full.count);
    // root keeps the whole total (pprof's, summed over its traces)
    expect(t.totalPos[0]).toBe(total);
    // kept paths: exactly pprof's paths wider than minFraction of the total, each with pprof's width;
    // "(other)" under a path: the summed width of pprof's narrower child paths of that path.
    const kept = new Map<string, number>();
    const others = new Map<string, number>();
    const path: string[] = [];
    for (let i = 1; i < t.count; i++) {
      path.length = t.depth[i] - 1;
      const name = t.frames[t.frame[i]].name;
      if (name === "(other)") {
        others.set(path.join("\n"), t.totalPos[i]);
        expect(t.end[i]).toBe(i + 1); // a leaf
        continue;
      }
      path.push(name);
      kept.set(path.join("\n"), t.totalPos[i]);
    }
    const wantKept = new Map<string, number>();
    const wantOther = new Map<string, number>();
    for (const [k, v] of want) {
      if (v / total > f.minFraction) {
        wantKept.set(k, v);
        continue;
      }
      const cut = k.lastIndexOf("\n");
      const parent = cut < 0 ? "" : k.slice(0, cut);
      // folded at the first narrow frame on the path: its parent is kept
      if (parent === "" || (want.get(parent) as number) / total > f.minFraction) {
        wantOther.set(parent, (wantOther.get(parent) ?? 0) + v);
      }
    }
    expect(wantKept.size).toBeGreaterThan(10);
    expect(wantOther.size).toBeGreaterThan(0);
    expect(kept).toEqual(wantKept);
    expect(others).toEqual(wantOther);
    expect(f.others).toBe(wantOther.size);
    expect(f.foldedWidth).toBe([...wantOther.values()].reduce((a, b) => a + b, 0));
  }

  it("the CLI warns once and checks the flag", () => {
    const out = join(ROOT, "test-output", "flame-cap.svg");
    const ok = runCli(["flame", file, "--max_frames", "100", "-o", out]);
    expect(ok.code, ok.stderr).toBe(0);
    const lines = ok.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^flame: the tree has \d+ frames, over --max_frames 100: folded \d+ frames narrower than [\d.]+% of the total \([\d.]+% of its width\) into \d+ "\(other\)" frames$/);
    const bad = runCli(["flame", file, "--max_frames", "ten", "-o", out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/--max_frames/);
  });
});

describe("flame tree structure", () => {
  it("is a preorder tree whose widths add up and children are widest first", () => {
    const t = ourTree([P("cpubound", "cpu.pb.gz")]);
    for (let i = 0; i < t.count; i++) {
      let sum = t.selfPos[i];
      let prev = Infinity;
      for (let c = i + 1; c < t.end[i]; c = t.end[c]) {
        expect(t.depth[c]).toBe(t.depth[i] + 1);
        sum += t.totalPos[c];
        expect(t.totalPos[c]).toBeLessThanOrEqual(prev);
        prev = t.totalPos[c];
      }
      expect(sum).toBe(t.totalPos[i]);
    }
    expect(t.diff).toBe(false);
  });

  it("marks goroutine waits with the shared classifier", () => {
    const t = ourTree([P("manygoroutines", "goroutine.pb.gz")]);
    const classes = new Set<number>();
    for (let i = 0; i < t.count; i++) if (t.waitClass[i] !== 0) classes.add(t.waitClass[i]);
    expect(classes.size).toBeGreaterThan(0);
    // every runtime.gopark frame is part of a wait
    for (let i = 0; i < t.count; i++) {
      if (t.frames[t.frame[i]].name === "runtime.gopark") expect(t.waitClass[i], "gopark unclassified").not.toBe(0);
    }
  });
});
