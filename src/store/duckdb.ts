// The embedded store: one DuckDB file in the data directory. Each batch is one
// transaction (DuckDB's write-ahead log makes a commit durable), so kill -9 loses
// only the batch being written; DuckDB replays its log on the next open.
// Content rows (functions, mappings, locations, stacks) are appended only when
// their id is new; the known ids are loaded once at open. Each complete hour is
// also summed per (target, profile, stack, labels, sample type) into samples_hourly
// (summing is what a merge does), so a long range reads a few rows per hour.

import type * as DuckDB from "@duckdb/node-api";
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance as Instance, DuckDBValue } from "@duckdb/node-api";
import { rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Profile } from "../core/model/index.js";
import { rebuildProfile, mergeHeaders } from "./rebuild.js";
import { duckDdl, hasAddressKeys, migrateToTargetIds } from "./duckdb-schema.js";
import { headerJson, parseHeader } from "./schema.js";
import type { Batch, NormalizedProfile, FunctionRow, LocationRow, MappingRow, ProfileStore, RangeQuery, SampleRow, SeriesPoint, StackRow, StoreStats, TopPoint } from "./types.js";

const HOUR = 3600_000;

// Loaded with require, not import: @duckdb/node-api is CommonJS, and Node's ESM loader
// parses every one of its ~100 files with cjs-module-lexer to list their exports first
// (0.2 s of a 0.6 s `godiag query` in a --cpu-prof). require skips that.
const { DuckDBInstance, listValue, LIST, BIGINT, timestampValue } = createRequire(import.meta.url)("@duckdb/node-api") as typeof DuckDB;

/**
 * The watcher's DuckDB buffer limit. 512 MB made batch writes about twice as slow as 1 GB
 * or the default (100 targets x 6 profiles per batch, 8 batches: 19-25 s against 10.5-11
 * s wall, load 16-17): appends into a growing file need their row groups in the buffer.
 */
const DUCKDB_MEMORY = "1GB";

const ts = (ms: number) => timestampValue(BigInt(Math.round(ms)) * 1000n);

/** A whole number inlined into SQL (a literal lets DuckDB prune row groups by it at planning). */
function int(x: number): string {
  if (!Number.isSafeInteger(x)) throw new Error(`not an integer: ${x}`);
  return String(x);
}

export class DuckStore implements ProfileStore {
  private readonly known = { functions: new Set<bigint>(), mappings: new Set<bigint>(), locations: new Set<bigint>(), stacks: new Set<bigint>() };
  /** address -> id of the targets table (duckdb-schema.ts: why integers) */
  private readonly targetIds = new Map<string, number>();
  private nextTargetId = 1;
  /**
   * Hours before this (ms) are summed into samples_hourly or being summed: a scrape of
   * such an hour that arrives late adds its samples to the sums itself (sortHours).
   */
  private summingUpTo = 0;
  /** the write in progress (sortHours waits for it before it takes its snapshot) */
  private writing: Promise<void> = Promise.resolve();
  private constructor(
    private readonly file: string,
    private readonly instance: Instance,
    private readonly db: DuckDBConnection,
    /** queries' own connection: a watcher's writes hold `db` in a transaction */
    private readonly reader: DuckDBConnection,
  ) {}

