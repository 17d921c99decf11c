// Continuous diagnosis: per target, the scrapes of one window (alerting.window)
// are summarised — goroutines, heap in use, GC CPU, CPU per leaf function — and
// when the window closes the trend rules run over the last N windows and the
// diagnose rules over the window's latest profiles. What changed is returned as
// alert transitions (firing/resolved) and findings.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBundle } from "../bundle/index.js";
import { diagnose } from "../diagnose/index.js";
import type { WatchConfig } from "./config.js";
import type { Target } from "./discovery.js";
import type { ScrapeResult } from "./scrape.js";
import { Semaphore } from "./semaphore.js";
import { fitTrend, growing, type Fit } from "./trend.js";
import type { AlertPayload } from "./webhook.js";

export interface WindowPoint {
  endMs: number;
  goroutines?: number;
  heapInuse?: number;
}

export interface FindingSummary {
  id: string;
  category: string;
  severity: "critical" | "warning" | "info";
  title: string;
}

export interface WindowOutcome {
  changes: AlertPayload[];
  findings: FindingSummary[];
  goroutineFit?: Fit;
  heapFit?: Fit;
}

const DIAGNOSES = new Semaphore(1);

const SEV = { info: 1, warning: 2, critical: 3 } as const;

/** CPU samples a window needs before its per-function shares are compared (2 s at 100 Hz). */
const MIN_CPU_SAMPLES = 200;

/**
 * What a window needs of one scrape: a few numbers, CPU per leaf function and the raw
 * (gzipped) profiles for the diagnose rules. Taken from the decoded scrape at once, so
 * that the decoded profiles (hundreds of KB of JS objects each) are dropped as soon as
 * they are queued for the store, however long the window's evaluation waits.
 */
export interface ScrapeSummary {
  startMs: number;
  durationMs: number;
  /** the goroutine profile's count (the sum of its counts) */
  goroutines?: number;
  /** /debug/vars HeapInuse, else the heap profile's inuse_space */
  heapInuse?: number;
  gcCpu?: number;
  /** the CPU profile's last sample type summed per leaf function */
  cpuByLeaf?: Map<string, number>;
  /** the CPU profile's samples (its first sample type) */
  cpuSamples: number;
  raw: Map<string, Buffer>;
}

export function summarizeScrape(r: ScrapeResult): ScrapeSummary {
  const out: ScrapeSummary = { startMs: r.startMs, durationMs: r.durationMs, cpuSamples: 0, raw: new Map(r.profiles.map((p) => [p.type, p.raw])) };
  const g = r.profiles.find((p) => p.type === "goroutine");
  if (g) out.goroutines = g.normalized.samples.reduce((n, s) => n + (s.values[0] ?? 0), 0);
  if (r.vars) {
    out.heapInuse = r.vars.heapInuse;
    out.gcCpu = r.vars.gcCpuFraction;
  } else {
    const heap = r.profiles.find((p) => p.type === "heap");
    const k = heap?.normalized.header.sampleTypes.findIndex((t) => t.type === "inuse_space") ?? -1;
    if (heap && k >= 0) out.heapInuse = heap.normalized.samples.reduce((n, s) => n + (s.values[k] ?? 0), 0);
  }
  const cpu = r.profiles.find((p) => p.type === "cpu");
  if (cpu) {
    const k = cpu.normalized.header.sampleTypes.length - 1;
    const leaf = new Map(cpu.normalized.stacks.map((s) => [s.id, s.leaf]));
    const by = new Map<string, number>();
    for (const s of cpu.normalized.samples) {
      const f = leaf.get(s.stack) ?? "";
      by.set(f, (by.get(f) ?? 0) + (s.values[k] ?? 0));
      out.cpuSamples += s.values[0] ?? 0;
    }
    out.cpuByLeaf = by;
  }
  return out;
}

export class TargetWindow {
  private startMs = 0;
  private readonly history: WindowPoint[] = [];
  private cpuByLeaf = new Map<string, number>();
  private cpuTotal = 0;
  private cpuSamples = 0;
  private baseline: Map<string, number> | null = null;
  private latestRaw = new Map<string, Buffer>();
  private goroutines?: number;
  private heapInuse?: number;
  private gcCpu?: number;
  private readonly active = new Map<string, AlertPayload>();
  private prevFindings = new Set<string>();

