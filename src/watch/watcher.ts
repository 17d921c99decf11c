// godiag watch: discovery, one loop per target, the store's writer, continuous
// diagnosis and alerts, and the HTTP endpoint for /metrics and health.

import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openClickStore, openDuckStore, runningFile, type Batch, type ProfileStore } from "../store/index.js";

export { runningFile } from "../store/index.js";
import type { WatchConfig } from "./config.js";
import { Discovery, targetKey, type Target } from "./discovery.js";
import { WatchMetrics } from "./metrics.js";
import { Semaphore } from "./semaphore.js";
import { serveHistory } from "./history-api.js";
import { TargetLoop } from "./target-loop.js";
import { deliver } from "./webhook.js";
import { TargetWindow, type WindowOutcome } from "./window.js";
import { StoreWriter } from "./writer.js";

export interface WatchOptions {
  dataDir: string;
  /** host:port for /metrics; port 0 picks a free one */
  listen: string;
  log: (line: string) => void;
  /** also write every raw profile under this directory (an archive, or a test's oracle) */
  keepRawDir?: string;
  /** log one line per stored scrape (the crash test reads them) */
  logCommits?: boolean;
  /** run the diagnose rules on each window (default true) */
  diagnose?: boolean;
  /** an already open store (the ClickHouse engine, a test's) instead of DuckDB in dataDir */
  store?: ProfileStore;
}

/** The store queue's bound in (estimated) bytes of queued rows. */
const STORE_QUEUE_BYTES = 128 << 20;

/** The DuckDB file inside a data directory. */
export const storeFile = (dataDir: string): string => join(dataDir, "godiag.duckdb");

export class Watcher {
  readonly metrics = new WatchMetrics();
  private readonly loops = new Map<string, TargetLoop>();
  private readonly windows = new Map<string, TargetWindow>();
  private discovery!: Discovery;
  private writer!: StoreWriter;
  private store!: ProfileStore;
  private server!: Server;
  private timers: NodeJS.Timeout[] = [];
  private readonly pendingHooks = new Set<Promise<unknown>>();
  private readonly findingSeries = new Map<string, Set<string>>();
  url = "";
  /** /api/history/ needs it; written into DIR/watcher.json, readable by the directory's owner only */
  readonly historyToken = randomBytes(32).toString("base64url");

  constructor(
    private readonly cfg: WatchConfig,
    private readonly opts: WatchOptions,
  ) {}

  async start(): Promise<void> {
    mkdirSync(this.opts.dataDir, { recursive: true });
    const ch = this.cfg.storage.engine === "clickhouse" ? this.cfg.storage.clickhouse : undefined;
    this.store = this.opts.store ?? (ch ? await openClickStore(ch) : await openDuckStore(storeFile(this.opts.dataDir)));
    const onCommit = this.opts.logCommits
      ? (b: Batch) => {
          for (const s of b.scrapes) this.opts.log(`stored ${s.job}/${s.target} ${s.type} ${s.timeMs}`);
        }
      : undefined;
    // The queue holds at most two rounds of the concurrency limit's scrapes, and at most
    // STORE_QUEUE_BYTES of their rows (writer.ts estimates it).
    this.writer = new StoreWriter(this.store, this.metrics, this.cfg.maxConcurrentScrapes * 2, STORE_QUEUE_BYTES, this.opts.log, onCommit);
    this.discovery = new Discovery(this.cfg, this.opts.log);
    const sem = new Semaphore(this.cfg.maxConcurrentScrapes);
    const deps = {
      metrics: this.metrics,
      sem,
      writer: this.writer,
      maxProfileBytes: this.cfg.maxProfileBytes,
      keepRawDir: this.opts.keepRawDir,
      log: this.opts.log,
      onWindow: (t: Target, w: WindowOutcome) => this.onWindow(t, w),
    };
    const sync = (): void => {
      const now = new Map(this.discovery.targets().map((t) => [targetKey(t), t]));
      for (const [k, loop] of this.loops)
        if (!now.has(k)) {
          loop.stop();
          this.loops.delete(k);
          this.windows.delete(k);
          this.metrics.dropTarget(loop.target.job, loop.target.address);
        }
      for (const [k, t] of now)
        if (!this.loops.has(k)) {
          const w = new TargetWindow(t, this.cfg.alerting, this.opts.diagnose ?? true);
          this.windows.set(k, w);
          this.loops.set(k, new TargetLoop(t, w, deps));
        }
      this.metrics.targets.set(this.loops.size);
    };
    sync();
    const refresh = Math.min(5000, ...this.cfg.jobs.flatMap((j) => j.fileSd.map((f) => f.refreshMs)));
    this.timers.push(setInterval(sync, refresh));
    // Retention, downsampling and the hourly sums: once at start-up, then two minutes past
    // every hour. The DuckDB store sums each hour that is over (late scrapes add to the
    // sums); run at the start time's offset, with an hour's margin, 1-3 h of the whole
    // fleet were unsummed, which every query of a recent range filters row by row
    // (docs/PERFORMANCE.md, fourth pass: 2 h of 200 targets made a 24 h query 1.1-1.7 s);
    // now 2 min to 1 h 2 min. One at a time.
    let compacting = false;
    const compact = (): void => {
      if (compacting) return;
      compacting = true;
      const s = this.cfg.storage;
      const t0 = Date.now();
      this.store
        .compact(Date.now(), s.retentionMs, s.downsampleAfterMs, s.downsampleResolutionMs)
        .then(() => this.opts.log(`store: maintenance done in ${((Date.now() - t0) / 1000).toFixed(1)} s`))
        .catch((e: Error) => this.opts.log(`store: compaction failed: ${e.message}`))
        .finally(() => (compacting = false));
    };
    const HOUR = 3600_000;
    const PAST_THE_HOUR = 120_000;
    this.timers.push(
      setTimeout(
        () => {
          compact();
          this.timers.push(setInterval(compact, HOUR));
        },
        HOUR - ((Date.now() - PAST_THE_HOUR) % HOUR),
      ),
    );
    const memory = this.store.memoryBytes?.bind(this.store);
    if (memory) this.timers.push(setInterval(() => void memory().then((b) => this.metrics.storeMemory.set(b), () => undefined), 5000));
    compact();
    await this.listen();
    // `godiag query --data DIR` cannot open the file this process holds: it asks here.
    if (!this.opts.store && !ch) this.writeRunningFile();
  }

