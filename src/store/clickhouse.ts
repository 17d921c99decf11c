// The cluster store: the schema of schema.ts in a ClickHouse database, for fleets
// that outgrow one machine and for N watchers (one hashmod shard each) writing into
// one database. Written against Debian's clickhouse-server 18.16 (2018), which
// @clickhouse/client talks to over HTTP, but which lacks DateTime64 (times are Int64
// ms), query parameters (values are inlined, escaped by lit()) and transactions.
// Without transactions a batch is written content first (functions, mappings,
// locations, stacks), then samples, then scrapes: the scrape row is what makes a
// profile visible to queries (samples count only with their scrape row), so a crash
// mid-batch leaves at worst rows no query reads, never half a profile.
// Content tables are ReplacingMergeTree: watchers that do not know each other's ids
// insert the same row twice; merges drop the copy and queries read `any()` per id.

import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import type { Profile } from "../core/model/index.js";
import { rebuildProfile, mergeHeaders } from "./rebuild.js";
import { TABLES, headerJson, parseHeader, type Column, type Table } from "./schema.js";
import type { Batch, FunctionRow, LocationRow, MappingRow, NormalizedProfile, ProfileStore, RangeQuery, SampleRow, SeriesPoint, StackRow, StoreStats, TopPoint } from "./types.js";

export interface ClickHouseOptions {
  url: string;
  database: string;
  username?: string;
  password?: string;
}

const TYPE: Record<Column["type"], string> = {
  BIGINT: "Int64",
  UBIGINT: "UInt64",
  INTEGER: "Int32",
  DOUBLE: "Float64",
  VARCHAR: "String",
  BOOLEAN: "UInt8",
  // 18.16 has no DateTime64: ms since the epoch, as the store's API counts them.
  TIMESTAMP: "Int64",
  "BIGINT[]": "Array(Int64)",
  // Strings are bytes in ClickHouse; a dump's gzip travels as base64 (JSON has no bytes).
  BLOB: "String",
};

export function clickhouseDdl(t: Table): string {
  const cols = t.columns.map((c) => `${c.name} ${TYPE[c.type]}`).join(", ");
  if (t.content) return `CREATE TABLE IF NOT EXISTS ${t.name} (${cols}) ENGINE = ReplacingMergeTree ORDER BY (${t.orderBy.join(", ")})`;
  // A day per partition: retention drops whole days cheaply, a range query skips the others.
  return `CREATE TABLE IF NOT EXISTS ${t.name} (${cols}) ENGINE = MergeTree PARTITION BY toYYYYMMDD(toDateTime(intDiv(ts, 1000))) ORDER BY (${t.orderBy.join(", ")})`;
}

const HOUR = 3600_000;

/**
 * Per (target, hour, profile, sample type, stack, labels): the hour's visible samples
 * summed (what a merge sums), so a long range reads a few rows per hour. Summing merges
 * fold rows of the same key; queries sum anyway. `hourly_done` says which (target, hour)
 * is in it: only those hours are read from here, the others from samples.
 */
const HOURLY_DDL = [
  `CREATE TABLE IF NOT EXISTS samples_hourly (target String, ts Int64, profile String, sample_type String, stack_id Int64, labels String, value Int64)
   ENGINE = SummingMergeTree PARTITION BY toYYYYMMDD(toDateTime(intDiv(ts, 1000))) ORDER BY (target, profile, ts, sample_type, stack_id, labels)`,
  "CREATE TABLE IF NOT EXISTS hourly_done (target String, ts Int64) ENGINE = ReplacingMergeTree ORDER BY (target, ts)",
];

