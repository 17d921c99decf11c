// Lock contention from goroutine snapshots alone (block and mutex profiling off).
// The program (testdata/workloads/lockacrosscall) holds an RWMutex write lock in
// main.(*priceCache).refresh across an HTTP round trip while 6 readers queue in
// main.(*priceCache).current, and writes a goroutine?debug=1 snapshot during the
// call and a debug=2 dump right after the Unlock, before the readers have run.

import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose, openBundle } from "../src/api/diagnose.js";
import { DEFAULT_LIMITS } from "../src/api/errors.js";
import { ROOT } from "./helpers/run.js";

const READERS = 6; // the program's constant
const dir = mkdtempSync(join(tmpdir(), "godiag-lockacrosscall-"));
const debug1 = join(dir, "goroutine-debug1.txt");
const debug2 = join(dir, "goroutine-debug2.txt");

beforeAll(() => {
  cpSync(join(ROOT, "testdata/workloads/lockacrosscall/main.go"), join(dir, "main.go"));
  writeFileSync(join(dir, "go.mod"), "module lockacrosscall\n\ngo 1.19\n");
  const r = spawnSync("go", ["run", ".", debug1, debug2], {
    cwd: dir,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
  });
  if (r.status !== 0) throw new Error(`go run failed: ${r.stderr}`);
}, 200_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The top finding above info: category and the function it names first. */
function verdictOf(d: Awaited<ReturnType<typeof run>>): { category: string; function: string } {
  const top = d.findings.find((f) => f.severity !== "info");
  return top ? { category: top.category, function: top.functions[0] ?? "" } : { category: "none", function: "" };
}

const run = async (files: string[]) => diagnose(await openBundle(files, { ...DEFAULT_LIMITS, maxFiles: 100 }));

describe("a write lock held across an HTTP call, seen only in goroutine snapshots", () => {
  it("goroutine?debug=1 during the call: the readers queue in current, the holder refresh is in an HTTP call", async () => {
    const d = await run([debug1]);
    const f = d.findings[0]!;
    expect(verdictOf(d)).toMatchObject({ category: "mutex-contention", function: "main.(*priceCache).refresh" });
    expect(f.evidence[0]!.numbers.goroutines_waiting_for_lock).toBe(READERS);
    expect(f.title).toMatch(/during an HTTP call/);
  });
  it("debug=2 right after the Unlock: the readers, runnable at the read lock's semaphore, were queued for it", async () => {
    const d = await run([debug2]);
    expect(verdictOf(d)).toMatchObject({ category: "mutex-contention", function: "main.(*priceCache).current" });
    expect(d.findings[0]!.evidence[0]!.numbers.goroutines_waiting_for_lock).toBe(READERS);
  });
  it("both: the snapshot that caught the holder names it", async () => {
    const d = await run([debug2, debug1]);
    expect(verdictOf(d)).toMatchObject({ category: "mutex-contention", function: "main.(*priceCache).refresh" });
  });
});
