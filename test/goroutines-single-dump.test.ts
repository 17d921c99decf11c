// One goroutine dump, goroutines parked on other goroutines: which groups are leak
// suspects without a second dump to show growth. The program
// (testdata/workloads/parkedleak) parks three groups: a worker pool started together
// at start-up (healthy), watchers started by one request in twenty, each outliving
// its request (the leak), and one event pump per open HTTP stream, started by the
// stream's handler, which is still serving it (healthy). Built with Go 1.26 and with
// Go 1.19, whose dumps do not say which goroutine created which.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeDump } from "../src/goroutines/analyze/analyze.js";
import { idBatches, outlivedPeers } from "../src/goroutines/analyze/suspects.js";
import { parseGoroutineData } from "../src/goroutines/read/dump.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { available } from "./helpers/available.js";
import { ROOT } from "./helpers/run.js";

const GO119 = "/usr/lib/go-1.19/bin/go";
const TOOLCHAINS: Array<[string, string]> = [["go1.26", "go"]];
if (available(existsSync(GO119), "Go 1.19 at " + GO119)) TOOLCHAINS.push(["go1.19", GO119]);

// The program's own constants (main.go): 400 requests, a watcher every 20th.
const REQUESTS = 400;
const WATCH_EVERY = 20;
const WATCHERS = REQUESTS / WATCH_EVERY;
const STREAMS = 8;
/** runtime/proc.go _GoidCacheBatch: a P reserves ids 16 at a time. */
const GOID_BATCH = 16;

const dir = mkdtempSync(join(tmpdir(), "godiag-parkedleak-"));
cpSync(join(ROOT, "testdata/workloads/parkedleak/main.go"), join(dir, "main.go"));
writeFileSync(join(dir, "go.mod"), "module parkedleak\n\ngo 1.19\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dumpWith(goBin: string): string {
  const r = spawnSync(goBin, ["run", "."], {
    cwd: dir,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
  });
  if (r.status !== 0) throw new Error(`${goBin} run failed: ${r.stderr}`);
  return r.stdout;
}

describe("one dump: goroutines that outlived their requests vs a pool", () => {
  for (const [name, goBin] of TOOLCHAINS) {
    it(`${name}: the watchers are the only leak suspect; neither the pool of the same size nor the streams' pumps are`, () => {
      const dump = parseGoroutineData(new TextEncoder().encode(dumpWith(goBin)), "dump.txt", DEFAULT_LIMITS);
      const r = analyzeDump(dump, "dump.txt");
      const watch = r.buckets.find((b) => b.frames[0]?.func === "main.watch")!;
      const pool = r.buckets.find((b) => b.frames.some((f) => f.func === "main.worker"))!;
      expect(watch.count).toBe(WATCHERS);
      expect(pool.count).toBe(WATCHERS);
      const pumps = r.buckets.find((b) => b.frames[0]?.func === "main.pump")!;
      expect(pumps.count).toBe(STREAMS);
      // Fewer than "hundreds": only the ids say these were made one by one.
      expect(r.suspects.map((s) => [s.kind, s.where?.func, s.count])).toEqual([["leak", "main.watch", WATCHERS]]);
      const alive = new Set(r.buckets.flatMap((b) => b.members.map((g) => g.id)));
      // Between the first watcher (request 0) and the last (request 380), the 379
      // requests in between each ran in a goroutine that returned. But each P caches a
      // batch of 16 ids: what a P had left of a batch taken during the loop can go to
      // goroutines made later that are still alive (the streams' connections, handlers
      // and pumps), at most 15 ids per P (GOMAXPROCS = the CPUs the program sees).
      const leftover = availableParallelism() * (GOID_BATCH - 1);
      expect(outlivedPeers(watch, alive)).toBeGreaterThanOrEqual(REQUESTS - WATCH_EVERY - 1 - leftover);
      // Watchers are 20 goroutine creations apart (19 requests in between), more than
      // a batch of ids; with one P each would sit in its own batch. With several Ps the
      // creations between two watchers can fall to the other Ps, so two watchers of one
      // P may share its batch: far more batches than a burst fills, at most one each.
      // The pool was started in one loop: consecutive ids of its P, at most
      // ceil(20 / 16) + 1 batches.
      expect(idBatches(watch)).toBeGreaterThan(Math.ceil(WATCHERS / GOID_BATCH) + 1);
      expect(idBatches(watch)).toBeLessThanOrEqual(WATCHERS);
      expect(idBatches(pool)).toBeLessThanOrEqual(Math.ceil(WATCHERS / GOID_BATCH) + 1);
      // The pumps were made one by one too, with short requests' goroutines finishing
      // between them; what keeps them from being suspects is that their handlers are
      // still serving the streams.
      expect(outlivedPeers(pumps, alive)).toBeGreaterThanOrEqual(STREAMS);
    }, 200_000);
  }
});