/** A SQL literal: 18.16 has no query parameters, so every value is inlined through here. */
function lit(v: string | number | bigint): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(Math.trunc(v));
  }
  return `'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** JSON rows: 64-bit integers as strings (ClickHouse reads quoted Int64 exactly; a JS number would round them). */
type Row = Record<string, string | number | Array<string | number>>;
const big = (x: bigint): string => x.toString();

type Known = "functions" | "mappings" | "locations" | "stacks";

export class ClickStore implements ProfileStore {
  private readonly known: Record<Known, Set<bigint>> = { functions: new Set(), mappings: new Set(), locations: new Set(), stacks: new Set() };
  /**
   * The hours this store wrote scrapes into, and of which targets: the hourly sums are
   * made by the watcher that scraped the target (in a sharded fleet, each its own), once
   * the hour is over. After a restart the hours written before it stay unsummed: their
   * queries read the samples, with the same answer.
   */
  private readonly written = new Map<number, Set<string>>();
  private constructor(
    private readonly ch: ClickHouseClient,
    private readonly database: string,
  ) {}

  static async open(o: ClickHouseOptions): Promise<ClickStore> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.database)) throw new Error(`storage.clickhouse.database: "${o.database}" is not a plain identifier`);
    // The client would print each failed request with its stack; our callers report errors in one line.
    const auth = { username: o.username ?? "default", password: o.password ?? "", log: { level: ClickHouseLogLevel.OFF } };
    const admin = createClient({ url: o.url, ...auth });
    try {
      await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${o.database}` });
    } finally {
      await admin.close();
    }
    const ch = createClient({ url: o.url, database: o.database, ...auth });
    const s = new ClickStore(ch, o.database);
    for (const t of TABLES) await ch.command({ query: clickhouseDdl(t) });
    for (const q of HOURLY_DDL) await ch.command({ query: q });
    await s.loadKnown();
    return s;
  }

  private async loadKnown(): Promise<void> {
    for (const t of ["functions", "mappings", "locations", "stacks"] as const) for (const [id] of await this.rows(`SELECT DISTINCT id FROM ${t}`)) this.known[t].add(BigInt(id as string));
  }

  /** Rows of a query, positional (JSONCompact: 64-bit integers arrive as strings). */
  async rows(sql: string): Promise<unknown[][]> {
    const r = await this.ch.query({ query: sql, format: "JSONCompact" });
    return ((await r.json()) as { data: unknown[][] }).data;
  }

  private async insert(table: string, values: Row[]): Promise<void> {
    if (values.length > 0) await this.ch.insert({ table, values, format: "JSONEachRow" });
  }

  pruneKnown(p: NormalizedProfile): NormalizedProfile {
    const k = this.known;
    return {
      ...p,
      functions: p.functions.filter((f) => !k.functions.has(f.id)),
      mappings: p.mappings.filter((m) => !k.mappings.has(m.id)),
      locations: p.locations.filter((l) => !k.locations.has(l.id)),
      stacks: p.stacks.filter((s) => !k.stacks.has(s.id)),
    };
  }

  async write(batch: Batch): Promise<void> {
    const fresh: Record<Known, Map<bigint, Row>> = { functions: new Map(), mappings: new Map(), locations: new Map(), stacks: new Map() };
    const add = (t: Known, id: bigint, row: () => Row): void => {
      if (!this.known[t].has(id) && !fresh[t].has(id)) fresh[t].set(id, row());
    };
    const scrapes: Row[] = [];
    const samples: Row[] = [];
    for (const s of batch.scrapes) {
      const p = s.profile;
      for (const f of p.functions) add("functions", f.id, () => functionRow(f));
      for (const m of p.mappings) add("mappings", m.id, () => mappingRow(m));
      for (const l of p.locations) add("locations", l.id, () => locationRow(l));
      for (const st of p.stacks) add("stacks", st.id, () => ({ id: big(st.id), location_ids: st.locations.map(big), leaf: st.leaf }));
      const ts = Math.round(s.timeMs);
      const hour = Math.floor(ts / HOUR) * HOUR;
      let targets = this.written.get(hour);
      if (!targets) this.written.set(hour, (targets = new Set()));
      targets.add(s.target);
      scrapes.push({ target: s.target, job: s.job, labels: JSON.stringify(s.labels), ts, profile: s.type, header: headerJson(p.header), raw_bytes: s.rawBytes, samples: p.samples.length, resolution_ms: 0 });
      pushSamples(samples, s.target, ts, s.type, p.header.sampleTypes, p.samples);
    }
    for (const t of ["functions", "mappings", "locations", "stacks"] as const) await this.insert(t, [...fresh[t].values()]);
    // Content is stored (a later failure leaves it unreferenced, which is harmless): known from now on.
    for (const t of ["functions", "mappings", "locations", "stacks"] as const) for (const id of fresh[t].keys()) this.known[t].add(id);
    await this.insert("samples", samples);
    await this.insert("metrics", batch.metrics.map((m) => ({ target: m.target, ts: Math.round(m.timeMs), name: m.name, value: m.value })));
    await this.insert("dumps", batch.dumps.map((d) => ({ target: d.target, ts: Math.round(d.timeMs), goroutines: d.goroutines, dump_gz: Buffer.from(d.gz).toString("base64") })));
    await this.insert("events", batch.events.map((e) => ({ target: e.target, ts: Math.round(e.timeMs), kind: e.kind, name: e.name, severity: e.severity, message: e.message })));
    await this.insert("scrapes", scrapes);
  }

  async mergedProfile(q: RangeQuery): Promise<Profile | null> {
    const headers = (await this.rows(`SELECT header FROM scrapes WHERE ${rangeWhere(q)} ORDER BY ts`)).map((r) => parseHeader(r[0] as string));
    if (headers.length === 0) return null;
    const types = mergeHeaders(headers).sampleTypes.map((t) => t.type);
    // Whole hours already summed come from samples_hourly, the rest of the range from samples.
    const hours = await this.summedHours(q);
    const src =
      hours.length === 0
        ? `SELECT stack_id, labels, sample_type, value FROM samples WHERE ${visibleSamples(q)}`
        : `SELECT stack_id, labels, sample_type, value FROM samples_hourly WHERE target = ${lit(q.target)} AND profile = ${lit(q.type)} AND ts IN (${hours.join(", ")})
           UNION ALL
           SELECT stack_id, labels, sample_type, value FROM samples WHERE ${visibleSamples(q)} AND intDiv(ts, ${HOUR}) * ${HOUR} NOT IN (${hours.join(", ")})`;
    // Sum in the database: a day of a target is millions of rows, its sum a few thousand.
    const bySample = new Map<string, SampleRow>();
    for (const [stack, labels, type, v] of await this.rows(`SELECT stack_id, labels, sample_type, sum(value) FROM (${src}) GROUP BY stack_id, labels, sample_type ORDER BY stack_id, labels`)) {
      const k = types.indexOf(type as string);
      if (k < 0) continue;
      const key = `${stack as string}|${labels as string}`;
      let row = bySample.get(key);
      if (!row) bySample.set(key, (row = { stack: BigInt(stack as string), labels: labels as string, values: new Array<number>(types.length).fill(0) }));
      row.values[k] = Number(v);
    }
    const stackIds = `SELECT stack_id FROM (${src})`;
    const locIds = `SELECT arrayJoin(location_ids) FROM stacks WHERE id IN (${stackIds})`;
    const stacks = new Map<bigint, StackRow>();
    for (const [id, locs, leaf] of await this.rows(`SELECT id, any(location_ids), any(leaf) FROM stacks WHERE id IN (${stackIds}) GROUP BY id`))
      stacks.set(BigInt(id as string), { id: BigInt(id as string), locations: (locs as string[]).map(BigInt), leaf: leaf as string });
    const locations = new Map<bigint, LocationRow>();
    for (const [id, mapping, address, folded, fns, lines] of await this.rows(
      `SELECT id, any(mapping_id), any(address), any(is_folded), any(line_functions), any(line_numbers) FROM locations WHERE id IN (${locIds}) GROUP BY id`,
    ))
      locations.set(BigInt(id as string), {
        id: BigInt(id as string),
        mapping: BigInt(mapping as string),
        address: BigInt(address as string),
        isFolded: Number(folded) !== 0,
        lineFunctions: (fns as string[]).map(BigInt),
        lineNumbers: (lines as string[]).map(Number),
      });
    const functions = new Map<bigint, FunctionRow>();
    for (const [id, name, sys, file, start] of await this.rows(
      `SELECT id, any(name), any(system_name), any(filename), any(start_line) FROM functions WHERE id IN (SELECT arrayJoin(line_functions) FROM locations WHERE id IN (${locIds})) GROUP BY id`,
    ))
      functions.set(BigInt(id as string), { id: BigInt(id as string), name: name as string, systemName: sys as string, filename: file as string, startLine: Number(start) });
    const mains = headers.map((h) => lit(h.mainMapping)).join(", ");
    const mappings = new Map<bigint, MappingRow>();
    for (const [id, start, limit, offset, file, buildId, flags] of await this.rows(
      `SELECT id, any(memory_start), any(memory_limit), any(file_offset), any(file), any(build_id), any(flags) FROM mappings
       WHERE id IN (SELECT mapping_id FROM locations WHERE id IN (${locIds})) OR id IN (${mains}) GROUP BY id`,
    ))
      mappings.set(BigInt(id as string), {
        id: BigInt(id as string),
        start: BigInt(start as string),
        limit: BigInt(limit as string),
        offset: BigInt(offset as string),
        file: file as string,
        buildId: buildId as string,
        flags: Number(flags),
      });
    return rebuildProfile({ headers, samples: [...bySample.values()], stacks, locations, functions, mappings });
  }

  /** The hours wholly inside the range whose sums are in samples_hourly. */
  private async summedHours(q: RangeQuery): Promise<number[]> {
    // An hour [h, h + 1 h) is inside [from, to] (ms, both inclusive) when h >= from and h + 1 h - 1 <= to.
    const from = Math.ceil(Math.floor(q.fromMs) / HOUR) * HOUR;
    const to = Math.floor((Math.ceil(q.toMs) + 1) / HOUR) * HOUR;
    if (to <= from) return [];
    const r = await this.rows(`SELECT DISTINCT ts FROM hourly_done WHERE target = ${lit(q.target)} AND ts >= ${lit(from)} AND ts < ${lit(to)} ORDER BY ts`);
    return r.map((x) => Number(x[0]));
  }

  /**
   * Sum each complete hour this store wrote into samples_hourly (an hour after its end,
   * as the DuckDB store does: scrapes still queued then are late), for the targets it
   * wrote, then mark them done. No transactions in 18.16: a crash between the two
   * inserts leaves sums that no query reads (not marked), and they are not made again.
   */
  private async sumHours(nowMs: number): Promise<number> {
    const upTo = Math.floor(nowMs / HOUR) * HOUR - HOUR;
    let n = 0;
    for (const [h, set] of [...this.written].sort((x, y) => x[0] - y[0])) {
      if (h >= upTo) continue;
      const listed = [...set].map(lit).join(", ");
      // Another watcher (a shard that had the target before a re-shard) may have summed some already.
      const done = new Set((await this.rows(`SELECT DISTINCT target FROM hourly_done WHERE ts = ${lit(h)} AND target IN (${listed})`)).map((r) => r[0] as string));
      const todo = [...set].filter((t) => !done.has(t));
      if (todo.length > 0) {
        const range = `target IN (${todo.map(lit).join(", ")}) AND ts >= ${lit(h)} AND ts < ${lit(h + HOUR)}`;
        await this.ch.command({
          query: `INSERT INTO samples_hourly SELECT target, toInt64(${lit(h)}) AS hour, profile, sample_type, stack_id, labels, sum(value) AS v
                  FROM samples WHERE ${range} AND (target, profile, ts) IN (SELECT target, profile, ts FROM scrapes WHERE ${range})
                  GROUP BY target, profile, sample_type, stack_id, labels`,
        });
        await this.insert("hourly_done", todo.map((target) => ({ target, ts: h })));
        n += todo.length;
      }
      this.written.delete(h);
    }
    return n;
  }

  async series(target: string, name: string, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    const r = await this.rows(`SELECT ts, value FROM metrics WHERE target = ${lit(target)} AND name = ${lit(name)} AND ts >= ${lit(Math.floor(fromMs))} AND ts <= ${lit(Math.ceil(toMs))} ORDER BY ts`);
    return r.map(([t, v]) => ({ timeMs: Number(t), value: Number(v) }));
  }

  async topFunctions(q: RangeQuery, bucketMs: number, n: number): Promise<TopPoint[]> {
    const first = await this.rows(`SELECT header FROM scrapes WHERE target = ${lit(q.target)} AND profile = ${lit(q.type)} AND ts >= ${lit(Math.floor(q.fromMs))} ORDER BY ts LIMIT 1`);
    if (first.length === 0) return [];
    const h = parseHeader(first[0]![0] as string);
    const type = h.defaultSampleType || h.sampleTypes[h.sampleTypes.length - 1]!.type;
    const where = `${visibleSamples(q)} AND sample_type = ${lit(type)}`;
    const b = lit(bucketMs);
    // 18.16 has no window functions: the top n per bucket is picked here, from the per-(bucket, leaf) sums.
    const r = await this.rows(
      `SELECT b, leaf, sum(v) FROM
         (SELECT intDiv(ts, ${b}) * ${b} AS b, stack_id, sum(value) AS v FROM samples WHERE ${where} GROUP BY b, stack_id)
         ANY LEFT JOIN (SELECT id AS stack_id, any(leaf) AS leaf FROM stacks WHERE id IN (SELECT stack_id FROM samples WHERE ${where}) GROUP BY id) USING stack_id
       WHERE leaf != ''
       GROUP BY b, leaf`,
    );
    const byBucket = new Map<number, TopPoint[]>();
    for (const [t, f, v] of r) {
      const time = Number(t);
      let list = byBucket.get(time);
      if (!list) byBucket.set(time, (list = []));
      list.push({ timeMs: time, function: f as string, value: Number(v) });
    }
    const out: TopPoint[] = [];
    for (const time of [...byBucket.keys()].sort((x, y) => x - y))
      out.push(...byBucket.get(time)!.sort((x, y) => y.value - x.value || (x.function < y.function ? -1 : x.function > y.function ? 1 : 0)).slice(0, n));
    return out;
  }

  async targets(): Promise<string[]> {
    return (await this.rows("SELECT DISTINCT target FROM scrapes ORDER BY target")).map((r) => r[0] as string);
  }

  /**
   * Retention and the hourly sums. Deletes are mutations, applied in the background; 18.16 has no
   * TTL and no way to wait for a mutation, so downsampling (insert the sums, delete
   * the originals) would count a range twice until the delete lands: not done here
   * (docs/WATCH.md, ClickHouse).
   */
  async compact(nowMs: number, retentionMs: number): Promise<void> {
    // Whole hours: samples_hourly then loses exactly the hours samples loses.
    const cut = lit(Math.floor((nowMs - retentionMs) / HOUR) * HOUR);
    for (const t of ["scrapes", "samples", "metrics", "dumps", "events", "samples_hourly", "hourly_done"]) {
      const old = await this.rows(`SELECT count() FROM ${t} WHERE ts < ${cut}`);
      if (Number(old[0]![0]) > 0) await this.ch.command({ query: `ALTER TABLE ${t} DELETE WHERE ts < ${cut}` });
    }
    await this.sumHours(nowMs);
  }

  async stats(): Promise<StoreStats> {
    const one = async (sql: string): Promise<number> => Number((await this.rows(sql))[0]![0]);
    const count = (t: string): Promise<number> => one(t === "scrapes" || t === "samples" ? `SELECT count() FROM ${t}` : `SELECT uniqExact(id) FROM ${t}`);
    return {
      scrapes: await count("scrapes"),
      samples: await count("samples"),
      stacks: await count("stacks"),
      locations: await count("locations"),
      functions: await count("functions"),
      bytesOnDisk: await one(`SELECT sum(bytes) FROM system.parts WHERE database = ${lit(this.database)} AND active`),
    };
  }

  async close(): Promise<void> {
    await this.ch.close();
  }
}

