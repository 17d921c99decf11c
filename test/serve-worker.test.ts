// godiag serve computes views on a worker thread (src/apps/web/server/worker.ts): while
// a slow view (the call graph of a big profile, seconds of work) computes, the page, its
// script and /api/meta answer. Asserted as an ordering, not a timing (a loaded machine):
// each fast request is sent after the slow one is under way and must finish before it.
// On one thread they could not: the slow view's handler holds the thread to the end.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeProfileGz } from "../src/core/codec/index.js";
import { ProfileBuilder } from "../src/core/model/index.js";
import { available } from "./helpers/available.js";
import { CLI, ROOT } from "./helpers/run.js";
import { startServe, type RunningServe } from "./helpers/serve-ui.js";

const hasCli = available(existsSync(CLI), `the built CLI (${CLI})`);
const OUT = join(ROOT, "test-output/serve-worker");
const BIG = join(OUT, "big.pb.gz");

/** 40k samples of 40 random frames out of 3,000 functions: a call graph of seconds. */
function writeBigProfile(): void {
  mkdirSync(OUT, { recursive: true });
  const b = new ProfileBuilder();
  b.sampleTypes = [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }];
  b.periodType = { type: "cpu", unit: "nanoseconds" };
  b.period = 10_000_000;
  const locs: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const f = b.addFunction(`main.f${i}`, `main.f${i}`, `/src/f${i % 50}.go`, i);
    locs.push(b.addLocation([{ func: f, line: 10 + (i % 7) }], BigInt(0x1000 + i * 16)));
  }
  let x = 12345;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x % 3000);
  for (let s = 0; s < 40_000; s++) {
    const stack: number[] = [];
    for (let d = 0; d < 40; d++) stack.push(locs[next()]!);
    b.addSample(stack, [1, 10_000_000]);
  }
  writeFileSync(BIG, writeProfileGz(b.build()));
}

describe.skipIf(!hasCli)("godiag serve: views on a worker thread", () => {
  let srv: RunningServe;
  beforeAll(async () => {
    writeBigProfile();
    srv = await startServe([BIG]);
  }, 120_000);
  afterAll(async () => {
    await srv?.stop();
  });

  it("answers the page, its script and /api/meta while a slow view computes", async () => {
    const done: string[] = [];
    const t0 = performance.now();
    // lines granularity: not the state the server warmed (top, functions)
    // done when its answer begins (headers): a big body still in transit must not count
    const slow = fetch(srv.url + "api/dot?g=lines").then(async (r) => {
      done.push("dot");
      const ms = performance.now() - t0;
      const body = (await r.json()) as { text?: string };
      return { status: r.status, text: body.text ?? "", ms };
    });
    // the slow request is under way (the server has read it) before the fast ones leave
    await new Promise((r) => setTimeout(r, 300));
    const fast: { path: string; status: number; ms: number }[] = [];
    for (const path of ["", "assets/main.js", "api/meta"]) {
      const t = performance.now();
      const r = await fetch(srv.url + path);
      await r.text();
      done.push(path);
      fast.push({ path, status: r.status, ms: performance.now() - t });
    }
    const s = await slow;
    console.log(`slow dot view ${s.ms.toFixed(0)} ms; meanwhile ${fast.map((f) => `/${f.path} ${f.ms.toFixed(0)} ms`).join(", ")}`);
    expect(s.status).toBe(200);
    expect(s.text).toContain("digraph");
    for (const f of fast) expect(f.status).toBe(200);
    expect(done).toEqual(["", "assets/main.js", "api/meta", "dot"]);
  }, 300_000);

  it("a view's error still reaches the page (400 with the CLI's line) from the worker", async () => {
    const r = await fetch(srv.url + "api/top?focus=(");
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/^parsing focus regexp: error parsing regexp: missing closing \)/);
  }, 120_000);
});
