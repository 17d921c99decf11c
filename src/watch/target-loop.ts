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
import { summarizeScrape, type ScrapeSummary, type TargetWindow, type WindowOutcome } from "./window.js";
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
      let summary: ScrapeSummary | null;
      try {
        // Waited for a slot past the next scrape's time: this one is stale.
        if (Date.now() >= next || this.stopped) {
          if (!this.stopped) m.skipped.inc({ job, reason: "concurrency" });
          continue;
        }
        m.lateness.observe((Date.now() - due) / 1000);
        m.scrapes.inc({ job });
        summary = await this.scrapeAndQueue();
      } finally {
        this.deps.sem.release();
      }
      if (summary === null) break;
      this.evaluate(summary);
      while (next <= Date.now()) next += intervalMs;
    }
    await this.pending;
  }

  /**
   * Scrape, queue the rows for the store, and return what the window needs. The decoded
   * profiles live only inside this call: nothing that waits afterwards (the window's
   * diagnosis, a dump, the store) keeps them.
   */
  private async scrapeAndQueue(): Promise<ScrapeSummary | null> {
    const r = await scrapeTarget(this.target, this.deps.maxProfileBytes, this.abort.signal);
    if (this.stopped) return null;
    return this.record(r);
  }

  /** Window evaluation and dumps, in scrape order per target, off the scrape's path (its slot is free). */
  private pending: Promise<void> = Promise.resolve();
  private evaluate(s: ScrapeSummary): void {
    this.pending = this.pending.then(() => this.afterScrape(s)).catch((e: Error) => this.deps.log(`window ${this.target.job}/${this.target.address}: ${e.message}`));
  }

  private async afterScrape(s: ScrapeSummary): Promise<void> {
    const t = this.target;
    const batch: Batch = { scrapes: [], metrics: [], dumps: [], events: [] };
    if (s.goroutines !== undefined) await this.maybeDump(s.goroutines, s.startMs, batch);
    const outcome = await this.window.add(s);
    if (outcome) {
      for (const c of outcome.changes) batch.events.push({ target: t.address, timeMs: s.startMs, kind: "alert", name: c.alert, severity: c.severity, message: `${c.status}: ${c.summary}` });
      for (const f of outcome.findings) batch.events.push({ target: t.address, timeMs: s.startMs, kind: "finding", name: f.category, severity: f.severity, message: f.title });
      this.deps.onWindow(t, outcome);
    }
    if (batch.dumps.length > 0 || batch.events.length > 0) this.deps.writer.enqueue(batch);
  }

  private record(r: ScrapeResult): ScrapeSummary {
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
    const summary = summarizeScrape(r);
    if (summary.goroutines !== undefined) {
      point("goroutines", summary.goroutines);
      m.goroutines.set(lab, summary.goroutines);
    }
    this.deps.writer.enqueue(batch);
    return summary;
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
