// DuckDB's tables: schema.ts's, except that scrapes, samples and metrics (and the
// hourly sums) hold the target as an integer id from `targets` instead of its address.
// DuckDB skips a row group by its min/max, but keeps only the first 8 bytes of a
// string's (pragma_storage_info: "127.0.0." in every row group of a 200-target fleet
// on one host), so a query of one target read every row; an integer's min/max are
// exact, and a sorted hour's row groups then each hold a few targets. ClickHouse keeps
// the address: its primary key compares whole strings.
// An older file (address columns) is converted at the watcher's start, in one
// transaction: a history store should not lose its history to an upgrade.

import type { DuckDBConnection } from "@duckdb/node-api";
import { TABLES, type Column, type Table } from "./schema.js";

/** Tables whose `target` is the targets table's id in DuckDB. */
const KEYED = new Set(["scrapes", "samples", "metrics"]);

export const TARGETS_DDL = "CREATE TABLE IF NOT EXISTS targets (id INTEGER, address VARCHAR)";

/** Per (target, hour, profile, sample type, stack, labels): the hour's samples summed (DuckDB only). */
export const HOURLY_DDL =
  "CREATE TABLE IF NOT EXISTS samples_hourly (target_id INTEGER, ts TIMESTAMP, profile VARCHAR, sample_type VARCHAR, stack_id BIGINT, labels VARCHAR, value BIGINT)";

export function duckColumns(t: Table): Column[] {
  return KEYED.has(t.name) ? t.columns.map((c) => (c.name === "target" ? { name: "target_id", type: "INTEGER" } : c)) : t.columns;
}

export function duckDdl(): string[] {
  return [...TABLES.map((t) => `CREATE TABLE IF NOT EXISTS ${t.name} (${duckColumns(t).map((c) => `${c.name} ${c.type}`).join(", ")})`), TARGETS_DDL, HOURLY_DDL];
}

const rowsOf = async (db: DuckDBConnection, sql: string): Promise<unknown[][]> => (await db.runAndReadAll(sql)).getRowsJS() as unknown[][];

/** True when the file holds samples keyed by address (written before the targets table). */
export async function hasAddressKeys(db: DuckDBConnection): Promise<boolean> {
  const r = await rowsOf(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'samples' AND column_name = 'target'");
  return Number(r[0]![0]) > 0;
}

/**
 * Convert an address-keyed file: ids in address order, each keyed table rewritten with
 * target_id (hour by hour in target order, as the hourly sort leaves them). One
 * transaction: a kill mid-way leaves the old file as it was, and the next start
 * converts it again.
 */
export async function migrateToTargetIds(db: DuckDBConnection): Promise<void> {
  const tables = [...TABLES.filter((t) => KEYED.has(t.name)).map((t) => ({ name: t.name, cols: t.columns.map((c) => c.name) }))];
  const hourly = Number((await rowsOf(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'samples_hourly'"))[0]![0]) > 0;
  if (hourly) tables.push({ name: "samples_hourly", cols: ["target", "ts", "profile", "sample_type", "stack_id", "labels", "value"] });
  await db.run("BEGIN TRANSACTION");
  try {
    await db.run(TARGETS_DDL);
    await db.run(
      `INSERT INTO targets SELECT (row_number() OVER (ORDER BY address))::INTEGER, address FROM (${tables.map((t) => `SELECT target AS address FROM ${t.name}`).join(" UNION ")})`,
    );
    for (const t of tables) {
      const sel = t.cols.map((c) => (c === "target" ? "k.id AS target_id" : `x.${c}`)).join(", ");
      const second = t.cols.includes("profile") ? "x.profile" : "x.name";
      await db.run(`CREATE TABLE ${t.name}__ids AS SELECT ${sel} FROM ${t.name} x JOIN targets k ON k.address = x.target ORDER BY date_trunc('hour', x.ts), k.id, ${second}, x.ts`);
      await db.run(`DROP TABLE ${t.name}`);
      await db.run(`ALTER TABLE ${t.name}__ids RENAME TO ${t.name}`);
    }
    await db.run("COMMIT");
  } catch (e) {
    await db.run("ROLLBACK").catch(() => undefined);
    throw e;
  }
}