  /** DIR/watcher.json, mode 0600 from its creation (a stale one after kill -9 is replaced, not reused). */
  private writeRunningFile(): void {
    const file = runningFile(this.opts.dataDir);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ pid: process.pid, url: this.url, token: this.historyToken }) + "\n", { mode: 0o600 });
    chmodSync(tmp, 0o600); // a file left by a crash keeps its old mode through writeFileSync
    renameSync(tmp, file);
  }

  private onWindow(t: Target, w: WindowOutcome): void {
    const lab = { job: t.job, instance: t.address };
    if (w.goroutineFit) this.metrics.goroutineSlope.set(lab, w.goroutineFit.perMinute);
    if (w.heapFit) this.metrics.heapSlope.set(lab, w.heapFit.perMinute);
    // Findings of this window replace the last window's (whose series go to 0).
    const key = targetKey(t);
    for (const sc of this.findingSeries.get(key) ?? []) {
      const [severity, category] = sc.split("|");
      this.metrics.findings.set({ ...lab, severity, category }, 0);
    }
    for (const f of w.findings) this.metrics.findings.inc({ ...lab, severity: f.severity, category: f.category });
    this.findingSeries.set(key, new Set([...(this.findingSeries.get(key) ?? []), ...w.findings.map((f) => `${f.severity}|${f.category}`)]));
    const win = this.windows.get(targetKey(t));
    for (const a of ["GoroutinesGrowing", "HeapGrowing", "GcCpuHigh", "NewHotspot"]) this.metrics.alerts.set({ ...lab, alert: a }, win?.activeAlerts().includes(a) ? 1 : 0);
    for (const c of w.changes) {
      this.opts.log(`alert ${c.status} ${c.alert} ${t.job}/${t.address}: ${c.summary}`);
      for (const hook of this.cfg.alerting.webhooks) {
        const p = deliver(hook, c).then((r) => {
          if (!r.ok) {
            this.metrics.webhookFailures.inc({ url: hook.url });
            this.opts.log(`webhook ${hook.url}: ${c.alert} not delivered after ${r.attempts} attempts: ${r.error}`);
          }
        });
        this.pendingHooks.add(p);
        void p.finally(() => this.pendingHooks.delete(p));
      }
    }
  }

  private listen(): Promise<void> {
    const m = /^(.*):(\d+)$/.exec(this.opts.listen);
    const host = m ? m[1]!.replace(/^\[|\]$/g, "") : "127.0.0.1";
    const port = m ? Number(m[2]) : 9464;
    this.server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (serveHistory(this.store, req, res, this.historyToken)) return;
      if (path === "/metrics") {
        this.metrics.registry
          .metrics()
          .then((text) => {
            res.writeHead(200, { "content-type": this.metrics.registry.contentType });
            res.end(text);
          })
          .catch((e: Error) => {
            res.writeHead(500);
            res.end(e.message);
          });
        return;
      }
      if (path === "/-/healthy" || path === "/healthz") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("godiag watch is healthy\n");
        return;
      }
      if (path === "/api/targets") {
        const out = [...this.loops.values()].map((l) => ({
          job: l.target.job,
          instance: l.target.address,
          labels: l.target.labels,
          up: l.lastResult ? l.lastResult.profileCount > 0 : null,
          lastScrape: l.lastResult ? new Date(l.lastResult.startMs).toISOString() : null,
          lastDurationMs: l.lastResult?.durationMs ?? null,
          lastErrors: l.lastResult?.errors ?? [],
        }));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(out));
        return;
      }
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found: try /metrics, /-/healthy, /api/targets, /api/history/{profile,series,top,targets}\n");
    });
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        const a = this.server.address();
        const p = typeof a === "object" && a ? a.port : port;
        this.url = `http://${host.includes(":") ? `[${host}]` : host}:${p}`;
        resolve();
      });
    });
  }

  /** Stop scraping, write what was scraped, close the store. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const l of this.loops.values()) l.stop();
    await Promise.all([...this.loops.values()].map((l) => l.done));
    await this.writer.close();
    await Promise.race([Promise.all(this.pendingHooks), new Promise((r) => setTimeout(r, 2000))]);
    await new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    await this.store.close();
    rmSync(runningFile(this.opts.dataDir), { force: true });
  }
}
