// The history schema, one definition for both engines (DuckDB, ClickHouse). A
// stack is stored once (stacks, keyed by a content id of its location list), as
// are its locations, functions and mappings; a scrape adds one row to scrapes
// and one row per (stack, labels, sample type) to samples. docs/WATCH.md shows it.

import type { ProfileHeaderRow } from "./types.js";

export interface Column {
  name: string;
  /** DuckDB type; clickhouse.ts maps it */
  type: "BIGINT" | "UBIGINT" | "INTEGER" | "DOUBLE" | "VARCHAR" | "BOOLEAN" | "TIMESTAMP" | "BIGINT[]" | "BLOB";
}

export interface Table {
  name: string;
  columns: Column[];
  /** ClickHouse sorting key (DuckDB keeps insertion order, which is time order) */
  orderBy: string[];
  /** deduplicated content (ReplacingMergeTree in ClickHouse) */
  content?: boolean;
}

const c = (name: string, type: Column["type"]): Column => ({ name, type });

export const TABLES: Table[] = [
  { name: "functions", content: true, orderBy: ["id"], columns: [c("id", "BIGINT"), c("name", "VARCHAR"), c("system_name", "VARCHAR"), c("filename", "VARCHAR"), c("start_line", "BIGINT")] },
  {
    name: "mappings",
    content: true,
    orderBy: ["id"],
    columns: [c("id", "BIGINT"), c("memory_start", "UBIGINT"), c("memory_limit", "UBIGINT"), c("file_offset", "UBIGINT"), c("file", "VARCHAR"), c("build_id", "VARCHAR"), c("flags", "INTEGER")],
  },
  {
    name: "locations",
    content: true,
    orderBy: ["id"],
    columns: [c("id", "BIGINT"), c("mapping_id", "BIGINT"), c("address", "UBIGINT"), c("is_folded", "BOOLEAN"), c("line_functions", "BIGINT[]"), c("line_numbers", "BIGINT[]")],
  },
  { name: "stacks", content: true, orderBy: ["id"], columns: [c("id", "BIGINT"), c("location_ids", "BIGINT[]"), c("leaf", "VARCHAR")] },
  {
    name: "scrapes",
    orderBy: ["target", "profile", "ts"],
    columns: [c("target", "VARCHAR"), c("job", "VARCHAR"), c("labels", "VARCHAR"), c("ts", "TIMESTAMP"), c("profile", "VARCHAR"), c("header", "VARCHAR"), c("raw_bytes", "BIGINT"), c("samples", "BIGINT"), c("resolution_ms", "BIGINT")],
  },
  {
    name: "samples",
    orderBy: ["target", "profile", "ts", "sample_type"],
    columns: [c("target", "VARCHAR"), c("ts", "TIMESTAMP"), c("profile", "VARCHAR"), c("sample_type", "VARCHAR"), c("stack_id", "BIGINT"), c("labels", "VARCHAR"), c("value", "BIGINT"), c("resolution_ms", "BIGINT")],
  },
  { name: "metrics", orderBy: ["target", "name", "ts"], columns: [c("target", "VARCHAR"), c("ts", "TIMESTAMP"), c("name", "VARCHAR"), c("value", "DOUBLE")] },
  { name: "dumps", orderBy: ["target", "ts"], columns: [c("target", "VARCHAR"), c("ts", "TIMESTAMP"), c("goroutines", "BIGINT"), c("dump_gz", "BLOB")] },
  { name: "events", orderBy: ["target", "ts"], columns: [c("target", "VARCHAR"), c("ts", "TIMESTAMP"), c("kind", "VARCHAR"), c("name", "VARCHAR"), c("severity", "VARCHAR"), c("message", "VARCHAR")] },
];

/** A scrape header as JSON (timeNanos is a bigint: kept as a decimal string). */
export function headerJson(h: ProfileHeaderRow): string {
  return JSON.stringify({ ...h, timeNanos: String(h.timeNanos), mainMapping: String(h.mainMapping) });
}

export function parseHeader(json: string): ProfileHeaderRow {
  const o = JSON.parse(json) as Omit<ProfileHeaderRow, "timeNanos" | "mainMapping"> & { timeNanos: string; mainMapping: string };
  return { ...o, timeNanos: BigInt(o.timeNanos), mainMapping: BigInt(o.mainMapping) };
}
