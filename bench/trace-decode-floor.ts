// The floor under godiag's trace reader: every generation scanned and its tables built as
// the reader does, then every thread's batches decoded into typed-array columns (type,
// time, four arguments, offset) by one tight loop, with no ordering, no event records and
// no visitor. What is left between this and a full read is the ordering, the frontier and
// the per-event view. With "merge" as a third argument, each generation's threads are
// decoded whole and then merged by time through a binary heap of threads (the frontier
// without the ordering's checks): the floor of decoding plus merging. Bundle: node_modules/.bin/esbuild bench/trace-decode-floor.ts
// --bundle --platform=node --format=esm --outfile=bench/out/floor.mjs; then
// node bench/out/floor.mjs FILE RUNS [merge] (run 0: the fresh-process one). Prints JSON.
import { readFileSync } from "node:fs";
import { buildGeneration, scanGeneration, type Batch, type Generation } from "../src/trace/read/generation.js";
import { TIMED_ARGS } from "../src/trace/wire/spec.js";

const HEADER_LEN = 16;
const STRIDE = 4;
let typs = new Uint8Array(0);
let times = new Float64Array(0);
let args = new Int32Array(0);
let poss = new Int32Array(0);

/** Decode one batch into the columns; returns its event count (stops at a bad event). */
function decodeBatch(g: Generation, b: Batch): number {
  const cap = (b.end - b.start) >> 1;
  if (typs.length < cap) {
    typs = new Uint8Array(cap);
    times = new Float64Array(cap);
    args = new Int32Array(cap * STRIDE);
    poss = new Int32Array(cap);
  }
  const buf = g.buf;
  const end = b.end;
  const freq = g.freq;
  let last = Math.trunc(b.time * freq);
  let p = b.start;
  let n = 0;
  while (p < end) {
    const typ = buf[p];
    const nargs = TIMED_ARGS[typ];
    if (nargs < 0) return n;
    const at = p++;
    let dt = 0;
    for (let k = -1; k < nargs; k++) {
      // Go's uvarint, in doubles past 28 bits (the floor needs the bytes' cost, not the edge cases).
      let v = 0;
      let mul = 1;
      for (;;) {
        if (p >= end) return n;
        const c = buf[p++];
        v += (c & 0x7f) * mul;
        if (c < 0x80) break;
        mul *= 128;
      }
      if (k < 0) dt = v;
      else args[n * STRIDE + k] = v | 0;
    }
    last = Math.trunc(dt * freq) + last;
    typs[n] = typ;
    times[n] = last;
    poss[n] = at;
    n++;
  }
  return n;
}

/** One thread's decoded generation: times of its events, in order. */
interface Lane {
  times: Float64Array;
  n: number;
  i: number;
}

/** Decode every thread's batches whole, then merge by time; returns the events merged. */
function mergeGeneration(g: Generation): number {
  const lanes: Lane[] = [];
  for (const m of g.ms) {
    const batches = g.batches.get(m)!;
    let cap = 0;
    for (const b of batches) cap += (b.end - b.start) >> 1;
    const t = new Float64Array(cap);
    let total = 0;
    for (const b of batches) {
      const n = decodeBatch(g, b);
      t.set(times.subarray(0, n), total);
      total += n;
    }
    if (total > 0) lanes.push({ times: t, n: total, i: 0 });
  }
  // A binary heap of lanes by their next event's time.
  const h = lanes;
  const key = (l: Lane) => l.times[l.i];
  const down = (i: number) => {
    for (;;) {
      const a = 2 * i + 1;
      const b = a + 1;
      let m = i;
      if (a < h.length && key(h[a]) < key(h[m])) m = a;
      if (b < h.length && key(h[b]) < key(h[m])) m = b;
      if (m === i) return;
      const t = h[i];
      h[i] = h[m];
      h[m] = t;
      i = m;
    }
  };
  for (let i = (h.length >> 1) - 1; i >= 0; i--) down(i);
  // Take events from the earliest thread while they come before every other thread's next
  // one (the root's children hold the second earliest): ~3 events a turn on a busy trace.
  let merged = 0;
  while (h.length > 0) {
    const l = h[0];
    let limit = Infinity;
    if (h.length > 1) limit = key(h[1]);
    if (h.length > 2 && key(h[2]) < limit) limit = key(h[2]);
    const t = l.times;
    let i = l.i;
    do {
      i++;
      merged++;
    } while (i < l.n && t[i] < limit);
    l.i = i;
    if (i === l.n) {
      h[0] = h[h.length - 1];
      h.pop();
    }
    down(0);
  }
  return merged;
}

function floor(file: string, merge: boolean): number {
  const buf = readFileSync(file);
  const version = Number(/^go 1\.(\d+) trace/.exec(buf.subarray(0, HEADER_LEN).toString("latin1"))?.[1] ?? 0);
  if (version < 22) throw new Error(`${file}: the floor reads the Go 1.22+ format only`);
  let pos = HEADER_LEN;
  let events = 0;
  for (;;) {
    const r = scanGeneration(buf, pos, buf.length, 0, version >= 26);
    if (r.kind === "end") break;
    const batches = r.batches;
    const g = buildGeneration(buf, 0, batches, version);
    if (merge) events += mergeGeneration(g);
    else for (const m of g.ms) for (const b of g.batches.get(m)!) events += decodeBatch(g, b);
    if (r.kind !== "complete") break;
    pos = r.next;
  }
  return events;
}

const [file, runsArg, mode] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const cpu: number[] = [];
let events = 0;
for (let i = 0; i < runs + 1; i++) {
  const c0 = process.cpuUsage();
  events = floor(file!, mode === "merge");
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
console.log(JSON.stringify({ events, coldCpuMs: cpu[0], warmMinCpuMs: runs > 0 ? Math.min(...cpu.slice(1)) : null }));
