// heap-growth by append, from one heap moment (src/diagnose/rules/heap-retained.ts,
// appenderOf) on a real Go service fetched the way a user does with curl. In
// testdata/workloads/appendkeep, decode allocates each event's payload and ingest hands
// the event to eventLog.add, which appends it to the log's slice; in -mode leak the trim
// never runs (len == limit, batches of 3 step over it), so the payloads are reachable only
// through that slice: the fix is in add (the program's known behaviour), not in decode.
// Its twin (-mode trim) bounds the log with len >= limit. The line figures are go tool
// pprof's (-lines, by sample index).

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { curlHeapFolder, diagnoseFindings, lineBytes as bytesAt } from "./helpers/heap-folder.js";
import { buildWorkload, stopAll } from "./helpers/live.js";
import { ROOT, pprofBinary } from "./helpers/run.js";

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

/** One line's in-use and allocated bytes, as go tool pprof -lines gives them. */
const lineBytes = (dir: string, fn: string, line: number) => bytesAt(dir, fn, `appendkeep/main.go:${line}`);

/** The heap-growth findings diagnose gives on the folder. */
const heapGrowth = (dir: string) => diagnoseFindings(dir).filter((x) => x.category === "heap-growth");

/** A curl folder of appendkeep once it stored `events` events. */
const curlFolder = (name: string, args: string[], events: number) => curlHeapFolder(bin, join(tmp, name), args, "events", events);

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