  /** Queries one at a time on `reader` (their temp tables share its namespace). */
  private readChain: Promise<unknown> = Promise.resolve();
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const r = this.readChain.then(f, f);
    this.readChain = r.catch(() => undefined);
    return r;
  }

  private async read(sql: string, values: DuckDBValue[] = []): Promise<unknown[][]> {
    return (await this.reader.runAndReadAll(sql, values)).getRowsJS() as unknown[][];
  }

  /** The batch's samples as CSV, next to the database (removed after each write). */
  private get ingestFile(): string {
    return `${this.file}.ingest.csv`;
  }

  /** A second connection for hourly maintenance, so that writes are not held up. */
  private maint: DuckDBConnection | null = null;

  static async open(file: string, opts: { readOnly?: boolean } = {}): Promise<DuckStore> {
    // DuckDB's buffer defaults to 80 % of the machine's memory: a watcher's must be bounded
    // (the hourly sort and big queries spill to DIR/godiag.duckdb.tmp instead).
    const instance = await DuckDBInstance.create(file, opts.readOnly ? { access_mode: "READ_ONLY" } : { threads: "2", memory_limit: DUCKDB_MEMORY });
    const db = await instance.connect();
    const s = new DuckStore(file, instance, db, opts.readOnly ? db : await instance.connect());
    try {
      if (await hasAddressKeys(db)) {
        if (opts.readOnly) throw new Error("written by an earlier godiag (targets kept as addresses): start godiag watch on this directory once to convert it");
        await migrateToTargetIds(db);
      }
      if (!opts.readOnly) for (const q of [...duckDdl(), "CREATE TABLE IF NOT EXISTS godiag_meta (key VARCHAR, value BIGINT)"]) await db.run(q);
      if (!opts.readOnly) await s.loadKnown();
      await s.loadTargets();
      if (!opts.readOnly) s.summingUpTo = await s.meta(db, "hourly_until");
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  private async loadKnown(): Promise<void> {
    for (const t of ["functions", "mappings", "locations", "stacks"] as const) {
      const r = await this.db.runAndReadAll(`SELECT id FROM ${t}`);
      for (const [id] of r.getRowsJS()) this.known[t].add(id as bigint);
    }
  }

  private async loadTargets(): Promise<void> {
    // A file from before any table existed (read-only open of an empty file) has no targets table.
    const has = (await this.db.runAndReadAll("SELECT count(*) FROM information_schema.tables WHERE table_name = 'targets'")).getRowsJS()[0]![0] !== 0n;
    if (!has) return;
    for (const [id, address] of (await this.db.runAndReadAll("SELECT id, address FROM targets")).getRowsJS()) {
      this.targetIds.set(address as string, id as number);
      this.nextTargetId = Math.max(this.nextTargetId, (id as number) + 1);
    }
  }

  pruneKnown(p: NormalizedProfile): NormalizedProfile {
    // Committed only: what the write in progress added may still be rolled back.
    const has = (t: keyof typeof this.known, id: bigint): boolean => this.known[t].has(id) && !(this.inFlight?.[t].has(id) ?? false);
    return {
      ...p,
      functions: p.functions.filter((f) => !has("functions", f.id)),
      mappings: p.mappings.filter((m) => !has("mappings", m.id)),
      locations: p.locations.filter((l) => !has("locations", l.id)),
      stacks: p.stacks.filter((s) => !has("stacks", s.id)),
    };
  }

  /** Ids the write in progress added to `known` (not committed yet). */
  private inFlight: Record<"functions" | "mappings" | "locations" | "stacks", Set<bigint>> | null = null;

  write(batch: Batch): Promise<void> {
    // Read now, in the same synchronous step that makes this the write sortHours waits for.
    const summed = this.summingUpTo;
    const w = this.writeBatch(batch, summed);
    this.writing = w.catch(() => undefined);
    return w;
  }

  private async writeBatch(batch: Batch, summed: number): Promise<void> {
    const added = { functions: new Set<bigint>(), mappings: new Set<bigint>(), locations: new Set<bigint>(), stacks: new Set<bigint>() };
    const addedTargets: string[] = [];
    this.inFlight = added;
    await this.db.run("BEGIN TRANSACTION");
    try {
      // Rows first, then an appender only for a table that gets some: creating and closing
      // one (closeSync flushes on the main thread) for each table of each batch was 3 s of
      // a 39 s busy --cpu-prof at 200 targets, and once a fleet's stacks are known most
      // batches add no functions, stacks, dumps, events or targets.
      const rows = { functions: [] as FunctionRow[], mappings: [] as MappingRow[], locations: [] as LocationRow[], stacks: [] as StackRow[], targets: [] as Array<[number, string]> };
      const idOf = (address: string): number => {
        let id = this.targetIds.get(address);
        if (id === undefined) {
          this.targetIds.set(address, (id = this.nextTargetId++));
          addedTargets.push(address);
          rows.targets.push([id, address]);
        }
        return id;
      };
      const csv: string[] = [];
      let sampleRows = 0;
      const fresh = (t: keyof typeof added, id: bigint): boolean => {
        if (this.known[t].has(id)) return false;
        this.known[t].add(id);
        added[t].add(id);
        return true;
      };
      const scrapeIds: number[] = [];
      for (const s of batch.scrapes) {
        const p = s.profile;
        for (const f of p.functions) if (fresh("functions", f.id)) rows.functions.push(f);
        for (const m of p.mappings) if (fresh("mappings", m.id)) rows.mappings.push(m);
        for (const l of p.locations) if (fresh("locations", l.id)) rows.locations.push(l);
        for (const st of p.stacks) if (fresh("stacks", st.id)) rows.stacks.push(st);
        const id = idOf(s.target);
        scrapeIds.push(id);
        sampleRows += csvSamples(csv, id, s.timeMs, s.type, p.header.sampleTypes, p.samples);
      }
      const metricIds = batch.metrics.map((m) => idOf(m.target));
      const append = async <T>(table: string, list: readonly T[], put: (a: DuckDBAppender, row: T, i: number) => void): Promise<void> => {
        if (list.length === 0) return;
        const a = await this.db.createAppender(table);
        list.forEach((row, i) => {
          put(a, row, i);
          a.endRow();
        });
        a.closeSync();
      };
      await append("functions", rows.functions, appendFunction);
      await append("mappings", rows.mappings, appendMapping);
      await append("locations", rows.locations, appendLocation);
      await append("stacks", rows.stacks, appendStack);
      await append("targets", rows.targets, (a, [id, address]) => {
        a.appendInteger(id);
        a.appendVarchar(address);
      });
      await append("scrapes", batch.scrapes, (a, s, i) => {
        a.appendInteger(scrapeIds[i]!);
        a.appendVarchar(s.job);
        a.appendVarchar(JSON.stringify(s.labels));
        a.appendTimestamp(ts(s.timeMs));
        a.appendVarchar(s.type);
        a.appendVarchar(headerJson(s.profile.header));
        a.appendBigInt(BigInt(s.rawBytes));
        a.appendBigInt(BigInt(s.profile.samples.length));
        a.appendBigInt(0n);
      });
      await append("metrics", batch.metrics, (a, m, i) => {
        a.appendInteger(metricIds[i]!);
        a.appendTimestamp(ts(m.timeMs));
        a.appendVarchar(m.name);
        a.appendDouble(m.value);
      });
      await append("dumps", batch.dumps, (a, d) => {
        a.appendVarchar(d.target);
        a.appendTimestamp(ts(d.timeMs));
        a.appendBigInt(BigInt(d.goroutines));
        a.appendBlob(d.gz);
      });
      await append("events", batch.events, (a, e) => {
        a.appendVarchar(e.target);
        a.appendTimestamp(ts(e.timeMs));
        a.appendVarchar(e.kind);
        a.appendVarchar(e.name);
        a.appendVarchar(e.severity);
        a.appendVarchar(e.message);
      });
      if (sampleRows > 0) {
        // Samples are nearly all the rows: appending them one value per N-API call cost
        // 4 µs a row; DuckDB's CSV reader takes the batch as one file, in the same transaction.
        writeFileSync(this.ingestFile, csv.join(""));
        await this.db.run(
          `INSERT INTO samples SELECT target_id, make_timestamp(ts_us), profile, sample_type, stack_id, labels, value, 0
           FROM read_csv($1, header = false, auto_detect = false, quote = '"', escape = '"', allow_quoted_nulls = false,
             columns = {'target_id': 'INTEGER', 'ts_us': 'BIGINT', 'profile': 'VARCHAR', 'sample_type': 'VARCHAR', 'stack_id': 'BIGINT', 'labels': 'VARCHAR', 'value': 'BIGINT'})`,
          [this.ingestFile],
        );
        // A late scrape of an hour already summed (or being summed: sortHours's snapshot,
        // taken after this write, has its rows) adds its samples to that hour's sums.
        if (batch.scrapes.some((x) => x.timeMs < summed))
          await this.db.run(
            `INSERT INTO samples_hourly SELECT target_id, date_trunc('hour', make_timestamp(ts_us)), profile, sample_type, stack_id, labels, value
             FROM read_csv($1, header = false, auto_detect = false, quote = '"', escape = '"', allow_quoted_nulls = false,
               columns = {'target_id': 'INTEGER', 'ts_us': 'BIGINT', 'profile': 'VARCHAR', 'sample_type': 'VARCHAR', 'stack_id': 'BIGINT', 'labels': 'VARCHAR', 'value': 'BIGINT'})
             WHERE ts_us < $2::BIGINT`,
            [this.ingestFile, BigInt(summed) * 1000n],
          );
      }
      await this.db.run("COMMIT");
    } catch (e) {
      await this.db.run("ROLLBACK").catch(() => undefined);
      // What this batch added is not in the database: forget it was known.
      for (const t of Object.keys(added) as Array<keyof typeof added>) for (const id of added[t]) this.known[t].delete(id);
      for (const a of addedTargets) this.targetIds.delete(a);
      throw e;
    } finally {
      this.inFlight = null;
      rmSync(this.ingestFile, { force: true });
    }
  }

  /** Rows of any SQL over the history (docs/WATCH.md shows the tables). */
  async rows(sql: string, values: DuckDBValue[] = []): Promise<unknown[][]> {
    return (await this.db.runAndReadAll(sql, values)).getRowsJS() as unknown[][];
  }

  mergedProfile(q: RangeQuery): Promise<Profile | null> {
    return this.serial(() => this.merged(q));
  }

  private async merged(q: RangeQuery): Promise<Profile | null> {
    const id = this.targetIds.get(q.target);
    if (id === undefined) return null;
    const [from, to] = [int(Math.floor(q.fromMs)), int(Math.ceil(q.toMs))];
    const where = `target_id = ${int(id)} AND profile = $1 AND ts >= epoch_ms(${from}) AND ts <= epoch_ms(${to})`;
    const args: DuckDBValue[] = [q.type];
    const headers = (await this.read(`SELECT header FROM scrapes WHERE ${where} ORDER BY ts`, args)).map((r) => parseHeader(r[0] as string));
    if (headers.length === 0) return null;
    const types = mergeHeaders(headers).sampleTypes.map((t) => t.type);
    // Sum in the database: a 24 h range of a target is millions of rows, its result a few
    // thousand. Whole hours already summed come from samples_hourly, the edges from samples.
    const h = await this.hourlySpan(q);
    const key = `target_id = ${int(id)} AND profile = $1`;
    const src = h
      ? `SELECT stack_id, labels, sample_type, value FROM samples_hourly WHERE ${key} AND ts >= epoch_ms(${int(h.from)}) AND ts < epoch_ms(${int(h.to)})
         UNION ALL SELECT stack_id, labels, sample_type, value FROM samples WHERE ${key} AND ts >= epoch_ms(${from}) AND ts <= epoch_ms(${to})
           AND (ts < epoch_ms(${int(h.from)}) OR ts >= epoch_ms(${int(h.to)}))`
      : `SELECT stack_id, labels, sample_type, value FROM samples WHERE ${where}`;
    await this.reader.run(`CREATE OR REPLACE TEMP TABLE q_samples AS SELECT stack_id, labels, sample_type, SUM(value)::DOUBLE AS v FROM (${src}) GROUP BY ALL`, args);
    const bySample = new Map<string, SampleRow>();
    for (const [stack, labels, type, v] of await this.read("SELECT stack_id, labels, sample_type, v FROM q_samples ORDER BY stack_id, labels")) {
      const k = types.indexOf(type as string);
      if (k < 0) continue;
      const key = `${stack}|${labels}`;
      let row = bySample.get(key);
      if (!row) bySample.set(key, (row = { stack: stack as bigint, labels: labels as string, values: new Array<number>(types.length).fill(0) }));
      row.values[k] = v as number;
    }
    await this.reader.run("CREATE OR REPLACE TEMP TABLE q_stacks AS SELECT DISTINCT id, location_ids, leaf FROM stacks WHERE id IN (SELECT stack_id FROM q_samples)");
    await this.reader.run("CREATE OR REPLACE TEMP TABLE q_locs AS SELECT DISTINCT * FROM locations WHERE id IN (SELECT UNNEST(location_ids) FROM q_stacks)");
    const stacks = new Map<bigint, StackRow>();
    for (const [id, locs, leaf] of await this.read("SELECT * FROM q_stacks")) stacks.set(id as bigint, { id: id as bigint, locations: locs as bigint[], leaf: leaf as string });
    const locations = new Map<bigint, LocationRow>();
    for (const [id, mapping, address, folded, fns, lines] of await this.read("SELECT * FROM q_locs"))
      locations.set(id as bigint, { id: id as bigint, mapping: mapping as bigint, address: address as bigint, isFolded: folded as boolean, lineFunctions: fns as bigint[], lineNumbers: (lines as bigint[]).map(Number) });
    const functions = new Map<bigint, FunctionRow>();
    for (const [id, name, sys, file, start] of await this.read("SELECT DISTINCT * FROM functions WHERE id IN (SELECT UNNEST(line_functions) FROM q_locs)"))
      functions.set(id as bigint, { id: id as bigint, name: name as string, systemName: sys as string, filename: file as string, startLine: Number(start) });
    const mappings = new Map<bigint, MappingRow>();
    for (const [id, start, limit, offset, file, buildId, flags] of await this.read(
      "SELECT DISTINCT * FROM mappings WHERE id IN (SELECT mapping_id FROM q_locs) OR id IN (SELECT UNNEST($1::BIGINT[]))",
      [listValue(headers.map((h) => h.mainMapping))],
    ))
      mappings.set(id as bigint, { id: id as bigint, start: start as bigint, limit: limit as bigint, offset: offset as bigint, file: file as string, buildId: buildId as string, flags: flags as number });
    return rebuildProfile({ headers, samples: [...bySample.values()], stacks, locations, functions, mappings });
  }

  /** The whole hours of a range that samples_hourly holds (null when none). */
  private async hourlySpan(q: RangeQuery): Promise<{ from: number; to: number } | null> {
    if (!(await this.hasHourly())) return null;
    const r = await this.read("SELECT value FROM godiag_meta WHERE key = 'hourly_until'");
    const until = r.length > 0 ? Number(r[0]![0]) : 0;
    // An hour [h, h + 1 h) is inside [from, to] (ms, both inclusive) when h >= from and h + 1 h - 1 <= to.
    const from = Math.ceil(Math.floor(q.fromMs) / HOUR) * HOUR;
    const to = Math.min(Math.floor((Math.ceil(q.toMs) + 1) / HOUR) * HOUR, until);
    return to > from ? { from, to } : null;
  }

  private hourly: boolean | undefined;
  /** A file written before samples_hourly existed, opened read-only, has none. */
  private async hasHourly(): Promise<boolean> {
    this.hourly ??= (await this.read("SELECT count(*) FROM information_schema.tables WHERE table_name = 'samples_hourly'"))[0]![0] !== 0n;
    return this.hourly;
  }

  series(target: string, name: string, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    return this.serial(() => this.seriesOf(target, name, fromMs, toMs));
  }

  private async seriesOf(target: string, name: string, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    const id = this.targetIds.get(target);
    if (id === undefined) return [];
    const r = await this.read(`SELECT epoch_ms(ts), value FROM metrics WHERE target_id = ${int(id)} AND name = $1 AND ts >= epoch_ms(${int(Math.floor(fromMs))}) AND ts <= epoch_ms(${int(Math.ceil(toMs))}) ORDER BY ts`, [name]);
    return r.map(([t, v]) => ({ timeMs: Number(t), value: v as number }));
  }

  topFunctions(q: RangeQuery, bucketMs: number, n: number): Promise<TopPoint[]> {
    return this.serial(() => this.topOf(q, bucketMs, n));
  }

  private async topOf(q: RangeQuery, bucketMs: number, n: number): Promise<TopPoint[]> {
    const id = this.targetIds.get(q.target);
    if (id === undefined) return [];
    const first = await this.read(`SELECT header FROM scrapes WHERE target_id = ${int(id)} AND profile = $1 AND ts >= epoch_ms(${int(Math.floor(q.fromMs))}) ORDER BY ts LIMIT 1`, [q.type]);
    if (first.length === 0) return [];
    const h = parseHeader(first[0]![0] as string);
    const type = h.defaultSampleType || h.sampleTypes[h.sampleTypes.length - 1]!.type;
    const r = await this.read(
      `SELECT epoch_ms(b), leaf, v FROM (
         SELECT time_bucket(to_milliseconds(${int(bucketMs)}), s.ts, TIMESTAMP '1970-01-01') AS b, st.leaf AS leaf, SUM(s.value)::DOUBLE AS v
         FROM samples s JOIN stacks st ON st.id = s.stack_id
         WHERE s.target_id = ${int(id)} AND s.profile = $1 AND s.sample_type = $2 AND s.ts >= epoch_ms(${int(Math.floor(q.fromMs))}) AND s.ts <= epoch_ms(${int(Math.ceil(q.toMs))}) AND st.leaf <> ''
         GROUP BY 1, 2
         QUALIFY row_number() OVER (PARTITION BY b ORDER BY v DESC, leaf) <= ${int(n)})
       ORDER BY 1, 3 DESC, 2`,
      [q.type, type],
    );
    return r.map(([t, f, v]) => ({ timeMs: Number(t), function: f as string, value: v as number }));
  }

  async targets(): Promise<string[]> {
    return (await this.serial(() => this.read("SELECT address FROM targets WHERE id IN (SELECT DISTINCT target_id FROM scrapes) ORDER BY 1"))).map((r) => r[0] as string);
  }

  async compact(nowMs: number, retentionMs: number, downsampleAfterMs: number, resolutionMs: number): Promise<void> {
    await this.retainAndDownsample(nowMs, retentionMs, downsampleAfterMs, resolutionMs);
    await this.sortHours(nowMs);
  }

  /**
   * Each complete hour, one transaction each: rewrite it ordered by (target id, profile,
   * ts) and sum its samples into samples_hourly. Scrapes arrive interleaved across the
   * fleet, so every row group of an hour holds every target; sorted, a target's rows sit
   * in one or two row groups and DuckDB skips the others by their min/max (integers:
   * duckdb-schema.ts). The hourly
   * sums answer whole hours of a range without reading their scrapes' rows. On its own
   * connection: the writer keeps appending. `hourly_until` marks the hours done.
   * An hour is summed as soon as it is over: waiting an hour more for late scrapes left
   * the watcher with 1-3 h of the whole fleet unsummed, which every query of a recent
   * range filters row by row (docs/PERFORMANCE.md, fourth pass). Instead, writes started
   * after `summingUpTo` moves add their late samples to the sums themselves, and the
   * write in progress when it moves is waited for, so the snapshot below has it.
   */
  private async sortHours(nowMs: number): Promise<number> {
    const upTo = Math.floor(nowMs / HOUR) * HOUR;
    if (upTo > this.summingUpTo) this.summingUpTo = upTo;
    await this.writing;
    const db = this.maint ?? (this.maint = await this.instance.connect());
    let from = await this.meta(db, "hourly_until");
    if (from === 0) {
      const first = (await db.runAndReadAll("SELECT epoch_ms(min(ts)) FROM samples")).getRowsJS()[0]?.[0];
      if (first === null || first === undefined) return 0;
      from = Math.floor(Number(first) / HOUR) * HOUR;
    }
    let hours = 0;
    for (let h = from; h < upTo; h += HOUR) {
      const args = [BigInt(h), BigInt(h + HOUR)];
      const range = "ts >= epoch_ms($1::BIGINT) AND ts < epoch_ms($2::BIGINT)";
      await db.run("BEGIN TRANSACTION");
      try {
        for (const t of ["samples", "scrapes", "metrics"]) {
          await db.run(`CREATE OR REPLACE TEMP TABLE srt AS SELECT * FROM ${t} WHERE ${range} ORDER BY target_id, ${t === "metrics" ? "name" : "profile"}, ts`, args);
          await db.run(`DELETE FROM ${t} WHERE ${range}`, args);
          await db.run(`INSERT INTO ${t} SELECT * FROM srt`);
        }
        await db.run("DROP TABLE IF EXISTS srt");
        await db.run(`DELETE FROM samples_hourly WHERE ${range}`, args);
        await db.run(
          `INSERT INTO samples_hourly SELECT target_id, epoch_ms($1::BIGINT) AS ts, profile, sample_type, stack_id, labels, SUM(value)::BIGINT AS value
           FROM samples WHERE ${range} GROUP BY ALL ORDER BY target_id, profile`,
          args,
        );
        await db.run("DELETE FROM godiag_meta WHERE key = 'hourly_until'");
        await db.run("INSERT INTO godiag_meta VALUES ('hourly_until', $1::BIGINT)", [BigInt(h + HOUR)]);
        await db.run("COMMIT");
        hours++;
      } catch (e) {
        await db.run("ROLLBACK").catch(() => undefined);
        throw e;
      }
    }
    return hours;
  }

  private async meta(db: DuckDBConnection, key: string): Promise<number> {
    const r = (await db.runAndReadAll("SELECT value FROM godiag_meta WHERE key = $1", [key])).getRowsJS();
    return r.length > 0 ? Number(r[0]![0]) : 0;
  }

  private async retainAndDownsample(nowMs: number, retentionMs: number, downsampleAfterMs: number, resolutionMs: number): Promise<void> {
    // Whole hours: samples_hourly then loses exactly the hours samples loses.
    const cut = BigInt(Math.floor((nowMs - retentionMs) / HOUR) * HOUR);
    const db = this.maint ?? (this.maint = await this.instance.connect());
    await db.run("BEGIN TRANSACTION");
    try {
      for (const t of ["scrapes", "samples", "samples_hourly", "metrics", "dumps", "events"]) await db.run(`DELETE FROM ${t} WHERE ts < epoch_ms($1::BIGINT)`, [cut]);
      const old = BigInt(Math.floor(nowMs - downsampleAfterMs));
      const res = BigInt(resolutionMs);
      // Samples: one row per bucket, (stack, labels, sample type), summed as pprof's merge would.
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ds AS SELECT target_id, time_bucket(to_milliseconds($2::BIGINT), ts, TIMESTAMP '1970-01-01') AS ts, profile, sample_type, stack_id, labels, SUM(value)::BIGINT AS value, $2::BIGINT AS resolution_ms
         FROM samples WHERE ts < epoch_ms($1::BIGINT) AND resolution_ms = 0 GROUP BY ALL ORDER BY 2, 1, 3`,
        [old, res],
      );
      await db.run("DELETE FROM samples WHERE ts < epoch_ms($1::BIGINT) AND resolution_ms = 0", [old]);
      await db.run("INSERT INTO samples SELECT * FROM ds");
      // Scrapes: the headers of a bucket merged like the profiles (earliest time, summed duration).
      const rows = await rowsOf(db, 
        `SELECT target_id, job, labels, epoch_ms(time_bucket(to_milliseconds($2::BIGINT), ts, TIMESTAMP '1970-01-01')), profile, list(header ORDER BY ts), SUM(raw_bytes), SUM(samples)
         FROM scrapes WHERE ts < epoch_ms($1::BIGINT) AND resolution_ms = 0 GROUP BY ALL`,
        [old, res],
      );
      await db.run("DELETE FROM scrapes WHERE ts < epoch_ms($1::BIGINT) AND resolution_ms = 0", [old]);
      if (rows.length > 0) {
        const a = await db.createAppender("scrapes");
        for (const [target, job, labels, t, profile, headers, raw, n] of rows) {
          a.appendInteger(target as number);
          a.appendVarchar(job as string);
          a.appendVarchar(labels as string);
          a.appendTimestamp(ts(Number(t)));
          a.appendVarchar(profile as string);
          a.appendVarchar(headerJson(mergeHeaders((headers as string[]).map(parseHeader))));
          a.appendBigInt(BigInt(raw as bigint));
          a.appendBigInt(BigInt(n as bigint));
          a.appendBigInt(res);
          a.endRow();
        }
        a.closeSync();
      }
      await db.run("COMMIT");
    } catch (e) {
      await db.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  async stats(): Promise<StoreStats> {
    const one = async (sql: string): Promise<number> => Number((await this.rows(sql))[0]![0]);
    let bytesOnDisk = 0;
    for (const f of [this.file, this.file + ".wal"])
      try {
        bytesOnDisk += statSync(f).size;
      } catch {
        // no log: everything is checkpointed
      }
    return {
      scrapes: await one("SELECT count(*) FROM scrapes"),
      samples: await one("SELECT count(*) FROM samples"),
      stacks: await one("SELECT count(*) FROM stacks"),
      locations: await one("SELECT count(*) FROM locations"),
      functions: await one("SELECT count(*) FROM functions"),
      bytesOnDisk,
    };
  }

  memoryBytes(): Promise<number> {
    return this.serial(async () => Number((await this.read("SELECT COALESCE(sum(memory_usage_bytes), 0)::BIGINT FROM duckdb_memory()"))[0]![0]));
  }

  /** Write the log into the database file (a smaller file; the next open replays nothing). */
  async checkpoint(): Promise<void> {
    await this.db.run("CHECKPOINT");
  }

  async close(): Promise<void> {
    this.maint?.closeSync();
    if (this.reader !== this.db) this.reader.closeSync();
    this.db.closeSync();
    this.instance.closeSync();
  }
}

/** A CSV field: quoted, quotes doubled (labels are JSON; names may hold commas). */
const q = (x: string): string => `"${x.replaceAll('"', '""')}"`;

/** Append a scrape's non-zero sample values as CSV lines; returns how many. */
function csvSamples(out: string[], target: number, timeMs: number, type: string, sampleTypes: Array<{ type: string }>, samples: SampleRow[]): number {
  const head = `${target},${BigInt(Math.round(timeMs)) * 1000n},${q(type)},`;
  const types = sampleTypes.map((t) => q(t.type));
  let n = 0;
  for (const r of samples) {
    const labels = q(r.labels);
    for (let k = 0; k < types.length; k++) {
      const v = r.values[k]!;
      if (v === 0) continue;
      out.push(`${head}${types[k]},${r.stack},${labels},${v}\n`);
      n++;
    }
  }
  return n;
}

async function rowsOf(db: DuckDBConnection, sql: string, values: DuckDBValue[] = []): Promise<unknown[][]> {
  return (await db.runAndReadAll(sql, values)).getRowsJS() as unknown[][];
}

function appendFunction(a: DuckDBAppender, f: FunctionRow): void {
  a.appendBigInt(f.id);
  a.appendVarchar(f.name);
  a.appendVarchar(f.systemName);
  a.appendVarchar(f.filename);
  a.appendBigInt(BigInt(f.startLine));
}
function appendMapping(a: DuckDBAppender, m: MappingRow): void {
  a.appendBigInt(m.id);
  a.appendUBigInt(m.start);
  a.appendUBigInt(m.limit);
  a.appendUBigInt(m.offset);
  a.appendVarchar(m.file);
  a.appendVarchar(m.buildId);
  a.appendInteger(m.flags);
}
function appendLocation(a: DuckDBAppender, l: LocationRow): void {
  a.appendBigInt(l.id);
  a.appendBigInt(l.mapping);
  a.appendUBigInt(l.address);
  a.appendBoolean(l.isFolded);
  a.appendList(listValue(l.lineFunctions), LIST(BIGINT));
  a.appendList(listValue(l.lineNumbers.map((n) => BigInt(n))), LIST(BIGINT));
}
function appendStack(a: DuckDBAppender, s: StackRow): void {
  a.appendBigInt(s.id);
  a.appendList(listValue(s.locations), LIST(BIGINT));
  a.appendVarchar(s.leaf);
}
