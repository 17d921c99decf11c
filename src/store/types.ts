// What the history store keeps and answers, whatever the engine (DuckDB embedded,
// ClickHouse for a cluster). docs/WATCH.md (storage schema) describes the tables.

import type { Profile, ProfileHeader } from "../core/model/index.js";

export const PROFILE_TYPES = ["cpu", "heap", "allocs", "block", "mutex", "goroutine"] as const;
export type ProfileType = (typeof PROFILE_TYPES)[number];

/** One scraped profile of one target, already normalized (stacks hashed) for storage. */
export interface ScrapeRecord {
  target: string;
  job: string;
  labels: Record<string, string>;
  /** scrape time, ms since the epoch */
  timeMs: number;
  type: ProfileType;
  /** size of the profile as the target sent it */
  rawBytes: number;
  profile: NormalizedProfile;
}

/** A point of a per-target series (goroutines, heap_inuse_bytes, gc_cpu_fraction, up...). */
export interface MetricPoint {
  target: string;
  timeMs: number;
  name: string;
  value: number;
}

/** A goroutine?debug=2 dump, kept when the count grew. */
export interface DumpRecord {
  target: string;
  timeMs: number;
  goroutines: number;
  /** gzip of the dump text */
  gz: Uint8Array;
}

/** An alert or a finding of a window, kept for the timeline. */
export interface EventRecord {
  target: string;
  timeMs: number;
  kind: "alert" | "finding";
  name: string;
  severity: string;
  message: string;
}

/** Everything one commit writes: a crash loses a batch whole or not at all. */
export interface Batch {
  scrapes: ScrapeRecord[];
  metrics: MetricPoint[];
  dumps: DumpRecord[];
  events: EventRecord[];
}

export interface FunctionRow {
  id: bigint;
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}
export interface MappingRow {
  id: bigint;
  start: bigint;
  limit: bigint;
  offset: bigint;
  file: string;
  buildId: string;
  /** hasFunctions, hasFilenames, hasLineNumbers, hasInlineFrames as bits 0..3 */
  flags: number;
}
export interface LocationRow {
  id: bigint;
  /** 0n: no mapping */
  mapping: bigint;
  address: bigint;
  isFolded: boolean;
  lineFunctions: bigint[];
  lineNumbers: number[];
}
export interface StackRow {
  id: bigint;
  /** leaf first */
  locations: bigint[];
  /** the leaf's row name in go tool pprof -top ("" for an empty stack, which pprof lists nowhere): top functions without joins */
  leaf: string;
}
export interface SampleRow {
  stack: bigint;
  /** the sample's pprof labels as canonical JSON, "" for none */
  labels: string;
  values: number[];
}

/** The profile's header as stored: its mappings are rows of their own, the main one named by id. */
export interface ProfileHeaderRow extends Omit<ProfileHeader, "mappings"> {
  /** mapping id of the profile's first mapping (the main binary), 0n for none */
  mainMapping: bigint;
}

export interface NormalizedProfile {
  header: ProfileHeaderRow;
  functions: FunctionRow[];
  mappings: MappingRow[];
  locations: LocationRow[];
  stacks: StackRow[];
  samples: SampleRow[];
}

export interface SeriesPoint {
  timeMs: number;
  value: number;
}

export interface TopPoint {
  timeMs: number;
  function: string;
  value: number;
}

export interface RangeQuery {
  target: string;
  type: ProfileType;
  fromMs: number;
  toMs: number;
}

export interface StoreStats {
  scrapes: number;
  samples: number;
  stacks: number;
  locations: number;
  functions: number;
  bytesOnDisk: number;
}

/** The store every engine implements. */
export interface ProfileStore {
  /**
   * The profile without the functions, mappings, locations and stacks the store already
   * holds (a queued scrape then carries little beyond its samples). Optional.
   */
  pruneKnown?(p: NormalizedProfile): NormalizedProfile;
  /** Write a batch in one transaction. */
  write(batch: Batch): Promise<void>;
  /** The merged profile of a range (pprof's merge of the scrapes), or null when there is none. */
  mergedProfile(q: RangeQuery): Promise<Profile | null>;
  /** A metric of a target over time. */
  series(target: string, name: string, fromMs: number, toMs: number): Promise<SeriesPoint[]>;
  /** Per bucket, the n functions with the most flat value of the default sample type. */
  topFunctions(q: RangeQuery, bucketMs: number, n: number): Promise<TopPoint[]>;
  /** Targets with data. */
  targets(): Promise<string[]>;
  /** Drop data older than retention; sum samples older than `after` into `resolution` buckets. */
  compact(nowMs: number, retentionMs: number, downsampleAfterMs: number, resolutionMs: number): Promise<void>;
  stats(): Promise<StoreStats>;
  /** Memory the embedded engine holds now (DuckDB's buffer manager), for the watcher's metrics. Optional. */
  memoryBytes?(): Promise<number>;
  close(): Promise<void>;
}
