// Merging, scaling and source/base combination, checked by hand and, when go is
// on PATH, against `go tool pprof -raw -symbolize=none` on real and synthetic profiles.

process.env.TZ = "UTC"; // formatRaw prints Time in the local zone, like Go

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { combineSources } from "../src/core/transform/combine.js";
import { compactProfile, mergeProfiles } from "../src/core/transform/merge.js";
import { compatibilizeSampleTypes, normalize, removeLabel, scale, scaleN, scaleProfiles, setLabel } from "../src/core/transform/scale.js";
import { writeProfileGz } from "../src/core/codec/pprof-write.js";
import { parseProfileData } from "../src/core/codec/decode.js";
import { ProfileBuilder, type LabelInput } from "../src/core/model/builder.js";
import type { Mapping, Profile } from "../src/core/model/profile.js";
import { formatRaw } from "../src/pprof/report/raw.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { available } from "./helpers/available.js";

const ROOT = resolve(import.meta.dirname, "..");
const PPROF = resolve(ROOT, "../shared/corpus/google-pprof");
const SYN = join(PPROF, "synthetic");
const LARGE = join(PPROF, "internal/proftest/testdata/large.cpu");
const REAL = join(ROOT, "testdata/profiles");
const HAVE_GO = available(spawnSync("go", ["version"]).status === 0, "Go");

const tmp = mkdtempSync(join(tmpdir(), "godiag-merge-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function load(file: string): Profile {
  return parseProfileData(readFileSync(file), file, DEFAULT_LIMITS);
}

interface Case {
  sources: string[];
  base?: string;
  diff?: boolean;
  normalize?: boolean;
}

function ours(c: Case): string {
  try {
    const p = combineSources(
      c.sources.map(load),
      c.base ? [load(c.base)] : [],
      { diffBase: c.diff ?? false, normalize: c.normalize ?? false, fakeMappings: true },
    );
    return formatRaw(p, { driver: true });
  } catch (e) {
    return "ERROR " + (e as Error).message;
  }
}

function theirs(c: Case): string {
  const args = ["tool", "pprof", "-raw", "-symbolize=none"];
  if (c.base) args.push(c.diff ? "-diff_base" : "-base", c.base);
  if (c.normalize) args.push("-normalize");
  const r = spawnSync("go", [...args, ...c.sources], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, TZ: "UTC", PPROF_BINARY_PATH: tmp },
  });
  return r.status === 0 ? r.stdout : "ERROR " + r.stderr.trim();
}

/** Write a profile to a temp .pb.gz so go tool pprof can read it. */
let nfile = 0;
function save(p: Profile): string {
  const f = join(tmp, `p${nfile++}.pb.gz`);
  writeFileSync(f, writeProfileGz(p));
  return f;
}

function mapping(id: number, start: bigint, limit: bigint, file: string, buildId = ""): Mapping {
  return {
    id, start, limit, offset: 0n, file, buildId,
    hasFunctions: true, hasFilenames: true, hasLineNumbers: true, hasInlineFrames: false,
  };
}

/** A small CPU-like profile; stacks are lists of function names, leaf first. */
function cpu(
  samples: [string[], number, LabelInput[]?][],
  o: { start?: bigint; buildId?: string; time?: number; comments?: string[]; unit?: string; noMapping?: boolean } = {},
): Profile {
  const b = new ProfileBuilder();
  b.sampleTypes = [{ type: "samples", unit: "count" }, { type: "cpu", unit: o.unit ?? "nanoseconds" }];
  b.periodType = { type: "cpu", unit: o.unit ?? "nanoseconds" };
  b.period = 10;
  b.timeNanos = BigInt(o.time ?? 0);
  b.durationNanos = 1e9;
  b.comments = o.comments ?? [];
  const start = o.start ?? 0x400000n;
  if (!o.noMapping) b.mappings = [mapping(1, start, start + 0x10000n, "/bin/app", o.buildId ?? "abc")];
  const locs = new Map<string, number>();
  const loc = (name: string): number => {
    let l = locs.get(name);
    if (l === undefined) {
      const f = b.internFunction(name, name, "app.go", 1);
      const addr = start + BigInt(0x100 + name.length * 0x10 + name.charCodeAt(0));
      l = b.addLocation([{ func: f, line: name.length }], addr, o.noMapping ? -1 : 0);
      locs.set(name, l);
    }
    return l;
  };
  for (const [stack, v, labels] of samples) b.addSample(stack.map(loc), [v, v * 10], labels);
  return b.build();
}

