// Load and check a watch configuration. Every error is one line naming the file
// and the YAML line of the offending key (an InputError: exit 2), as
// `promtool check config` does for Prometheus'.

import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../core/input/index.js";
import { configSchema, type WatchConfigRaw } from "./config-schema.js";
import { parseDuration } from "./duration.js";
import type { Shard } from "./shard.js";

export interface ProfileChoice {
  cpuSeconds: number;
  heap: boolean;
  allocs: boolean;
  block: boolean;
  mutex: boolean;
  goroutine: boolean;
  goroutineDumpGrowth: number;
  vars: boolean;
}

export interface StaticGroup {
  targets: string[];
  labels: Record<string, string>;
}

export interface JobConfig {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  scheme: "http" | "https";
  pprofPath: string;
  staticConfigs: StaticGroup[];
  fileSd: Array<{ files: string[]; refreshMs: number }>;
  profiles: ProfileChoice;
}

export interface WatchConfig {
  file: string;
  maxConcurrentScrapes: number;
  maxProfileBytes: number;
  externalLabels: Record<string, string>;
  jobs: JobConfig[];
  shard?: Shard;
  storage: {
    engine: "duckdb" | "clickhouse";
    retentionMs: number;
    downsampleAfterMs: number;
    downsampleResolutionMs: number;
    clickhouse?: { url: string; database: string; username: string; password: string };
  };
  alerting: {
    webhooks: Array<{ url: string; timeoutMs: number; maxRetries: number }>;
    windowMs: number;
    goroutineGrowth: { windows: number; minPerMinute: number };
    heapGrowth: { windows: number; minBytesPerMinute: number };
    gcCpuMaxFraction: number;
    newHotspotMinShare: number;
    findingsMinSeverity: "critical" | "warning" | "info";
  };
}

const ms = (d: string): number => parseDuration(d)!;

/** The 1-based line of the node at a zod issue's path (or of its nearest parent that exists). */
function lineOf(doc: Document, lines: LineCounter, path: ReadonlyArray<PropertyKey>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n).map((k) => (typeof k === "symbol" ? String(k) : k)), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

export function parseWatchConfig(text: string, file: string): WatchConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new InputError(file, `YAML: ${e.message.split("\n")[0]}`, undefined, lines.linePos(e.pos[0]).line);
  }
  const res = configSchema.safeParse(doc.toJS());
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join(".") : "(top)";
    throw new InputError(file, `${where}: ${issue.message}`, undefined, lineOf(doc, lines, issue.path));
  }
  const raw = res.data;
  const cfg = normalize(raw, file);
  for (const [i, j] of cfg.jobs.entries()) {
    if (j.timeoutMs > j.intervalMs)
      throw new InputError(file, `scrape_configs.${i}.scrape_timeout: ${j.timeoutMs / 1000}s is longer than scrape_interval ${j.intervalMs / 1000}s`, undefined, lineOf(doc, lines, ["scrape_configs", i]));
    if (!Number.isInteger(j.profiles.cpuSeconds))
      throw new InputError(file, `scrape_configs.${i}.profiles.cpu: Go's /debug/pprof/profile takes whole seconds`, undefined, lineOf(doc, lines, ["scrape_configs", i, "profiles", "cpu"]));
    if (j.profiles.cpuSeconds * 1000 >= j.timeoutMs)
      throw new InputError(file, `scrape_configs.${i}.profiles.cpu: ${j.profiles.cpuSeconds}s does not fit in scrape_timeout ${j.timeoutMs / 1000}s`, undefined, lineOf(doc, lines, ["scrape_configs", i, "profiles", "cpu"]));
  }
  if (cfg.storage.engine === "clickhouse" && !cfg.storage.clickhouse)
    throw new InputError(file, "storage.engine: clickhouse needs storage.clickhouse.url (docs/WATCH.md, ClickHouse)", undefined, lineOf(doc, lines, ["storage", "engine"]));
  const names = new Set<string>();
  for (const [i, j] of cfg.jobs.entries()) {
    if (names.has(j.name)) throw new InputError(file, `scrape_configs.${i}.job_name: "${j.name}" is used twice`, undefined, lineOf(doc, lines, ["scrape_configs", i, "job_name"]));
    names.add(j.name);
  }
  return cfg;
}

function normalize(raw: WatchConfigRaw, file: string): WatchConfig {
  const g = raw.global;
  const base = dirname(resolve(file));
  return {
    file,
    maxConcurrentScrapes: g.max_concurrent_scrapes,
    maxProfileBytes: g.max_profile_bytes,
    externalLabels: g.external_labels,
    shard: raw.shard,
    jobs: raw.scrape_configs.map((j) => ({
      name: j.job_name,
      intervalMs: ms(j.scrape_interval ?? g.scrape_interval),
      // Prometheus: a job's timeout defaults to the global one (and must not exceed its interval).
      timeoutMs: Math.min(ms(j.scrape_timeout ?? g.scrape_timeout), j.scrape_timeout === undefined ? ms(j.scrape_interval ?? g.scrape_interval) : Infinity),
      scheme: j.scheme,
      pprofPath: j.pprof_path.replace(/\/$/, ""),
      staticConfigs: j.static_configs.map((s) => ({ targets: s.targets, labels: s.labels })),
      // file_sd paths are relative to the configuration file, as in Prometheus.
      fileSd: j.file_sd_configs.map((f) => ({ files: f.files.map((p) => resolve(base, p)), refreshMs: ms(f.refresh_interval) })),
      profiles: {
        cpuSeconds: ms(j.profiles.cpu) / 1000,
        heap: j.profiles.heap,
        allocs: j.profiles.allocs,
        block: j.profiles.block,
        mutex: j.profiles.mutex,
        goroutine: j.profiles.goroutine,
        goroutineDumpGrowth: j.profiles.goroutine_dump_growth,
        vars: j.profiles.vars,
      },
    })),
    storage: {
      engine: raw.storage.engine,
      retentionMs: ms(raw.storage.retention),
      downsampleAfterMs: ms(raw.storage.downsample.after),
      downsampleResolutionMs: ms(raw.storage.downsample.resolution),
      clickhouse: raw.storage.clickhouse,
    },
    alerting: {
      webhooks: raw.alerting.webhooks.map((w) => ({ url: w.url, timeoutMs: ms(w.timeout), maxRetries: w.max_retries })),
      windowMs: ms(raw.alerting.window),
      goroutineGrowth: { windows: raw.alerting.goroutine_growth.windows, minPerMinute: raw.alerting.goroutine_growth.min_per_minute },
      heapGrowth: { windows: raw.alerting.heap_growth.windows, minBytesPerMinute: raw.alerting.heap_growth.min_bytes_per_minute },
      gcCpuMaxFraction: raw.alerting.gc_cpu.max_fraction,
      newHotspotMinShare: raw.alerting.new_hotspot.min_share,
      findingsMinSeverity: raw.alerting.findings.min_severity,
    },
  };
}

/** Read and check a configuration file (a missing file is the same one-line error). */
export function loadWatchConfig(file: string): WatchConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(file, (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message);
  }
  return parseWatchConfig(text, file);
}
