// What the trace workloads are known to do (testdata/trace/workloads/*/main.go), as
// godiag trace's analyses must show it: the starved HTTP handler waits behind CPU
// hogs on one P, the GC-heavy heap runs many cycles with assists, the network service
// blocks in the poller, requests in tasks/regions wait the way each region is written
// to wait, and a trace cut short is read up to its last complete generation.

import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { analyzeTrace, readTraceFile, type TraceReport, type TypeReport } from "../src/trace/index.js";
import { TRACE_CORPUS } from "./helpers/trace-peers.js";

const MS = 1e6;
const cache = new Map<string, TraceReport>();
function report(n: string): TraceReport {
  let r = cache.get(n);
  if (!r) {
    const f = join(TRACE_CORPUS, `${n}.trace`);
    r = analyzeTrace(f, (visit) => readTraceFile(f, visit));
    cache.set(n, r);
  }
  return r;
}
const group = (r: TraceReport, name: string) => r.groups.find((g) => g.name === name);
/** The largest category of a split. */
const top = (t: TypeReport) => [...t.split].sort((a, b) => b[1] - a[1])[0]?.[0];

describe("starved: three CPU hogs and an HTTP handler on GOMAXPROCS=1", () => {
  it("one P, three spinners that mostly wait for it", () => {
    const r = report("starved");
    expect(r.summary.maxGomaxprocs).toBe(1);
    const spin = group(r, "main.spin")!;
    expect(spin.count).toBe(3);
    // Three goroutines share one P: each can run at most about a third of the time.
    expect(spin.stats.schedWaitNs).toBeGreaterThan(spin.stats.execNs);
  });

  it("the one P is busy all the time", () => {
    const busy = report("starved").summary.utilisation.map((b) => b.busy);
    expect(busy.length).toBe(50);
    // Three spinners never block: some goroutine is always running on the single P.
    for (const b of busy) expect(b).toBeGreaterThan(0.9);
  });

  it("the handler waits for the P for a scheduler quantum (10 ms) or more", () => {
    const r = report("starved");
    const serve = group(r, "net/http.(*conn).serve")!;
    expect(serve.count).toBeGreaterThan(0);
    // The runtime preempts a hog after 10 ms (forcePreemptNS); with three ahead in the run queue
    // the slowest wakeups of the handler wait at least that long.
    expect(serve.schedLatency.maxNs).toBeGreaterThanOrEqual(10 * MS);
    expect(r.schedLatency.p99Ns).toBeGreaterThanOrEqual(10 * MS);
  });

  it("long runs name the spinners and the goroutines they kept waiting", () => {
    const lr = report("starved").longRuns;
    expect(lr.runs.length).toBeGreaterThan(0);
    for (const x of lr.runs) {
      expect(x.name).toBe("main.spin");
      expect(x.durationNs).toBeGreaterThanOrEqual(lr.thresholdNs);
    }
    expect(lr.runs[0].othersRunnableNs).toBeGreaterThan(0);
    expect(lr.runs[0].maxRunnable).toBeGreaterThanOrEqual(2);
  });
});

