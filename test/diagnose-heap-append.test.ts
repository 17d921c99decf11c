// heap-growth by append, from one heap moment (src/diagnose/rules/heap-retained.ts,
// appenderOf) on a real Go service fetched the way a user does with curl. In
// testdata/workloads/appendkeep, decode allocates each event's payload and ingest hands
// the event to eventLog.add, which appends it to the log's slice; in -mode leak the trim
// never runs (len == limit, batches of 3 step over it), so the payloads are reachable only
// through that slice: the fix is in add (the program's known behaviour), not in decode.
// Its twin (-mode trim) bounds the log with len >= limit. The line figures are go tool
// pprof's (-lines, by sample index).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorkload, startLive, stopAll } from "./helpers/live.js";
import { ROOT, pprofBinary, runCli, runPprof } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-heap-append-"));
let bin: string;
/** decode's line that allocates the payload, and add's append */
let payloadLine: number;
let appendLine: number;

beforeAll(() => {
  bin = buildWorkload("appendkeep");
  pprofBinary();
  const src = readFileSync(join(ROOT, "testdata/workloads/appendkeep/main.go"), "utf8").split("\n");
  payloadLine = src.findIndex((l) => l.includes("e.payload = make([]byte, len(rec))")) + 1;
  appendLine = src.findIndex((l) => l.includes("l.items = append(l.items, batch...)")) + 1;
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

async function eventsStored(url: string): Promise<number> {
  const r = await fetch(`${url}/debug/vars`);
  return Number(((await r.json()) as { events?: number }).events ?? 0);
}

/** Run the workload until it stored `events` events (bounded), then fetch a curl folder. */
async function curlFolder(name: string, args: string[], events: number): Promise<string> {
  const live = await startLive(bin, args);
  try {
    const deadline = Date.now() + 40_000;
    while ((await eventsStored(live.url)) < events) {
      if (Date.now() > deadline) throw new Error(`${name}: fewer than ${events} events stored in 40 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const dir = join(tmp, name);
    mkdirSync(dir);
    const get = async (path: string, file: string) => writeFileSync(join(dir, file), Buffer.from(await (await fetch(live.url + path)).arrayBuffer()));
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

/** go tool pprof's flat bytes at appendkeep's main.go:<line> in function fn, by sample index. */
function pprofLineBytes(heap: string, index: "inuse_space" | "alloc_space", fn: string, line: number): number {
  const r = runPprof(["-top", "-lines", "-nodecount=1000", `-sample_index=${index}`, "-unit=B", heap]);
  expect(r.code).toBe(0);
  const row = r.stdout.split("\n").find((l) => l.includes(`appendkeep/main.go:${line}`) && l.includes(fn));
  if (!row) return 0;
  return Number(/^\s*(\d+)B/.exec(row)![1]);
}

function lineBytes(dir: string, fn: string, line: number): { inuse: number; alloc: number } {
  const heap = join(dir, "heap.out");
  return { inuse: pprofLineBytes(heap, "inuse_space", fn, line), alloc: pprofLineBytes(heap, "alloc_space", fn, line) };
}

function heapGrowth(dir: string): Finding[] {
  const r = runCli(["diagnose", "--json", dir], { timeoutMs: 60_000 });
  expect([0, 1]).toContain(r.code);
  return (JSON.parse(r.stdout) as { findings: Finding[] }).findings.filter((x) => x.category === "heap-growth");
}

const MiB = 1 << 20;

describe("heap growth kept by an append, on a curl folder", () => {
  it("names the function that appends (add), not the one that allocated the kept payloads (decode)", async () => {
    // 30000 events of 1 KB payload: ~30 MB kept, far over the 4 MB floor.
    const dir = await curlFolder("leak", ["-mode", "leak"], 30_000);
    const payload = lineBytes(dir, "main.decode", payloadLine);
    const grown = lineBytes(dir, "main.(*eventLog).add", appendLine);
    // The premises, from pprof: decode's payload line keeps (nearly) all it made...
    expect(payload.inuse).toBeGreaterThanOrEqual(4 * MiB);
    expect(payload.inuse).toBeGreaterThanOrEqual((7 / 8) * payload.alloc);
    // ... and add's append holds a growing backing array (an eighth or more of its growth).
    expect(grown.inuse).toBeGreaterThanOrEqual(1 * MiB);
    expect(grown.inuse * 8).toBeGreaterThanOrEqual(grown.alloc);
    const f = heapGrowth(dir);
    expect(f).toHaveLength(1);
    expect(f[0]!.functions[0]).toBe("main.(*eventLog).add");
    const keeper = f[0]!.evidence.find((e) => e.kind === "heap profile (append that keeps them)")!.numbers;
    expect(keeper.inuse_bytes).toBe(grown.inuse);
    expect(keeper.alloc_bytes).toBe(grown.alloc);
    const kept = f[0]!.evidence.find((e) => e.kind === "heap profile (kept by requests)")!.numbers;
    expect(kept.inuse_bytes).toBe(payload.inuse);
  }, 90_000);

  it("says nothing of its twin whose trim works (a log bounded to 2000 events)", async () => {
    const dir = await curlFolder("trim", ["-mode", "trim"], 30_000);
    const payload = lineBytes(dir, "main.decode", payloadLine);
    // The premise: the same lines allocated as much as the leak's (not excluded by size)...
    expect(payload.alloc).toBeGreaterThanOrEqual(4 * MiB);
    // ... and what the trim drops shows: the payloads are freed.
    expect(payload.inuse).toBeLessThan((7 / 8) * payload.alloc);
    expect(heapGrowth(dir)).toEqual([]);
  }, 90_000);
});
