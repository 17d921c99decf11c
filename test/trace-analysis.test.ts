// The trace analyses against peers: counts and durations against the oracle's stats
// mode (golang.org/x/exp/trace), goroutine groups and per-goroutine time against go tool
// trace's /goroutines and /goroutine pages, MMU against its /mmu plot data. Then what
// the workloads are known to do (testdata/trace/workloads).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  AssistWork,
  analyzeTrace,
  mmuCurve,
  MutatorUtilisation,
  nonOverlapping,
  readTraceFile,
  Summarizer,
  type GoroutineSummary,
  type TraceReport,
  type UtilFlags,
} from "../src/trace/index.js";
import { available } from "./helpers/available.js";
import { haveGo, oracle, parseGroupPage, parseGroupsPage, parseRegionPage, startGoToolTrace, TRACE_CORPUS, type GoToolTrace } from "./helpers/trace-peers.js";

const GO = available(haveGo(), "go (the trace oracle and go tool trace)");
const NAMES = ["starved", "gcheavy", "network", "tasks", "cutshort"];
const file = (n: string) => join(TRACE_CORPUS, `${n}.trace`);

function analyze(n: string): TraceReport {
  return analyzeTrace(file(n), (visit) => readTraceFile(file(n), visit));
}

function goroutines(n: string): Map<number, GoroutineSummary> {
  const s = new Summarizer();
  readTraceFile(file(n), (ev, tables) => s.event(ev, tables));
  return s.finish();
}

interface Dur {
  count: number;
  totalNs: number;
  maxNs: number;
}
interface OracleStats {
  durationNs: number;
  goroutinesCreated: number;
  goroutinesEnded: number;
  gcCycles: number;
  stw: Dur;
  stwByReason: Record<string, Dur>;
  markAssist: Dur;
  gcWorkerNs: Record<string, number>;
  schedLatency: Dur;
  schedLatencyQuantiles: { p50: number; p90: number; p99: number };
  tasks: Record<string, Dur>;
  regions: Record<string, Dur>;
  logs: number;
  maxGomaxprocs: number;
}

describe.skipIf(!GO)("trace summary = oracle stats (x/exp/trace)", () => {
  for (const n of NAMES) {
    it(n, () => {
      const want = JSON.parse(oracle("stats", file(n))) as OracleStats;
      const r = analyze(n);
      const s = r.summary;
      expect(s.durationNs).toBe(want.durationNs);
      expect(s.goroutinesCreated).toBe(want.goroutinesCreated);
      expect(s.goroutinesEnded).toBe(want.goroutinesEnded);
      expect(s.gcCycles).toBe(want.gcCycles);
      expect(s.stw).toEqual(want.stw);
      expect(Object.fromEntries(s.stwByReason)).toEqual(want.stwByReason);
      expect(s.markAssist).toEqual(want.markAssist);
      expect(Object.fromEntries(s.gcWorkerNs)).toEqual(want.gcWorkerNs);
      expect(s.schedLatency).toEqual(want.schedLatency);
      expect(s.logs).toBe(want.logs);
      expect(s.maxGomaxprocs).toBe(want.maxGomaxprocs);
      // Overall scheduler-latency samples are the same intervals, counted by goroutine.
      expect(r.schedLatency.count).toBe(want.schedLatency.count);
      expect(r.schedLatency.maxNs).toBe(want.schedLatency.maxNs);
      const q = want.schedLatencyQuantiles;
      expect([r.schedLatency.p50Ns, r.schedLatency.p90Ns, r.schedLatency.p99Ns]).toEqual([q.p50, q.p90, q.p99]);
      const byType = (ts: TraceReport["tasks"]) =>
        Object.fromEntries(ts.filter((t) => t.count > 0).map((t) => [t.type, { count: t.count, totalNs: t.totalNs, maxNs: t.latency.maxNs }]));
      expect(byType(r.tasks)).toEqual(want.tasks);
      expect(byType(r.regions)).toEqual(want.regions);
    });
  }
});

