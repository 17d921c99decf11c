// heap-growth from one heap moment (src/diagnose/rules/heap-retained.ts) on a real Go
// service fetched the way a user does with curl: a heap profile taken during a CPU
// profile, and a goroutine dump, in a folder with no manifest, no gctrace, no MemStats.
// testdata/workloads/keptbytes keeps what requests allocate three ways: a leak (never
// evicted), its healthy twin (an LRU bounded by size, full and evicting), a cache
// loaded at start-up, and one loaded by the first request through sync.Once. The expected figures are go tool pprof's (-lines, by sample index)
// for the line that makes the kept copies.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { curlHeapFolder, diagnoseFindings, lineBytes } from "./helpers/heap-folder.js";
import { buildWorkload, stopAll } from "./helpers/live.js";
import { ROOT, pprofBinary } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-heap-retained-"));
let bin: string;
/** the line of quoteStore.put that makes the kept copy */
let putLine: number;

beforeAll(() => {
  bin = buildWorkload("keptbytes");
  pprofBinary();
  const src = readFileSync(join(ROOT, "testdata/workloads/keptbytes/main.go"), "utf8").split("\n");
  putLine = src.findIndex((l) => l.includes("cp := make([]byte, len(body))")) + 1;
}, 300_000);

afterAll(async () => {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

const MiB = 1 << 20;
// The rule's two thresholds, restated: 4 MB in use at the line, and in use >= 7/8 of allocated.
const MIN_INUSE = 4 * MiB;
const KEPT = 7 / 8;

/** In-use and allocated bytes of quoteStore.put's copy line, as go tool pprof -lines gives them. */
const putLineBytes = (dir: string) => lineBytes(dir, "main.(*quoteStore).put", `keptbytes/main.go:${putLine}`);

/** The heap-growth findings diagnose gives on the folder. */
const heapGrowth = (dir: string) => diagnoseFindings(dir).filter((x) => x.category === "heap-growth");

/** A curl folder of keptbytes once it answered `quotes` requests. */
const curlFolder = (name: string, args: string[], quotes: number) => curlHeapFolder(bin, join(tmp, name), args, "quotes", quotes);

describe("heap growth from one heap moment, on a curl folder", () => {
  it("names the line that keeps every copy it made (the leak) with pprof's figures", async () => {
    const dir = await curlFolder("leak", ["-mode", "leak"], 4000);
    const { inuse, alloc } = putLineBytes(dir);
    // The program's known behaviour: nothing evicts, ~4 KB kept per request.
    expect(inuse).toBeGreaterThanOrEqual(MIN_INUSE);
    expect(inuse).toBeGreaterThanOrEqual(KEPT * alloc);
    const f = heapGrowth(dir);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe("warning");
    expect(f[0]!.functions[0]).toBe("main.(*quoteStore).put");
    const n = f[0]!.evidence.find((e) => e.kind === "heap profile (kept by requests)")!.numbers;
    expect(n.inuse_bytes).toBe(inuse);
    expect(n.alloc_bytes).toBe(alloc);
    // The requests that reach it were served during the CPU profile.
    expect(f[0]!.evidence.some((e) => e.kind === "cpu profile (still running)")).toBe(true);
  }, 90_000);

  it("says nothing of its healthy twin, an LRU bounded by size that is full and evicting", async () => {
    // 4096 entries of 4 KB (16 MB: ~32 samples at the 512 KB rate, so the 4 MB premise is
    // not at the mercy of sampling); after 3x as many requests the LRU has been full for
    // about two thirds of the run, so its line keeps about a third of what it made.
    const dir = await curlFolder("lru", ["-mode", "lru", "-entries", "4096"], 3 * 4096);
    const { inuse, alloc } = putLineBytes(dir);
    // The premise: big enough to be named, were it kept (not excluded by size alone)...
    expect(inuse).toBeGreaterThanOrEqual(MIN_INUSE);
    // ... and what evicts shows: in use is well under what was allocated.
    expect(inuse).toBeLessThan(KEPT * alloc);
    expect(heapGrowth(dir)).toEqual([]);
  }, 90_000);

  it("says nothing of a cache loaded at start-up, however much of it is kept", async () => {
    const dir = await curlFolder("startup", ["-mode", "startup", "-entries", "4096"], 2000);
    const { inuse, alloc } = putLineBytes(dir);
    // The same line keeps all it made, 16 MB: only where it was called from (main, not a request) differs.
    expect(inuse).toBeGreaterThanOrEqual(MIN_INUSE);
    expect(inuse).toBeGreaterThanOrEqual(KEPT * alloc);
    expect(heapGrowth(dir)).toEqual([]);
  }, 90_000);

  it("says nothing of a cache the first request loads through sync.Once", async () => {
    const dir = await curlFolder("lazy", ["-mode", "lazy", "-entries", "4096"], 2000);
    const { inuse, alloc } = putLineBytes(dir);
    // Under a request handler this time, and kept: made once, whatever the requests since.
    expect(inuse).toBeGreaterThanOrEqual(MIN_INUSE);
    expect(inuse).toBeGreaterThanOrEqual(KEPT * alloc);
    expect(heapGrowth(dir)).toEqual([]);
  }, 90_000);
});