function rangeWhere(q: RangeQuery): string {
  return `target = ${lit(q.target)} AND profile = ${lit(q.type)} AND ts >= ${lit(Math.floor(q.fromMs))} AND ts <= ${lit(Math.ceil(q.toMs))}`;
}

/**
 * Samples of the range whose scrape row was written: a batch cut short by a crash
 * (scrapes are inserted last) leaves samples no query counts.
 */
function visibleSamples(q: RangeQuery): string {
  return `${rangeWhere(q)} AND ts IN (SELECT ts FROM scrapes WHERE ${rangeWhere(q)})`;
}

/** One row per non-zero (stack, labels, sample type) value, as duckdb.ts stores them. */
function pushSamples(out: Row[], target: string, ts: number, profile: string, sampleTypes: Array<{ type: string }>, samples: SampleRow[]): void {
  for (const r of samples)
    for (let k = 0; k < sampleTypes.length; k++) {
      const v = r.values[k]!;
      if (v === 0) continue;
      out.push({ target, ts, profile, sample_type: sampleTypes[k]!.type, stack_id: big(r.stack), labels: r.labels, value: String(v), resolution_ms: 0 });
    }
}

function functionRow(f: FunctionRow): Row {
  return { id: big(f.id), name: f.name, system_name: f.systemName, filename: f.filename, start_line: f.startLine };
}
function mappingRow(m: MappingRow): Row {
  return { id: big(m.id), memory_start: big(m.start), memory_limit: big(m.limit), file_offset: big(m.offset), file: m.file, build_id: m.buildId, flags: m.flags };
}
function locationRow(l: LocationRow): Row {
  return { id: big(l.id), mapping_id: big(l.mapping), address: big(l.address), is_folded: l.isFolded ? 1 : 0, line_functions: l.lineFunctions.map(big), line_numbers: l.lineNumbers };
}