describe("gcheavy: a pointer-dense heap rebuilt by GOMAXPROCS+2 allocators at GOGC=50", () => {
  const r = report("gcheavy");
  it("many cycles, each with its two stop-the-world pauses", () => {
    expect(r.summary.gcCycles).toBeGreaterThanOrEqual(10);
    const sweepTerm = r.summary.stwByReason.get("GC sweep termination")!;
    const markTerm = r.summary.stwByReason.get("GC mark termination")!;
    // A cycle starts with sweep termination and ends with mark termination; the trace may cut one.
    expect(Math.abs(sweepTerm.count - r.summary.gcCycles)).toBeLessThanOrEqual(1);
    expect(Math.abs(markTerm.count - r.summary.gcCycles)).toBeLessThanOrEqual(1);
  });

  it("allocators assist marking; mark workers run", () => {
    expect(r.summary.markAssist.count).toBeGreaterThan(0);
    const alloc = group(r, "main.main.func1")!;
    expect(alloc.count).toBe(r.summary.maxGomaxprocs + 2);
    expect(alloc.stats.rangeNs.get("GC mark assist") ?? 0).toBeGreaterThan(0);
    expect([...r.summary.gcWorkerNs.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it("MMU: GC takes whole milliseconds, less so of a whole second", () => {
    const at = (w: number) => r.mmu.find((p) => p.windowNs === w)!.mmu;
    expect(at(1 * MS)).toBeLessThan(at(1000 * MS));
    expect(at(1000 * MS)).toBeLessThan(1);
  });
});

describe("network: 40 clients and an echo server on 127.0.0.1", () => {
  const r = report("network");
  it("clients wait on the network and in their 2 ms sleeps", () => {
    const clients = group(r, "main.main.func2")!;
    expect(clients.count).toBe(40);
    const block = clients.stats.blockNs;
    expect(block.get("network") ?? 0).toBeGreaterThan(0);
    expect(block.get("sleep") ?? 0).toBeGreaterThan(0);
  });
  it("the server goroutines (one per connection) block on the network most of their time", () => {
    const serve = group(r, "main.serve")!;
    expect(serve.count).toBeGreaterThanOrEqual(40);
    const net = serve.stats.blockNs.get("network") ?? 0;
    for (const [reason, v] of serve.stats.blockNs) if (reason !== "network") expect(net).toBeGreaterThan(v);
  });
});

describe("tasks: 60 requests, each a task with five regions that wait differently", () => {
  const r = report("tasks");
  it("60 request tasks, 6 audit subtasks, 60 logs", () => {
    expect(r.tasks.find((t) => t.type === "request")!.count).toBe(60);
    expect(r.tasks.find((t) => t.type === "audit")!.count).toBe(6);
    expect(r.summary.logs).toBe(60);
  });
  it("each region's time goes where the code waits", () => {
    const want: Record<string, string> = {
      chanWait: "Block time (chan receive)",
      sleep: "Block time (sleep)",
      mutexWait: "Block time (sync)",
      netRoundTrip: "Block time (network)",
      syscall: "Syscall execution time",
    };
    expect(r.regions.map((x) => x.type).sort()).toEqual(Object.keys(want).sort());
    for (const reg of r.regions) {
      expect(reg.count, reg.type).toBe(60);
      expect(top(reg), reg.type).toBe(want[reg.type]);
    }
  });
  it("a request's time is the sum of its regions' kinds of waiting", () => {
    const req = r.tasks.find((t) => t.type === "request")!;
    for (const k of ["Block time (chan receive)", "Block time (sleep)", "Block time (sync)", "Block time (network)"]) {
      expect(req.split.get(k) ?? 0, k).toBeGreaterThan(0);
    }
    // Every request sleeps 2 ms and waits ~3 ms for the channel and 1 ms for the server.
    expect(req.latency.p50Ns).toBeGreaterThan(6 * MS);
  });
});

describe("cutshort: the program exits while tracing", () => {
  const r = report("cutshort");
  it("is read up to its last complete generation, with a warning", () => {
    expect(r.generations).toBeGreaterThanOrEqual(1);
    expect(r.warnings.join("\n")).toMatch(/cut short/);
    const workers = group(r, "main.main.func1")!;
    expect(workers.count).toBe(8);
    // They loop forever: none ends.
    expect(r.summary.goroutinesEnded).toBe(0);
  });
});

// The old format (the same workloads, Go 1.19): its first EvGomaxprocs only ends the
// start-up, so the stream has no GOMAXPROCS metric until GOMAXPROCS changes (x/exp/trace's
// maxGomaxprocs is 0); the reader keeps that first value for the utilisation.
describe("the Go 1.19 traces: GOMAXPROCS from the first EvGomaxprocs", () => {
  it("starved-go119: the program's GOMAXPROCS(1), and the one P busy", () => {
    const r = report("starved-go119");
    expect(r.summary.maxGomaxprocs).toBe(0); // as x/exp/trace: no metric in the stream
    expect(r.summary.gomaxprocs).toBe(1);
    const busy = r.summary.utilisation.map((b) => b.busy);
    expect(busy.length).toBe(50);
    // Three spinners never block: a goroutine runs on the single P nearly all the time.
    expect(busy.reduce((a, b) => a + b, 0) / busy.length).toBeGreaterThan(0.95);
    for (const b of busy) expect(b).toBeGreaterThan(0.8);
  });

  it("gcheavy-go119: the start's GOMAXPROCS is what each start-the-world restates; Ps busy before that", () => {
    const r = report("gcheavy-go119");
    // The program never changes GOMAXPROCS: the stream's metric (the Gomaxprocs events
    // after each stop-the-world) repeats the value the reader kept from the start.
    const f = join(TRACE_CORPUS, "gcheavy-go119.trace");
    expect(r.summary.maxGomaxprocs).toBeGreaterThan(0);
    expect(readTraceFile(f, () => {}).startGomaxprocs).toBe(r.summary.maxGomaxprocs);
    // Allocators outnumber the Ps: the first bucket (before the first start-the-world
    // re-states GOMAXPROCS) is busy, not 0.
    expect(r.summary.utilisation[0]!.busy).toBeGreaterThan(0.5);
  });
});
