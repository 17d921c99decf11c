// In-process timing of `godiag goroutines`' core: read + parse + bucket a dump.
// Bundled by bench/goroutines.mjs with esbuild; argv: FILE RUNS. Prints JSON.
import { bucketize } from "../src/goroutines/analyze/buckets.js";
import { readGoroutineFile } from "../src/goroutines/read/dump.js";
import { goroutineTotal } from "../src/goroutines/model.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const times: number[] = [];
const cpu: number[] = [];
let total = 0;
let buckets = 0;
let coldMs = 0;
for (let i = 0; i < runs + 1; i++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const d = readGoroutineFile(file!, DEFAULT_LIMITS);
  const b = bucketize(d);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  if (i === 0) coldMs = ms;
  else {
    times.push(ms); // the first run warms the JIT
    cpu.push((c.user + c.system) / 1000);
  }
  total = goroutineTotal(d);
  buckets = b.length;
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
console.log(JSON.stringify({ total, buckets, runs, coldMs, medianMs: times[Math.floor(times.length / 2)], minMs: times[0], cpuMedianMs: cpu[Math.floor(cpu.length / 2)] }));
