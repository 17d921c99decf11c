// The watcher's own Prometheus metrics (prom-client, one registry per watcher so
// tests can run several): is each target up, how long scrapes take and why they
// fail, what the targets look like (goroutines, heap), what diagnosis and the
// trend rules found. docs/WATCH.md lists them with example alerting rules.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class WatchMetrics {
  readonly registry = new Registry();
  readonly up = new Gauge({ name: "godiag_target_up", help: "1 when the last scrape of the target got at least one profile", labelNames: ["job", "instance"], registers: [this.registry] });
  readonly scrapeDuration = new Histogram({
    name: "godiag_scrape_duration_seconds",
    help: "Time to scrape every profile of a target (includes the CPU profile's seconds)",
    labelNames: ["job"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60],
    registers: [this.registry],
  });
  readonly scrapeErrors = new Counter({
    name: "godiag_scrape_errors_total",
    help: "Failed profile fetches, by profile and reason (timeout, http_500, refused, decode, too_large, closed, other)",
    labelNames: ["job", "instance", "profile", "reason"],
    registers: [this.registry],
  });
  readonly scrapes = new Counter({ name: "godiag_scrapes_total", help: "Scrapes started", labelNames: ["job"], registers: [this.registry] });
  readonly skipped = new Counter({
    name: "godiag_scrapes_skipped_total",
    help: "Scrapes not started: store_busy (back-pressure), concurrency (every slot busy past the interval), backoff",
    labelNames: ["job", "reason"],
    registers: [this.registry],
  });
  readonly lateness = new Histogram({
    name: "godiag_scrape_start_delay_seconds",
    help: "How late a scrape started against its schedule (jitter)",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly goroutines = new Gauge({ name: "godiag_target_goroutines", help: "Goroutines of the target at its last scrape", labelNames: ["job", "instance"], registers: [this.registry] });
  readonly heapInuse = new Gauge({ name: "godiag_target_heap_inuse_bytes", help: "HeapInuse of the target (/debug/vars) at its last scrape", labelNames: ["job", "instance"], registers: [this.registry] });
  readonly gcCpu = new Gauge({ name: "godiag_target_gc_cpu_fraction", help: "GCCPUFraction of the target (/debug/vars)", labelNames: ["job", "instance"], registers: [this.registry] });
  readonly findings = new Gauge({
    name: "godiag_findings",
    help: "Findings of the last diagnosis window, by severity and category",
    labelNames: ["job", "instance", "severity", "category"],
    registers: [this.registry],
  });
  readonly alerts = new Gauge({ name: "godiag_alert_active", help: "1 while a trend alert holds for the target", labelNames: ["job", "instance", "alert"], registers: [this.registry] });
  readonly goroutineSlope = new Gauge({ name: "godiag_target_goroutines_growth_per_minute", help: "Slope of the goroutine count's least-squares fit over the alert windows", labelNames: ["job", "instance"], registers: [this.registry] });
  readonly heapSlope = new Gauge({ name: "godiag_target_heap_growth_bytes_per_minute", help: "Slope of HeapInuse's least-squares fit over the alert windows", labelNames: ["job", "instance"], registers: [this.registry] });
  readonly webhookFailures = new Counter({ name: "godiag_webhook_failures_total", help: "Webhook deliveries that failed after every retry", labelNames: ["url"], registers: [this.registry] });
  readonly storeQueue = new Gauge({ name: "godiag_store_queue_scrapes", help: "Scrapes waiting for the store", registers: [this.registry] });
  readonly storeQueueBytes = new Gauge({ name: "godiag_store_queue_bytes", help: "Estimated heap of the rows waiting for the store (bounded)", registers: [this.registry] });
  readonly storeWrite = new Histogram({ name: "godiag_store_write_seconds", help: "Time of one store transaction", buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly storeErrors = new Counter({ name: "godiag_store_errors_total", help: "Store transactions that failed (their scrapes are lost)", registers: [this.registry] });
  readonly storeMemory = new Gauge({ name: "godiag_store_memory_bytes", help: "Memory held by the embedded store's engine (DuckDB's buffer manager: duckdb_memory())", registers: [this.registry] });
  readonly targets = new Gauge({ name: "godiag_targets", help: "Targets this watcher (its shard) scrapes", registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "godiag_watcher_" });
  }

  /** Forget a target that left discovery (its series would otherwise stay forever). */
  dropTarget(job: string, instance: string): void {
    for (const g of [this.up, this.goroutines, this.heapInuse, this.gcCpu, this.goroutineSlope, this.heapSlope]) g.remove({ job, instance });
  }
}