describe("mergeProfiles (hand-checked)", () => {
  it("sums identical samples, numbers rows in first-use order", () => {
    const a = cpu([[["c", "b", "main"], 1], [["b", "main"], 2]]);
    const b = cpu([[["d", "main"], 4], [["c", "b", "main"], 3]]);
    const m = mergeProfiles([a, b]);
    expect(m.samples.length).toBe(3);
    expect(Array.from(m.samples.values)).toEqual([4, 40, 2, 20, 4, 40]);
    expect(Array.from(m.locations.id)).toEqual([1, 2, 3, 4]);
    expect(Array.from(m.samples.stack)).toEqual([0, 1, 2, 1, 2, 3, 2]);
    expect(m.mappings.length).toBe(1);
  });

  it("drops samples that sum to zero, and rows only they used", () => {
    const a = cpu([[["x", "main"], 5], [["y", "main"], 1]]);
    const b = cpu([[["x", "main"], -5]]);
    const m = mergeProfiles([a, b]);
    expect(m.samples.length).toBe(1);
    expect(m.locations.length).toBe(2); // y, main
    expect(m.functions.length).toBe(2);
    expect(m.str(m.functions.name[0])).toBe("y");
  });

  it("shifts addresses of a binary mapped elsewhere onto the kept mapping", () => {
    const a = cpu([[["f"], 1]], { start: 0x400000n });
    const b = cpu([[["f"], 2]], { start: 0x7f0000n });
    const m = mergeProfiles([a, b]);
    expect(m.mappings.length).toBe(1);
    expect(m.locations.length).toBe(1);
    expect(m.samples.values[0]).toBe(3);
    expect(m.locations.address[0]).toBe(0x400000n + BigInt(0x100 + 0x10 + 0x66));
  });

  it("merges samples whose labels differ only in order, keeps distinct ones", () => {
    const l1: LabelInput[] = [{ key: "b", str: "2" }, { key: "a", str: "1" }, { key: "n", num: 3, unit: "bytes" }];
    const l2: LabelInput[] = [{ key: "n", num: 3, unit: "bytes" }, { key: "a", str: "1" }, { key: "b", str: "2" }];
    const l3: LabelInput[] = [{ key: "a", str: "1" }];
    const m = mergeProfiles([cpu([[["f"], 1, l1], [["f"], 1, l2], [["f"], 1, l3]])]);
    expect(m.samples.length).toBe(2);
    const keys = Array.from(m.labels.key.subarray(0, m.samples.labelStart[1])).map((k) => m.str(k));
    expect(keys).toEqual(["a", "b", "n"]); // canonical order: string labels by key, then numeric
  });

  it("combines headers", () => {
    const a = cpu([[["f"], 1]], { time: 100, comments: ["x", "y"] });
    const b = cpu([[["f"], 1]], { time: 50, comments: ["y", "z"] });
    b.period = 20;
    const m = mergeProfiles([a, b]);
    expect([m.timeNanos, m.durationNanos, m.period]).toEqual([50n, 2e9, 20]);
    expect(m.comments).toEqual(["x", "y", "z"]);
  });

  it("rejects incompatible profiles with pprof's messages", () => {
    expect(() => mergeProfiles([])).toThrow("no profiles to merge");
    const a = cpu([[["f"], 1]]);
    const b = cpu([[["f"], 1]], { unit: "milliseconds" });
    expect(() => mergeProfiles([a, b])).toThrow(/^incompatible period types &\{cpu nanoseconds \d+ \d+\} and &\{cpu milliseconds/);
  });

  it("compacts a profile", () => {
    const a = cpu([[["f"], 0], [["g"], 1]]);
    const c = compactProfile(a);
    expect(c.samples.length).toBe(1);
    expect(c.locations.length).toBe(1);
  });
});

describe("scale and friends (hand-checked)", () => {
  it("scaleN rounds half away from zero and drops zeroed samples", () => {
    const p = cpu([[["f"], 1], [["g"], 3], [["h"], -3]]);
    scaleN(p, [0.5, 1]);
    // 0.5 -> 1 (Go's math.Round), 1.5 -> 2, -1.5 -> -2
    expect(Array.from(p.samples.values)).toEqual([1, 10, 2, 30, -2, -30]);
    scaleN(p, [0, 1]); // ratio-1 values are not consulted: every sample goes
    expect(p.samples.length).toBe(0);
  });

  it("scale(-1), normalize, labels", () => {
    const p = cpu([[["f"], 2], [["g"], 6]]);
    const base = cpu([[["f"], 1], [["g"], 3]]);
    normalize(p, base);
    expect(Array.from(p.samples.values)).toEqual([1, 10, 3, 30]);
    scale(base, -1);
    expect(Array.from(base.samples.values)).toEqual([-1, -10, -3, -30]);
    setLabel(base, "pprof::base", ["true"]);
    expect(base.labels.length).toBe(2);
    removeLabel(base, "pprof::base");
    expect(base.labels.length).toBe(0);
  });

  it("compatibilizes and scales units", () => {
    const a = cpu([[["f"], 3]], { unit: "milliseconds" });
    const b = cpu([[["f"], 3]]);
    b.sampleTypes = [b.sampleTypes[1], b.sampleTypes[0]];
    b.samples = { ...b.samples, values: Float64Array.from([30, 3]) };
    compatibilizeSampleTypes([a, b]);
    expect(b.sampleTypes.map((t) => t.type)).toEqual(["samples", "cpu"]);
    scaleProfiles([a, b]);
    expect(a.sampleTypes[1].unit).toBe("nanoseconds");
    expect(Array.from(a.samples.values)).toEqual([3, 30e6]);
    expect(a.period).toBe(10e6);
    expect(() => compatibilizeSampleTypes([a, cpu([[["f"], 1]])].map((p, i) => {
      if (i === 1) p.sampleTypes = [{ type: "alloc", unit: "bytes" }, { type: "x", unit: "y" }];
      return p;
    }))).toThrow("profiles have empty common sample type list");
  });

  it("merging large.cpu twice is fast", () => {
    const a = load(LARGE);
    const b = load(LARGE);
    const t0 = performance.now();
    const m = mergeProfiles([a, b]);
    const ms = performance.now() - t0;
    expect(m.samples.length).toBe(a.samples.length);
    expect(m.samples.values[0]).toBe(2 * a.samples.values[0]);
    console.log(`merge large.cpu x2: ${ms.toFixed(1)} ms (${a.samples.length} samples, ${a.locations.length} locations)`);
  });
});

/** Lines of a -raw dump (timeNanos is exact in the model, so nothing is masked). */
function rawLines(raw: string): string[] {
  return raw.split("\n");
}

function realProfiles(name: string): string[] {
  if (!existsSync(REAL)) return [];
  return readdirSync(REAL)
    .map((d) => join(REAL, d, name))
    .filter((f) => existsSync(f));
}

describe.runIf(HAVE_GO)("against go tool pprof -raw", () => {
  const cases: [string, () => Case][] = [
    ["large.cpu + large.cpu", () => ({ sources: [LARGE, LARGE] })],
    ["cpu + cpusmall", () => ({ sources: [join(SYN, "cpu.demangled.pb.gz"), join(SYN, "cpusmall.demangled.pb.gz")] })],
    ["heap variants (labels)", () => ({
      sources: ["heap", "heap_tags", "heap_sizetags", "heap_request"].map((n) => join(SYN, `${n}.demangled.pb.gz`)),
    })],
    ["raw + demangled cpu", () => ({ sources: [join(SYN, "cpu.raw.pb.gz"), join(SYN, "cpu.demangled.pb.gz")] })],
    ["contention x2", () => ({ sources: [join(SYN, "contention.demangled.pb.gz"), join(SYN, "contention.raw.pb.gz")] })],
    ["cpu vs heap (incompatible)", () => ({ sources: [join(SYN, "cpu.demangled.pb.gz"), join(SYN, "heap.demangled.pb.gz")] })],
    ["-base cpusmall", () => ({ sources: [join(SYN, "cpu.demangled.pb.gz")], base: join(SYN, "cpusmall.demangled.pb.gz") })],
    ["-diff_base cpusmall", () => ({
      sources: [join(SYN, "cpu.demangled.pb.gz")], base: join(SYN, "cpusmall.demangled.pb.gz"), diff: true,
    })],
    ["-base -normalize", () => ({
      sources: [join(SYN, "cpu.demangled.pb.gz")], base: join(SYN, "cpusmall.demangled.pb.gz"), normalize: true,
    })],
    ["-diff_base self (all zero)", () => ({ sources: [LARGE], base: LARGE, diff: true })],
    ["-base self (all zero)", () => ({ sources: [LARGE], base: LARGE })],
    ["-base heap_tags -normalize", () => ({
      sources: [join(SYN, "heap_sizetags.demangled.pb.gz")], base: join(SYN, "heap_tags.demangled.pb.gz"), normalize: true, diff: true,
    })],
    ["-base incompatible", () => ({ sources: [join(SYN, "cpu.demangled.pb.gz")], base: join(SYN, "heap.demangled.pb.gz") })],
  ];
  // Real Go profiles, when the fixtures have been captured.
  for (const kind of ["cpu.pb.gz", "heap.pb.gz", "allocs.pb.gz", "goroutine.pb.gz", "heap.debug1.txt", "goroutine.debug1.txt"]) {
    const files = realProfiles(kind);
    if (files.length >= 2) {
      cases.push([`real ${kind} x${files.length}`, () => ({ sources: files })]);
      cases.push([`real ${kind} -diff_base`, () => ({ sources: [files[0]], base: files[1], diff: true })]);
    }
  }
  const mutex = realProfiles("mutex.pb.gz");
  const block = realProfiles("block.pb.gz");
  if (mutex.length > 0 && block.length > 0) cases.push(["real mutex + block", () => ({ sources: [mutex[0], block[0]] })]);
  const heapText = realProfiles("heap.debug1.txt");
  const heapPb = realProfiles("heap.pb.gz");
  if (heapText.length > 0 && heapPb.length > 0) {
    cases.push(["real heap text + proto", () => ({ sources: [heapText[0], heapPb[0]] })]);
  }

  // Synthetic profiles exercising the merge's keys and quirks.
  cases.push(["synthetic: mapping moved, labels, zero sums", () => {
    const l = (k: string, v: string): LabelInput => ({ key: k, str: v });
    const a = cpu([
      [["c", "b", "main"], 3, [l("x", "1"), l("y", "2")]],
      [["b", "main"], 2, [{ key: "n", num: 7, unit: "bytes" }, { key: "n", num: 8 }]],
      [["z", "main"], 4],
    ], { time: 2000, comments: ["one"] });
    const b = cpu([
      [["c", "b", "main"], 5, [l("y", "2"), l("x", "1")]],
      [["z", "main"], -4],
      [["q", "main"], 1, [l("x", "1"), l("x", "0")]],
    ], { start: 0x7f0000n, time: 1000, comments: ["two", "one"] });
    return { sources: [save(a), save(b)] };
  }]);
  cases.push(["synthetic: mapped + unmapped sources", () => ({
    sources: [save(cpu([[["a", "m"], 1]], { noMapping: true })), save(cpu([[["a", "m"], 2]])), save(cpu([[["b"], 1]], { noMapping: true }))],
  })]);
  for (const outerFn of [true, false]) {
    cases.push([`synthetic: location key column quirk (outer function: ${outerFn})`, () => {
      const mk = (col: number, v: number): Profile => {
        const b = new ProfileBuilder();
        b.sampleTypes = [{ type: "samples", unit: "count" }];
        b.periodType = { type: "cpu", unit: "nanoseconds" };
        b.mappings = [mapping(1, 0x1000n, 0x2000n, "/bin/q", "bid")];
        const f = b.addFunction("inl", "inl", "q.go", 1);
        const g = b.addFunction("outer", "outer", "q.go", 1);
        // Same address and lines, inner columns differ: pprof's key hides that
        // column behind the next line's function id, so with one they merge.
        const lines = [{ func: f, line: 3, column: col }, { func: outerFn ? g : -1, line: 9, column: 1 }];
        b.addSample([b.addLocation(lines, 0x1100n, 0)], [v]);
        return b.build();
      };
      return { sources: [save(mk(1, 1)), save(mk(2, 2))] };
    }]);
  }
  cases.push(["synthetic: 130 sources (chunked by 128)", () => {
    const files: string[] = [];
    for (let i = 0; i < 130; i++) {
      const p = cpu([[["f" + (i % 7), "main"], 1 + (i % 3)]], { time: i % 5 === 0 ? 0 : 1000 + ((i * 37) % 101), comments: ["c" + (i % 4)] });
      p.period = 10 + (i % 9);
      files.push(save(p));
    }
    return { sources: files };
  }]);
  cases.push(["synthetic: units scaled before merge", () => ({
    sources: [save(cpu([[["f"], 3]], { unit: "milliseconds" })), save(cpu([[["f"], 3]])), save(cpu([[["g"], 1]], { unit: "seconds" }))],
  })]);

  for (const [name, make] of cases) {
    it(name, { timeout: 180_000 }, () => {
      const c = make();
      const want = theirs(c);
      const got = ours(c);
      if (want.startsWith("ERROR")) expect(got).toBe(want);
      else expect(rawLines(got)).toEqual(rawLines(want));
    });
  }
});
