// npm run fuzz: the long fuzzing run (issue 20). Rounds of test/fuzz-readers.test.ts,
// each in a fresh process with its own seed and FUZZ_ROUND_MS per target, until
// FUZZ_INPUTS inputs (default 1,000,000) ran in total. One process per round keeps
// the RSS ceiling about what one run of the readers holds, as one CLI command is
// one process (Node's sync zlib keeps buffers of failed inflations: docs/RELIABILITY.md).
// Stops at the first failing round; the figures go to test-output/fuzz-long-summary.json.

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TOTAL = Number(process.env.FUZZ_INPUTS ?? 1_000_000);
const ROUND_MS = Number(process.env.FUZZ_ROUND_MS ?? 15_000);
const BASE_SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 30);
const summaryFile = join(ROOT, "test-output/fuzz-summary.json");
const outFile = join(ROOT, "test-output/fuzz-long-summary.json");

const agg = { baseSeed: BASE_SEED, rounds: [], total: 0, crashes: 0, targets: {} };
mkdirSync(dirname(outFile), { recursive: true });
const vitest = join(ROOT, "node_modules/vitest/vitest.mjs");
for (let round = 0; agg.total < TOTAL; round++) {
  const seed = BASE_SEED + round;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [vitest, "run", "test/fuzz-readers.test.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: { ...process.env, FUZZ_MS: String(ROUND_MS), FUZZ_SEED: String(seed), FUZZ_INPUTS: "" },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    agg.crashes++;
    writeFileSync(outFile, JSON.stringify(agg, null, 2) + "\n");
    process.stdout.write(r.stdout + r.stderr);
    console.error(`round ${round} (FUZZ_SEED=${seed}) failed; rerun: FUZZ_MS=${ROUND_MS} FUZZ_SEED=${seed} npx vitest run test/fuzz-readers.test.ts`);
    process.exit(1);
  }
  const s = JSON.parse(readFileSync(summaryFile, "utf8"));
  agg.rounds.push({ seed, inputs: s.total, seconds: Math.round((Date.now() - t0) / 1000) });
  agg.total += s.total;
  for (const [name, f] of Object.entries(s.targets)) {
    const a = (agg.targets[name] ??= { inputs: 0, typedErrors: 0, maxRssMB: 0, slowestMs: 0, seeds: f.seeds });
    a.inputs += f.inputs;
    a.typedErrors += f.typedErrors;
    a.maxRssMB = Math.max(a.maxRssMB, f.maxRssMB);
    a.slowestMs = Math.max(a.slowestMs, f.slowestMs);
  }
  writeFileSync(outFile, JSON.stringify(agg, null, 2) + "\n");
  console.log(`round ${round}: seed ${seed}, ${s.total} inputs (total ${agg.total} of ${TOTAL})`);
}
console.log(JSON.stringify(agg, null, 2));
