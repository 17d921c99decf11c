// DuckDB is a native addon of tens of megabytes: loading it takes 0.4-2 s on a busy
// machine. Every command is registered for `godiag --help`, so the engine is loaded
// only when a store is opened.

import type { DuckStore } from "./duckdb.js";
import type { ClickStore, ClickHouseOptions } from "./clickhouse.js";

export type { DuckStore } from "./duckdb.js";

export async function openDuckStore(file: string, opts: { readOnly?: boolean } = {}): Promise<DuckStore> {
  const { DuckStore: Store } = await import("./duckdb.js");
  return Store.open(file, opts);
}

export type { ClickStore, ClickHouseOptions } from "./clickhouse.js";

/** The ClickHouse store (storage.engine: clickhouse); its client is loaded only then. */
export async function openClickStore(o: ClickHouseOptions): Promise<ClickStore> {
  const { ClickStore: Store } = await import("./clickhouse.js");
  return Store.open(o);
}
