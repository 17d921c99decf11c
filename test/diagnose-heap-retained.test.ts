// heap-growth from one heap moment (src/diagnose/rules/heap-retained.ts) on a real Go
// service fetched the way a user does with curl: a heap profile taken during a CPU
// profile, and a goroutine dump, in a folder with no manifest, no gctrace, no MemStats.
// testdata/workloads/keptbytes keeps what requests allocate three ways: a leak (never
// evicted), its healthy twin (an LRU bounded by size, full and evicting), a cache
// loaded at start-up, and one loaded by the first request through sync.Once. The expected figures are go tool pprof's (-lines, by sample index)
// for the line that makes the kept copies.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorkload, startLive, stopAll } from "./helpers/live.js";
import { ROOT, pprofBinary, runCli, runPprof } from "./helpers/run.js";

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

interface Finding {
  category: string;
  severity: string;
  functions: string[];
  evidence: Array<{ kind: string; numbers: Record<string, number> }>;
}

async function quotesServed(url: string): Promise<number> {
  const r = await fetch(`${url}/debug/vars`);
  return Number(((await r.json()) as { quotes?: number }).quotes ?? 0);
}

/** Run the workload until it answered `quotes` requests (bounded), then fetch a curl folder. */
async function curlFolder(name: string, args: string[], quotes: number): Promise<string> {
  const live = await startLive(bin, args);
  try {
    const deadline = Date.now() + 40_000;
    while ((await quotesServed(live.url)) < quotes) {
      if (Date.now() > deadline) throw new Error(`${name}: fewer than ${quotes} requests answered in 40 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const dir = join(tmp, name);
    mkdirSync(dir);
    const get = async (path: string, file: string) => writeFileSync(join(dir, file), Buffer.from(await (await fetch(live.url + path)).arrayBuffer()));
    // As by hand: the CPU profile in the background, the heap and a dump meanwhile.
    const cpu = get("/debug/pprof/profile?seconds=2", "cpu.out");
    await new Promise((r) => setTimeout(r, 500));
    await get("/debug/pprof/heap", "heap.out");
    await get("/debug/pprof/goroutine?debug=2", "g1.txt");
    await cpu;
    return dir;
  } finally {
    await live.stop();
  }
}

/** go tool pprof's flat bytes at keptbytes' main.go:<line>, by sample index. */
function pprofLineBytes(heap: string, index: "inuse_space" | "alloc_space", line: number): number {
  const r = runPprof(["-top", "-lines", "-nodecount=1000", `-sample_index=${index}`, "-unit=B", heap]);
  expect(r.code).toBe(0);
  const row = r.stdout.split("\n").find((l) => l.includes(`keptbytes/main.go:${line}`) && l.includes("main.(*quoteStore).put"));
  if (!row) return 0;
  return Number(/^\s*(\d+)B/.exec(row)![1]);
}

function diagnoseJson(dir: string): Finding[] {
  const r = runCli(["diagnose", "--json", dir], { timeoutMs: 60_000 });
  expect([0, 1]).toContain(r.code);
  return (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
}

const MiB = 1 << 20;
// The rule's two thresholds, restated: 4 MB in use at the line, and in use >= 7/8 of allocated.
const MIN_INUSE = 4 * MiB;
const KEPT = 7 / 8;

/** In-use and allocated bytes of the put line in the folder's heap profile, as go tool pprof -lines gives them. */
function putLineBytes(dir: string): { inuse: number; alloc: number } {
  const heap = join(dir, "heap.out");
  return { inuse: pprofLineBytes(heap, "inuse_space", putLine), alloc: pprofLineBytes(heap, "alloc_space", putLine) };
}

/** The heap-growth findings diagnose gives on the folder. */
const heapGrowth = (dir: string) => diagnoseJson(dir).filter((x) => x.category === "heap-growth");

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
