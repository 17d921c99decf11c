// Property-based fuzzing of every reader (issue 20): fast-check mutates real seed
// files (test/fuzz/mutate.ts) and each input must be read or refused with a typed
// error, within 2 s, with the process under 1 GB RSS after a full GC. In `npm test`
// each target runs for FUZZ_MS (default 250 ms) with a fixed seed; `npm run fuzz`
// (scripts/fuzz.mjs) runs rounds of this file with longer FUZZ_MS and new seeds until
// a million inputs ran. Figures: test-output/fuzz-summary.json (docs/RELIABILITY.md).
// A failure prints fast-check's seed and path: rerun with FUZZ_SEED to reproduce.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEdits, inputArb } from "./fuzz/mutate.js";
import { buildTargets, isTyped, type Target } from "./fuzz/targets.js";
import { ROOT } from "./helpers/run.js";

const TOTAL = Number(process.env.FUZZ_INPUTS ?? 0);
const MS = Number(process.env.FUZZ_MS ?? 250);
const ROUND_MS = Number(process.env.FUZZ_ROUND_MS ?? 15_000);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : TOTAL > 0 ? Date.now() % 2 ** 31 : 20_261_206;
const SLOW_MS = 2000;
const RSS_CEILING = 1 << 30;

// RSS is measured after a full GC: the ceiling is on what the readers keep, not on
// garbage V8 has not collected yet (the worker's heap grows lazily over a long run).
setFlagsFromString("--expose-gc");
const fullGc = runInNewContext("gc") as () => void;

const targets = buildTargets().filter((t) => process.env.FUZZ_ONLY === undefined || t.name.includes(process.env.FUZZ_ONLY));
interface Figures {
  inputs: number;
  typedErrors: number;
  ms: number;
  maxRssMB: number;
  slowestMs: number;
  seeds: number;
}
const summary: Record<string, Figures> = {};

/** Fuzz one target for ms with one seed; its figures accumulate in summary. */
async function fuzz(t: Target, ms: number, seed: number): Promise<void> {
  const s = (summary[t.name] ??= { inputs: 0, typedErrors: 0, ms: 0, maxRssMB: 0, slowestMs: 0, seeds: t.seeds.length });
  const t0 = Date.now();
  await fc.assert(
    fc.asyncProperty(inputArb(t.seeds.length), async ({ seed: which, edits }) => {
      const data = applyEdits(t.seeds[which]!, edits);
      const start = performance.now();
      try {
        await t.run(data);
      } catch (e) {
        if (!isTyped(e)) throw e;
        s.typedErrors++;
      }
      const took = performance.now() - start;
      s.slowestMs = Math.max(s.slowestMs, Math.round(took));
      if (took > SLOW_MS) throw new Error(`slow input: ${Math.round(took)} ms`);
      // Let vitest's worker answer its RPC heartbeats (a long synchronous stretch times it out).
      if (s.inputs % 64 === 0) await new Promise((r) => setImmediate(r));
      if (++s.inputs % 4096 === 0) {
        fullGc();
        const rss = process.memoryUsage.rss();
        s.maxRssMB = Math.max(s.maxRssMB, Math.round(rss / 2 ** 20));
        if (rss > RSS_CEILING) throw new Error(`RSS ${Math.round(rss / 2 ** 20)} MB over the 1 GB ceiling`);
      }
    }),
    { numRuns: 100_000_000, seed, interruptAfterTimeLimit: ms, markInterruptAsFailure: false },
  );
  s.ms += Date.now() - t0;
  fullGc();
  s.maxRssMB = Math.max(s.maxRssMB, Math.round(process.memoryUsage.rss() / 2 ** 20));
  if (process.env.FUZZ_TRACE) console.log(`${t.name}: ${s.inputs} inputs, RSS ${s.maxRssMB} MB after GC, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB, external ${Math.round(process.memoryUsage().external / 2 ** 20)} MB`);
}

const total = () => Object.values(summary).reduce((a, s) => a + s.inputs, 0);

function writeSummary(): void {
  mkdirSync(join(ROOT, "test-output"), { recursive: true });
  const out = { seed: SEED, total: total(), targets: summary };
  writeFileSync(join(ROOT, "test-output/fuzz-summary.json"), JSON.stringify(out, null, 2) + "\n");
  if (TOTAL > 0) console.log(JSON.stringify(out, null, 2));
}

describe(`fuzz the readers (seed ${SEED})`, () => {
  it("every target has real seeds", () => {
    for (const t of targets) expect(t.seeds.length, t.name).toBeGreaterThan(0);
  });

  if (TOTAL > 0) {
    it(`long run: ${TOTAL} inputs across the readers, only typed errors`, async () => {
      for (let round = 0; total() < TOTAL; round++) {
        for (const t of targets) await fuzz(t, ROUND_MS, SEED + round);
        writeSummary();
      }
      expect(total()).toBeGreaterThanOrEqual(TOTAL);
    }, 24 * 3600_000);
  } else {
    for (const t of targets) {
      it(`${t.name}: only typed errors escape`, async () => {
        await fuzz(t, MS, SEED);
        expect(summary[t.name]!.inputs).toBeGreaterThan(0);
      }, MS + 30_000);
    }
    it("summary", () => {
      writeSummary();
      expect(total()).toBeGreaterThan(0);
    });
  }
});
