// In-process timing of `godiag trace`'s analyses: one pass of the reader feeding every
// analysis (analyzeTraceFile). Bundle it first: node_modules/.bin/esbuild
// bench/trace-analyze-inproc.ts --bundle --platform=node --format=esm --outfile=bench/out/ta.mjs
// then: node bench/out/ta.mjs FILE RUNS. Run 0 is the fresh-process one (JIT warm-up
// included); the warm runs follow. Prints JSON.
import { analyzeTraceFile } from "../src/api/trace.js";

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const cpu: number[] = [];
const wall: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  analyzeTraceFile(file!);
  const c = process.cpuUsage(c0);
  wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
  cpu.push((c.user + c.system) / 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log(
  JSON.stringify({
    runs,
    coldMs: wall[0],
    coldCpuMs: cpu[0],
    warmMedianMs: median(wall.slice(1)),
    warmMinCpuMs: Math.min(...cpu.slice(1)),
    rssMB: process.memoryUsage().rss / 1e6,
  }),
);