describe.skipIf(!GO)("assist work (assists while running, runnable or waiting for mark work) = oracle assistwork (x/exp/trace)", () => {
  for (const n of ["gcheavy", "network", "gcheavy-go119", "network-go119"]) {
    it(n, () => {
      const want = JSON.parse(oracle("assistwork", file(n))) as Record<string, number>;
      const a = new AssistWork();
      readTraceFile(file(n), (ev) => a.event(ev));
      const got = Object.fromEntries([...a.finish()].map(([id, ns]) => [String(id), ns]));
      expect(Object.keys(want).length).toBeGreaterThan(0);
      expect(got).toEqual(want);
      // Never more than the assist ranges themselves (x/exp/trace's, as oracle stats sums them).
      const stats = JSON.parse(oracle("stats", file(n))) as OracleStats;
      expect(Object.values(got).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(stats.markAssist.totalNs);
    });
  }
});

describe.skipIf(!GO)("goroutine analysis = go tool trace /goroutines and /goroutine", () => {
  for (const n of NAMES) {
    describe(n, () => {
      let peer: GoToolTrace;
      beforeAll(async () => {
        peer = await startGoToolTrace(file(n));
      }, 120_000);
      afterAll(() => peer?.close());

      it("groups: start function, count, total execution time", async () => {
        const want = parseGroupsPage(await peer.get("/goroutines"));
        expect(want.length).toBeGreaterThan(3);
        const got = analyze(n).groups.map((g) => ({ name: g.name, count: g.count, execNs: g.stats.execNs }));
        const key = (x: { name: string }) => x.name;
        expect([...got].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...want].sort((a, b) => key(a).localeCompare(key(b))));
      });

      it("every goroutine's total and non-overlapping times", async () => {
        const gs = goroutines(n);
        const names = new Set([...gs.values()].map((g) => g.name));
        let rows = 0;
        for (const name of names) {
          const page = parseGroupPage(await peer.get(`/goroutine?name=${encodeURIComponent(name)}`));
          for (const [id, cols] of page) {
            const g = gs.get(id);
            expect(g, `goroutine ${id}`).toBeDefined();
            const ours = nonOverlapping(g!.stats);
            const got = new Map<string, number>([["Total", g!.stats.totalNs]]);
            // The page shows the columns any goroutine of the group has; absent ones are 0.
            for (const col of cols.keys()) if (col !== "Total") got.set(col, ours.get(col) ?? 0);
            expect(Object.fromEntries(got), `goroutine ${id} (${name})`).toEqual(Object.fromEntries(cols));
            rows++;
          }
        }
        expect(rows).toBe(gs.size);
      }, 60_000);

      it("every user region's time split = /userregion", async () => {
        const gs = goroutines(n);
        const types = new Set<string>();
        for (const g of gs.values()) for (const r of g.regions) if (!r.inherited) types.add(r.type);
        let rows = 0;
        const key = (x: { goroutine: number; task: number; cols: Record<string, number> }) => JSON.stringify(x);
        for (const type of types) {
          const want = parseRegionPage(await peer.get(`/userregion?type=${encodeURIComponent(type)}`)).map((r) => ({
            goroutine: r.goroutine,
            task: r.task,
            cols: Object.fromEntries(r.cols),
          }));
          const cols = want.length ? Object.keys(want[0].cols) : [];
          const got: typeof want = [];
          for (const g of gs.values()) {
            for (const r of g.regions) {
              if (r.inherited || r.type !== type) continue;
              const ours = nonOverlapping(r.stats);
              const row: Record<string, number> = {};
              for (const c of cols) row[c] = c === "Total" ? r.stats.totalNs : (ours.get(c) ?? 0);
              got.push({ goroutine: g.id, task: r.task, cols: row });
            }
          }
          expect(got.map(key).sort(), type).toEqual(want.map(key).sort());
          rows += want.length;
        }
        if (n === "tasks") expect(rows).toBe(5 * 60);
      });

      let wholeChecked = 0;
      afterAll(() => {
        // gcheavy's plot starts at 1 ms (MMU 0 there), so it spans six decades: to the whole trace.
        if (n === "gcheavy") expect(wholeChecked).toBeGreaterThan(0);
      });
      for (const flags of ["stw|background|assist", "perProc|stw|background|assist|sweep", "stw|sweep"]) {
        it(`MMU (${flags}) at go tool trace's 100 windows`, async () => {
          const plot = JSON.parse(await peer.get(`/mmu?mode=plot&flags=${encodeURIComponent(flags)}`)) as { curve: [number, number][] };
          const f: UtilFlags = { stw: false, background: false, assist: false, sweep: false, perProc: false };
          for (const k of flags.split("|")) f[k as keyof UtilFlags] = true;
          const util = new MutatorUtilisation(f);
          readTraceFile(file(n), (ev) => util.event(ev));
          // At a 1 ns window go tool trace's band search (gc.go, mkBandUtil/bandMMU) also
          // evaluates a window starting in its last band, after the final event, where
          // the function is 0, so it reports 0 for 1 ns whatever the trace; godiag only
          // considers windows inside the trace. Every window of 2 ns and more is compared.
          const curve = plot.curve.filter((p) => p[0] >= 2);
          expect(curve.length).toBeGreaterThan(90);
          const series = util.finish();
          const got = mmuCurve(series, curve.map((p) => p[0]));
          got.forEach((p, i) => expect(p.mmu, `window ${p.windowNs}ns`).toBeCloseTo(curve[i][1], 9));
          // go tool trace's last window is the trace's span when its plot reaches that far
          // (up to a nanosecond or two: it is exp(log(span)) truncated): then it is the
          // whole-trace utilisation the report gives. 2 ns of an ~1 s window move the mean
          // by ~2e-9, hence 7 digits.
          const span = Math.max(...series.map((s) => s.time[s.time.length - 1])) - Math.min(...series.map((s) => s.time[0]));
          const last = plot.curve[plot.curve.length - 1];
          if (Math.abs(last[0] - span) <= 2 && !f.perProc) {
            expect(mmuCurve(series, [Number.MAX_SAFE_INTEGER])[0].mmu).toBeCloseTo(last[1], 7);
            wholeChecked++;
          }
        });
      }
    });
  }
});

