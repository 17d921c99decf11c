// Lock contention from goroutine snapshots alone (block and mutex profiling off).
// The program (testdata/workloads/lockacrosscall) holds an RWMutex write lock in
// main.(*priceCache).refresh across an HTTP round trip while 6 readers queue in
// main.(*priceCache).current, and writes a goroutine?debug=1 snapshot during the
// call and a debug=2 dump right after the Unlock, before the readers have run. Built
// with Go 1.26 and Go 1.19 (whose RLock parks in runtime_SemacquireMutex).

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose, openBundle } from "../src/api/diagnose.js";
import { DEFAULT_LIMITS } from "../src/api/errors.js";
import { available } from "./helpers/available.js";
import { ROOT } from "./helpers/run.js";

const READERS = 6; // the program's constant
const GO119 = "/usr/lib/go-1.19/bin/go";
const TOOLCHAINS: Array<[string, string]> = [["go1.26", "go"]];
if (available(existsSync(GO119), "Go 1.19 at " + GO119)) TOOLCHAINS.push(["go1.19", GO119]);
const dir = mkdtempSync(join(tmpdir(), "godiag-lockacrosscall-"));
const snap = (name: string, n: 1 | 2) => join(dir, `${name}-goroutine-debug${n}.txt`);

beforeAll(() => {
  cpSync(join(ROOT, "testdata/workloads/lockacrosscall/main.go"), join(dir, "main.go"));
  writeFileSync(join(dir, "go.mod"), "module lockacrosscall\n\ngo 1.19\n");
  for (const [name, goBin] of TOOLCHAINS) {
    const r = spawnSync(goBin, ["run", ".", snap(name, 1), snap(name, 2)], {
      cwd: dir,
      encoding: "utf8",
      timeout: 180_000,
      env: { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
    });
    if (r.status !== 0) throw new Error(`${goBin} run failed: ${r.stderr}`);
  }
}, 400_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The top finding above info: category and the function it names first. */
function verdictOf(d: Awaited<ReturnType<typeof run>>): { category: string; function: string } {
  const top = d.findings.find((f) => f.severity !== "info");
  return top ? { category: top.category, function: top.functions[0] ?? "" } : { category: "none", function: "" };
}

const run = async (files: string[]) => diagnose(await openBundle(files, { ...DEFAULT_LIMITS, maxFiles: 100 }));

describe("a write lock held across an HTTP call, seen only in goroutine snapshots", () => {
  for (const [name] of TOOLCHAINS) {
    it(`${name}: goroutine?debug=1 during the call: the readers queue in current, the holder refresh is in an HTTP call`, async () => {
      const d = await run([snap(name, 1)]);
      const f = d.findings[0]!;
      expect(verdictOf(d)).toMatchObject({ category: "mutex-contention", function: "main.(*priceCache).refresh" });
      expect(f.evidence[0]!.numbers.goroutines_waiting_for_lock).toBe(READERS);
      expect(f.title).toMatch(/during an HTTP call/);
    });
    it(`${name}: debug=2 right after the Unlock: the readers, runnable at the lock's semaphore, were queued for it`, async () => {
      const d = await run([snap(name, 2)]);
      expect(verdictOf(d)).toMatchObject({ category: "mutex-contention", function: "main.(*priceCache).current" });
      expect(d.findings[0]!.evidence[0]!.numbers.goroutines_waiting_for_lock).toBe(READERS);
    });
    it(`${name}: both: the snapshot that caught the holder names it`, async () => {
      const d = await run([snap(name, 2), snap(name, 1)]);
      expect(verdictOf(d)).toMatchObject({ category: "mutex-contention", function: "main.(*priceCache).refresh" });
    });
  }
});