  constructor(
    private readonly target: Target,
    private readonly cfg: WatchConfig["alerting"],
    private readonly runDiagnosis: boolean,
  ) {}

  /** Add a scrape's summary; when its window is over, evaluate it. */
  async add(r: ScrapeSummary): Promise<WindowOutcome | null> {
    if (this.startMs === 0) this.startMs = r.startMs;
    if (r.goroutines !== undefined) this.goroutines = r.goroutines;
    if (r.heapInuse !== undefined) this.heapInuse = r.heapInuse;
    if (r.gcCpu !== undefined) this.gcCpu = r.gcCpu;
    for (const [f, v] of r.cpuByLeaf ?? []) {
      this.cpuByLeaf.set(f, (this.cpuByLeaf.get(f) ?? 0) + v);
      this.cpuTotal += v;
    }
    this.cpuSamples += r.cpuSamples;
    for (const [type, raw] of r.raw) this.latestRaw.set(type, raw);
    if (r.startMs + r.durationMs - this.startMs < this.cfg.windowMs) return null;
    return this.close(r.startMs + r.durationMs);
  }

  private async close(endMs: number): Promise<WindowOutcome> {
    const point: WindowPoint = { endMs, goroutines: this.goroutines, heapInuse: this.heapInuse };
    this.history.push(point);
    const keep = Math.max(this.cfg.goroutineGrowth.windows, this.cfg.heapGrowth.windows);
    while (this.history.length > keep) this.history.shift();
    const now = new Map<string, Omit<AlertPayload, "status" | "time" | "job" | "instance" | "labels">>();

    const series = (key: "goroutines" | "heapInuse", windows: number): { t: number[]; v: number[] } => {
      const pts = this.history.slice(-windows).filter((p) => p[key] !== undefined);
      return { t: pts.map((p) => p.endMs), v: pts.map((p) => p[key]!) };
    };
    const gs = series("goroutines", this.cfg.goroutineGrowth.windows);
    const goroutineFit = gs.v.length >= 2 ? fitTrend(gs.t, gs.v) : undefined;
    if (goroutineFit && growing(goroutineFit, this.cfg.goroutineGrowth.windows, this.cfg.goroutineGrowth.minPerMinute))
      now.set("GoroutinesGrowing", {
        alert: "GoroutinesGrowing",
        severity: "warning",
        summary: `goroutines grew from ${goroutineFit.first} to ${goroutineFit.last} over ${goroutineFit.points} windows: +${goroutineFit.perMinute.toFixed(1)}/min (r²=${goroutineFit.r2.toFixed(2)})`,
        values: { per_minute: goroutineFit.perMinute, r2: goroutineFit.r2, first: goroutineFit.first, last: goroutineFit.last, windows: goroutineFit.points },
      });
    const hs = series("heapInuse", this.cfg.heapGrowth.windows);
    const heapFit = hs.v.length >= 2 ? fitTrend(hs.t, hs.v) : undefined;
    if (heapFit && growing(heapFit, this.cfg.heapGrowth.windows, this.cfg.heapGrowth.minBytesPerMinute))
      now.set("HeapGrowing", {
        alert: "HeapGrowing",
        severity: "warning",
        summary: `heap in use grew from ${heapFit.first} to ${heapFit.last} bytes over ${heapFit.points} windows: +${Math.round(heapFit.perMinute)} B/min (r²=${heapFit.r2.toFixed(2)})`,
        values: { bytes_per_minute: heapFit.perMinute, r2: heapFit.r2, first: heapFit.first, last: heapFit.last, windows: heapFit.points },
      });
    if (this.gcCpu !== undefined && this.gcCpu > this.cfg.gcCpuMaxFraction)
      now.set("GcCpuHigh", {
        alert: "GcCpuHigh",
        severity: "warning",
        summary: `GC uses ${(this.gcCpu * 100).toFixed(1)}% of the CPU (bound ${(this.cfg.gcCpuMaxFraction * 100).toFixed(0)}%)`,
        values: { gc_cpu_fraction: this.gcCpu, bound: this.cfg.gcCpuMaxFraction },
      });
    this.hotspots(now);

    const findings = this.runDiagnosis ? await this.diagnoseWindow() : [];
    const ids = new Set(findings.map((f) => f.id));
    for (const f of findings)
      if (!this.prevFindings.has(f.id) && SEV[f.severity] >= SEV[this.cfg.findingsMinSeverity])
        now.set(`Finding:${f.id}`, { alert: "FindingAppeared", severity: f.severity, summary: `${f.category}: ${f.title}`, values: { finding: f.id, category: f.category } });
    this.prevFindings = ids;

    const changes: AlertPayload[] = [];
    const base = { job: this.target.job, instance: this.target.address, labels: this.target.labels, time: new Date(endMs).toISOString() };
    for (const [key, a] of now)
      if (!this.active.has(key)) {
        const p: AlertPayload = { ...base, ...a, status: "firing" };
        this.active.set(key, p);
        changes.push(p);
      }
    for (const [key, a] of this.active)
      if (!now.has(key)) {
        this.active.delete(key);
        changes.push({ ...a, ...base, status: "resolved" });
      }
    // A finding is an event, not a state: it fires once when it appears.
    for (const key of [...this.active.keys()]) if (key.startsWith("Finding:")) this.active.delete(key);

    this.startMs = endMs;
    this.cpuByLeaf = new Map();
    this.cpuTotal = 0;
    this.cpuSamples = 0;
    this.latestRaw = new Map();
    return { changes, findings, goroutineFit, heapFit };
  }

