// The watch configuration, in Prometheus' shape (global, scrape_configs with
// job_name, static_configs, file_sd_configs, scrape_interval/scrape_timeout),
// with godiag's own keys beside them: profiles, shard, storage, alerting.
// docs/WATCH.md is the reference; keep both in step.

import { z } from "zod";
import { parseDuration } from "./duration.js";

const duration = z.string().refine((s) => parseDuration(s) !== null, { message: "not a duration (e.g. 15s, 1m, 1h30m, 7d)" });
const address = z.string().regex(/^[^\s/:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, { message: "a target is host:port" });
const labels = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: "label names are [a-zA-Z_][a-zA-Z0-9_]*" }), z.string());

const profiles = z
  .strictObject({
    /** CPU profile seconds per scrape (0 = none); less than the scrape timeout */
    cpu: duration.default("5s"),
    heap: z.boolean().default(true),
    /** allocs, block and mutex are stored as deltas between two scrapes (they are cumulative in Go) */
    allocs: z.boolean().default(true),
    block: z.boolean().default(true),
    mutex: z.boolean().default(true),
    goroutine: z.boolean().default(true),
    /** a goroutine?debug=2 dump is kept when the count grew by this many since the last dump (0 = never) */
    goroutine_dump_growth: z.number().int().min(0).default(100),
    /** /debug/vars (MemStats: heap in use, GC CPU fraction) */
    vars: z.boolean().default(true),
  })
  .prefault({});

const scrapeConfig = z.strictObject({
  job_name: z.string().min(1),
  scrape_interval: duration.optional(),
  scrape_timeout: duration.optional(),
  scheme: z.enum(["http", "https"]).default("http"),
  /** where net/http/pprof is mounted */
  pprof_path: z.string().startsWith("/").default("/debug/pprof"),
  static_configs: z.array(z.strictObject({ targets: z.array(address), labels: labels.default({}) })).default([]),
  file_sd_configs: z.array(z.strictObject({ files: z.array(z.string().min(1)).min(1), refresh_interval: duration.default("30s") })).default([]),
  profiles,
});

const severity = z.enum(["critical", "warning", "info"]);

const alerting = z
  .strictObject({
    webhooks: z.array(z.strictObject({ url: z.url(), timeout: duration.default("5s"), max_retries: z.number().int().min(0).max(20).default(3) })).default([]),
    /** the length of one diagnosis window; trends are fitted over `windows` of them */
    window: duration.default("1m"),
    goroutine_growth: z.strictObject({ windows: z.number().int().min(3).default(5), min_per_minute: z.number().positive().default(10) }).prefault({}),
    heap_growth: z.strictObject({ windows: z.number().int().min(3).default(5), min_bytes_per_minute: z.number().positive().default(1 << 20) }).prefault({}),
    gc_cpu: z.strictObject({ max_fraction: z.number().gt(0).lt(1).default(0.25) }).prefault({}),
    /** a function whose share of CPU is this much above its share in the baseline window */
    new_hotspot: z.strictObject({ min_share: z.number().gt(0).lt(1).default(0.1) }).prefault({}),
    findings: z.strictObject({ min_severity: severity.default("warning") }).prefault({}),
  })
  .prefault({});

const storage = z
  .strictObject({
    engine: z.enum(["duckdb", "clickhouse"]).default("duckdb"),
    retention: duration.default("7d"),
    /** samples older than `after` are summed into `resolution` buckets */
    downsample: z.strictObject({ after: duration.default("24h"), resolution: duration.default("5m") }).prefault({}),
    clickhouse: z.strictObject({ url: z.url(), database: z.string().default("godiag"), username: z.string().default("default"), password: z.string().default("") }).optional(),
  })
  .prefault({});

export const configSchema = z.strictObject({
  global: z
    .strictObject({
      scrape_interval: duration.default("15s"),
      scrape_timeout: duration.default("10s"),
      /** targets scraped at once; the others wait their turn */
      max_concurrent_scrapes: z.number().int().min(1).max(10_000).default(64),
      /** largest response kept, per profile */
      max_profile_bytes: z.number().int().min(1024).default(32 << 20),
      external_labels: labels.default({}),
    })
    .prefault({}),
  scrape_configs: z.array(scrapeConfig).min(1),
  shard: z.strictObject({ total: z.number().int().min(1), index: z.number().int().min(0) }).refine((s) => s.index < s.total, { message: "shard.index must be below shard.total" }).optional(),
  storage,
  alerting,
});

export type WatchConfigInput = z.input<typeof configSchema>;
export type WatchConfigRaw = z.output<typeof configSchema>;