/**
 * Long runs and STW waits recomputed in the test from x/exp/trace's own events (the
 * oracle's events dump), by the definitions in docs/TRACE.md.
 */
function longRunsFromOracle(dump: string, thresholdNs: number) {
  const runs: { goroutine: number; startNs: number; durationNs: number; othersRunnableNs: number; maxRunnable: number }[] = [];
  const stwDelays: { reason: string; startNs: number; waitedNs: number; goroutine: number }[] = [];
  const runStart = new Map<number, { t: number; integral: number; max: number }>();
  const running = new Set<number>();
  const stws = new Map<number, { reason: string; start: number; waiting: Set<number>; last: { t: number; g: number } | null }>();
  let runnable = 0;
  let integral = 0;
  let lastT = NaN;
  for (const line of dump.split("\n")) {
    const t = Number(/ t=(\d+)/.exec(line)?.[1]);
    if (Number.isNaN(t)) continue;
    if (!Number.isNaN(lastT)) integral += runnable * (t - lastT);
    lastT = t;
    const stw = /^Range(Begin|End) .* name="stop-the-world \((.*)\)" scope=Goroutine\((\d+)\)/.exec(line);
    if (stw) {
      const g = Number(stw[3]);
      if (stw[1] === "Begin") stws.set(g, { reason: stw[2], start: t, waiting: new Set([...running].filter((x) => x !== g)), last: null });
      else {
        const s = stws.get(g);
        if (s?.last && s.last.t - s.start >= thresholdNs / 10) stwDelays.push({ reason: s.reason, startNs: s.start, waitedNs: s.last.t - s.start, goroutine: s.last.g });
        stws.delete(g);
      }
      continue;
    }
    const m = /^StateTransition .* res=Goroutine\((\d+)\) from=(\w+) to=(\w+)/.exec(line);
    if (!m || m[2] === m[3]) continue;
    const [g, from, to] = [Number(m[1]), m[2], m[3]];
    if (from === "Runnable") runnable--;
    if (to === "Runnable") runnable++;
    runnable = Math.max(0, runnable);
    for (const r of runStart.values()) r.max = Math.max(r.max, runnable);
    if (to === "Running") running.add(g);
    if (from === "Running") {
      running.delete(g);
      const r = runStart.get(g);
      runStart.delete(g);
      if (r && t - r.t >= thresholdNs) runs.push({ goroutine: g, startNs: r.t, durationNs: t - r.t, othersRunnableNs: integral - r.integral, maxRunnable: r.max });
      for (const s of stws.values()) if (s.waiting.delete(g)) s.last = { t, g };
    }
    if (to === "Running" && from !== "Undetermined") runStart.set(g, { t, integral, max: runnable });
  }
  runs.sort((a, b) => b.othersRunnableNs - a.othersRunnableNs || b.durationNs - a.durationNs);
  stwDelays.sort((a, b) => b.waitedNs - a.waitedNs);
  return { runs: runs.slice(0, 20), stwDelays: stwDelays.slice(0, 20) };
}

describe.skipIf(!GO)("long runs and STW waits = recomputed from x/exp/trace's events", () => {
  for (const n of ["starved", "gcheavy"]) {
    it(n, () => {
      const want = longRunsFromOracle(oracle("events", file(n)), 10e6);
      const got = analyze(n).longRuns;
      expect(want.runs.length).toBeGreaterThan(0);
      if (n === "gcheavy") expect(want.stwDelays.length).toBeGreaterThan(0);
      expect(got.runs.map(({ goroutine, startNs, durationNs, othersRunnableNs, maxRunnable }) => ({ goroutine, startNs, durationNs, othersRunnableNs, maxRunnable }))).toEqual(want.runs);
      expect(got.stwDelays.map(({ reason, startNs, waitedNs, goroutine }) => ({ reason, startNs, waitedNs, goroutine }))).toEqual(want.stwDelays);
    });
  }
});