  /** Alerts currently holding (for the metrics). */
  activeAlerts(): string[] {
    return [...new Set([...this.active.values()].map((a) => a.alert))];
  }

  /** A function whose CPU share rose by min_share over its share in the baseline (the first window with CPU). */
  private hotspots(now: Map<string, Omit<AlertPayload, "status" | "time" | "job" | "instance" | "labels">>): void {
    // Shares of a handful of samples are noise (one 10 ms sample is 12 % of eight):
    // a window counts only with MIN_CPU_SAMPLES, the baseline too.
    if (this.cpuSamples < MIN_CPU_SAMPLES) return;
    const shares = new Map([...this.cpuByLeaf].map(([f, v]) => [f, v / this.cpuTotal]));
    if (this.baseline === null) {
      this.baseline = shares;
      return;
    }
    const rising = [...shares].map(([f, share]) => [f, share, share - (this.baseline!.get(f) ?? 0)] as const).sort((a, b) => b[2] - a[2]);
    // The three that rose most: a new hot spot, not a list of everything that moved.
    for (const [f, share] of rising.slice(0, 3)) {
      const before = this.baseline.get(f) ?? 0;
      if (share - before >= this.cfg.newHotspotMinShare)
        now.set(`NewHotspot:${f}`, {
          alert: "NewHotspot",
          severity: "warning",
          summary: `${f} now takes ${(share * 100).toFixed(1)}% of CPU (baseline ${(before * 100).toFixed(1)}%)`,
          values: { function: f, share, baseline_share: before },
        });
    }
  }

  /** The diagnose rules over the window's latest profiles, written as a loose folder. */
  private async diagnoseWindow(): Promise<FindingSummary[]> {
    if (this.latestRaw.size === 0) return [];
    // One diagnosis at a time in the process: each decodes its target's profiles again
    // (a few MB of JS objects); 200 windows closing together must not hold 200 of them.
    await DIAGNOSES.acquire();
    try {
      return await this.diagnoseNow();
    } finally {
      DIAGNOSES.release();
    }
  }

  private async diagnoseNow(): Promise<FindingSummary[]> {
    const dir = mkdtempSync(join(tmpdir(), "godiag-window-"));
    try {
      for (const [type, raw] of this.latestRaw) writeFileSync(join(dir, `${type}.pb.gz`), raw);
      const bundle = await openBundle([dir], { maxInputBytes: 256 << 20, maxDecompressedBytes: 1 << 30, maxFiles: 64 }, { label: this.target.address });
      return diagnose(bundle).findings.map((f) => ({ id: f.id, category: f.category, severity: f.severity, title: f.title }));
    } catch {
      return [];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
