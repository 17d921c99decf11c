// One target's schedule: a scrape every interval at a fixed offset inside the
// interval (the hash of the address, as Prometheus spreads its targets), so a
// fleet's scrapes are spread evenly and each target's are evenly spaced. A
// target's slowness or failure only moves its own schedule: timeouts bound each
// scrape, failures back off (1, 2, 4, then 8 intervals), and a scrape that could
// not start in time is skipped and counted, never queued.

import { gzipSync } from "node:zlib";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deltaSamples, type Batch, type SampleRow, type ScrapeRecord } from "../store/index.js";
import type { Target } from "./discovery.js";
import type { WatchMetrics } from "./metrics.js";
import { fetchDump, scrapeTarget, type ScrapeResult } from "./scrape.js";
import type { Semaphore } from "./semaphore.js";
import { hashmod } from "./shard.js";
import type { TargetWindow, WindowOutcome } from "./window.js";
import type { StoreWriter } from "./writer.js";

export interface LoopDeps {
  metrics: WatchMetrics;
  sem: Semaphore;
  writer: StoreWriter;
  maxProfileBytes: number;
  keepRawDir?: string;
  log: (line: string) => void;
  onWindow: (t: Target, w: WindowOutcome) => void;
}

const DELTA = new Set(["allocs", "block", "mutex"]);

export class TargetLoop {
  private stopped = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | null = null;
  private fails = 0;
  private skipUntilMs = 0;
  private readonly prev = new Map<string, { samples: SampleRow[]; timeNanos: bigint }>();
  private lastDumpCount: number | undefined;
  readonly done: Promise<void>;
  /** The last scrape, without its profiles (200 targets' decoded profiles are hundreds of MB). */
  lastResult?: Omit<ScrapeResult, "profiles"> & { profileCount: number };

  constructor(
    readonly target: Target,
    private readonly window: TargetWindow,
    private readonly deps: LoopDeps,
  ) {
    this.done = this.run();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.wake?.();
  }

  private sleepUntil(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, Math.max(0, ms - Date.now()));
      this.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  private async run(): Promise<void> {
    const { intervalMs } = this.target.config;
    const offset = hashmod(this.target.address, intervalMs);
    let next = Math.floor(Date.now() / intervalMs) * intervalMs + offset;
    if (next < Date.now()) next += intervalMs;
    const job = this.target.job;
    const m = this.deps.metrics;
    while (!this.stopped) {
      await this.sleepUntil(next);
      if (this.stopped) break;
      const due = next;
      next += intervalMs;
      if (due < this.skipUntilMs) {
        m.skipped.inc({ job, reason: "backoff" });
        continue;
      }
      if (this.deps.writer.busy()) {
        m.skipped.inc({ job, reason: "store_busy" });
        continue;
      }
      await this.deps.sem.acquire();
      try {
        // Waited for a slot past the next scrape's time: this one is stale.
        if (Date.now() >= next || this.stopped) {
          if (!this.stopped) m.skipped.inc({ job, reason: "concurrency" });
          continue;
        }
        m.lateness.observe((Date.now() - due) / 1000);
        m.scrapes.inc({ job });
        const r = await scrapeTarget(this.target, this.deps.maxProfileBytes, this.abort.signal);
        if (this.stopped) break;
        await this.record(r);
      } finally {
        this.deps.sem.release();
      }
      while (next <= Date.now()) next += intervalMs;
    }
  }

  private async record(r: ScrapeResult): Promise<void> {
    const t = this.target;
    const m = this.deps.metrics;
    const lab = { job: t.job, instance: t.address };
    this.lastResult = { startMs: r.startMs, durationMs: r.durationMs, errors: r.errors, vars: r.vars, profileCount: r.profiles.length };
    m.scrapeDuration.observe({ job: t.job }, r.durationMs / 1000);
    for (const e of r.errors) m.scrapeErrors.inc({ ...lab, profile: e.what, reason: e.reason });
    const up = r.profiles.length > 0;
    m.up.set(lab, up ? 1 : 0);
    if (up) {
      this.fails = 0;
    } else {
      this.fails++;
      this.skipUntilMs = r.startMs + t.config.intervalMs * Math.min(8, 2 ** (this.fails - 1));
      this.deps.log(`scrape ${t.job}/${t.address}: down: ${r.errors[0]?.message ?? "no profile"}`);
    }
    const batch: Batch = { scrapes: [], metrics: [], dumps: [], events: [] };
    const point = (name: string, value: number): void => void batch.metrics.push({ target: t.address, timeMs: r.startMs, name, value });
    point("up", up ? 1 : 0);
    point("scrape_duration_seconds", r.durationMs / 1000);
    for (const p of r.profiles) {
      this.keepRaw(p.type, r.startMs, p.raw);
      let normalized = p.normalized;
      if (DELTA.has(p.type)) {
        const before = this.prev.get(p.type);
        this.prev.set(p.type, { samples: normalized.samples, timeNanos: normalized.header.timeNanos });
        // The first scrape of a cumulative profile is the baseline, not a delta.
        if (!before) continue;
        const samples = deltaSamples(normalized.samples, before.samples);
        const header = { ...normalized.header, durationNanos: Number(normalized.header.timeNanos - before.timeNanos) };
        normalized = { ...normalized, header, samples };
      }
      const rec: ScrapeRecord = { target: t.address, job: t.job, labels: t.labels, timeMs: r.startMs, type: p.type, rawBytes: p.rawBytes, profile: normalized };
      batch.scrapes.push(rec);
    }
    if (r.vars) {
      point("heap_inuse_bytes", r.vars.heapInuse);
      point("gc_cpu_fraction", r.vars.gcCpuFraction);
      m.heapInuse.set(lab, r.vars.heapInuse);
      m.gcCpu.set(lab, r.vars.gcCpuFraction);
    }
    const outcome = await this.window.add(r);
    const g = this.window.lastGoroutines;
    if (g !== undefined && r.profiles.some((p) => p.type === "goroutine")) {
      point("goroutines", g);
      m.goroutines.set(lab, g);
      await this.maybeDump(g, r.startMs, batch);
    }
    if (outcome) {
      for (const c of outcome.changes) batch.events.push({ target: t.address, timeMs: r.startMs, kind: "alert", name: c.alert, severity: c.severity, message: `${c.status}: ${c.summary}` });
      for (const f of outcome.findings) batch.events.push({ target: t.address, timeMs: r.startMs, kind: "finding", name: f.category, severity: f.severity, message: f.title });
      this.deps.onWindow(t, outcome);
    }
    this.deps.writer.enqueue(batch);
  }

  /** Keep a goroutine?debug=2 dump when the count grew by goroutine_dump_growth since the last one. */
  private async maybeDump(count: number, timeMs: number, batch: Batch): Promise<void> {
    const growth = this.target.config.profiles.goroutineDumpGrowth;
    if (this.lastDumpCount === undefined) {
      this.lastDumpCount = count;
      return;
    }
    if (growth <= 0 || count - this.lastDumpCount < growth) return;
    const body = await fetchDump(this.target, this.deps.maxProfileBytes, this.target.config.timeoutMs);
    if (!body) return;
    this.lastDumpCount = count;
    batch.dumps.push({ target: this.target.address, timeMs, goroutines: count, gz: gzipSync(body) });
  }

  private keepRaw(type: string, timeMs: number, raw: Buffer): void {
    if (!this.deps.keepRawDir) return;
    const dir = join(this.deps.keepRawDir, this.target.job, this.target.address.replace(/[:[\]]/g, "_"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${type}-${timeMs}.pb.gz`), raw);
  }
}
