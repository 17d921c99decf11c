// In-process timing of the execution-trace reader: a full read (every event to a visitor
// that counts them). Bundled by bench/trace-reader.mjs with esbuild; argv: FILE RUNS.
// RUNS 0: one read in a fresh process (what a command pays, JIT warm-up included).
// Prints JSON.
import { readTraceFile } from "../src/trace/index.js";

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const times: number[] = [];
const cpu: number[] = [];
let events = 0;
let bytes = 0;
let coldMs = 0;
let coldCpuMs = 0;
for (let i = 0; i < runs + 1; i++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let n = 0;
  const r = readTraceFile(file!, () => {
    n++;
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  if (i === 0) {
    coldMs = ms;
    coldCpuMs = (c.user + c.system) / 1000;
  } else {
    times.push(ms); // the first run warms the JIT
    cpu.push((c.user + c.system) / 1000);
  }
  events = n;
  bytes = r.bytes;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log(
  JSON.stringify({
    events,
    bytes,
    runs,
    coldMs,
    coldCpuMs,
    medianMs: median(times),
    minMs: Math.min(...times),
    cpuMedianMs: median(cpu),
    rssMB: process.memoryUsage().rss / 1e6,
  }),
);
