// When was each file taken, and in which order? A capture's manifest says; loose
// files (curl'd by hand, named anyhow, their mtimes reset by a copy or a checkout,
// or nearly equal because they were fetched in parallel) say it through what they
// hold. Trust, highest first:
//
//   manifest  the fetch time godiag's capture recorded
//   proto     a profile's TimeNanos (when the runtime wrote it; the start, for CPU)
//   content   goroutine dumps: the wait minutes of goroutines present in both
//             (a wait does not shrink unless the goroutine woke up), goroutine ids
//             (the goroutines only in the newer dump are the newer ones), then a
//             timestamp the dump itself carries (log lines before a SIGQUIT dump)
//   name      a timestamp in the file name (unix seconds or ms, 2024-04-05T12-34-56,
//             20240405-123456), else a trailing counter (g1 g2, stacks-1 stacks-2)
//   mtime     the file's modification time, when it is at least 1 s from the other's
//
// The interval between two snapshots (goroutines leaked per minute) comes from the
// same evidence; for debug=2 dumps the content also proves a lower bound (the
// waits that grew between the dumps, the waits of goroutines born after the first),
// which a name or mtime interval must not undercut.

import { basename, dirname, join, resolve } from "node:path";
import { existsSync, readFileSync, statSync } from "node:fs";
import { maybeGunzip, readFileCapped, type ReadLimits } from "../core/input/index.js";
import { sniffKind, type FileKind } from "../core/kinds/index.js";
import type { Profile } from "../core/model/index.js";
import { parseManifest } from "./manifest.js";

/** Where a file's time came from, most trusted first. */
export type TimeSource = "manifest" | "proto" | "content" | "name" | "mtime";

/** What put a file after the previous one of its kind; "path" (bundles) or "given" (the command line): nothing did. */
export type OrderSource = TimeSource | "path" | "given";

export interface SnapshotInterval {
  seconds: number;
  source: TimeSource;
  /** the content proves at least this much (goroutine waits); the real interval may be longer */
  lowerBound: boolean;
  /** one line for evidence: what the number rests on */
  detail: string;
}

export interface SincePrevious {
  /** the previous file of the same kind (its BundleFile.path) */
  path: string;
  /** what proved that this file is the newer one */
  order: OrderSource;
  orderDetail: string;
  /** time between the previous file and this one; undefined when nothing tells */
  interval?: SnapshotInterval;
}

/** A run of snapshots of one kind, oldest first, summarised first -> last. */
export interface SnapshotSeries {
  /** the weakest order source among consecutive pairs (undefined for fewer than two files) */
  order?: OrderSource;
  orderDetail: string;
  /** first -> last; undefined when some step's interval is unknown */
  interval?: SnapshotInterval;
}

const TRUST: readonly OrderSource[] = ["manifest", "proto", "content", "name", "mtime", "path", "given"];
const weaker = <T extends OrderSource>(a: T, b: T): T => (TRUST.indexOf(a) >= TRUST.indexOf(b) ? a : b);

/** mtimes closer than this (parallel fetches, a copy, a checkout) neither order nor time snapshots */
export const MIN_MTIME_GAP_MS = 1000;

// ---------------------------------------------------------------------------
// Evidence one file carries

export interface StampedTime {
  ms: number;
  /** the text carried a zone (or is a unix time): absolute; else local time of some zone, good for differences */
  zoned: boolean;
  text: string;
}

export interface DumpFacts {
  /** goroutine id -> state and printed wait minutes (0 when none printed) */
  goroutines: Map<number, { state: string; minutes: number }>;
  maxId: number;
  /** the longest wait printed, minutes */
  maxWaitMinutes: number;
  /**
   * the text ends with a whole record (a frame's file:line line and a newline), not cut
   * short as a fixed runtime.Stack buffer or an interrupted fetch leaves it: only then
   * is a goroutine missing from it known not to have existed
   */
  complete: boolean;
}

export interface TimeEvidence {
  path: string;
  kind: FileKind;
  manifest?: number;
  proto?: number;
  dump?: DumpFacts;
  /** a timestamp the file itself carries (goroutine dumps) */
  content?: StampedTime;
  nameTime?: StampedTime;
  nameCounter?: { prefix: string; n: number };
  mtime?: number;
}

/** What a file says about when it was taken: name, content, TimeNanos, manifest time, mtime. */
export function timeEvidence(
  path: string,
  kind: FileKind,
  data: Uint8Array,
  opts: { profile?: Profile; manifestTime?: string; mtimeMs?: number; limits: ReadLimits },
): TimeEvidence {
  const e: TimeEvidence = { path, kind };
  const m = opts.manifestTime !== undefined ? Date.parse(opts.manifestTime) : NaN;
  if (Number.isFinite(m)) e.manifest = m;
  if (opts.profile && opts.profile.timeNanos > 0n) e.proto = Number(opts.profile.timeNanos / 1000n) / 1000;
  if (kind === "goroutine-debug2" || kind === "goroutine-debug1") {
    const raw = rawOf(data, path, opts.limits);
    if (kind === "goroutine-debug2") e.dump = dumpFacts(data, path, opts.limits, raw);
    const stamp = dumpTimestamp(raw);
    if (stamp) e.content = stamp;
  }
  const n = nameStamp(path);
  if (n.time) e.nameTime = n.time;
  if (n.counter) e.nameCounter = n.counter;
  if (opts.mtimeMs !== undefined) e.mtime = opts.mtimeMs;
  return e;
}

function rawOf(data: Uint8Array, path: string, limits: ReadLimits): Buffer {
  try {
    const raw = maybeGunzip(data, path, limits);
    return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  } catch {
    return Buffer.alloc(0); // unreadable gzip: the dump reader reports it
  }
}

const factsCache = new WeakMap<Uint8Array, DumpFacts>();

/** dumpFactsOf a debug=2 dump file's bytes (gzip or not), computed once per buffer. */
export function dumpFacts(data: Uint8Array, path: string, limits: ReadLimits, raw?: Buffer): DumpFacts {
  let f = factsCache.get(data);
  if (f === undefined) {
    f = dumpFactsOf(raw ?? rawOf(data, path, limits));
    factsCache.set(data, f);
  }
  return f;
}

// "goroutine 7 [chan send, 3 minutes, locked to thread]:"; Go 1.23+ may print "gp=0x... m=..." before "[".
const HEADER_RE = /^goroutine (\d+) [^\n[]*\[([^\n]*)\]:\r?$/gm;

/** Ids, states and wait minutes of a debug=2 dump (or crash traceback), from its header lines only. */
export function dumpFactsOf(raw: Uint8Array): DumpFacts {
  // One decode and one regex pass: ~20 ms for a 13 MB dump of 51,000 goroutines.
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8");
  const goroutines = new Map<number, { state: string; minutes: number }>();
  const states = new Map<string, { state: string; minutes: number }>(); // shared per distinct header text
  let maxId = 0;
  let maxWaitMinutes = 0;
  HEADER_RE.lastIndex = 0;
  for (let m = HEADER_RE.exec(text); m !== null; m = HEADER_RE.exec(text)) {
    const id = Number(m[1]);
    let w = states.get(m[2]!);
    if (w === undefined) {
      let body = m[2]!;
      const lab = body.indexOf(" labels:{");
      if (lab >= 0) body = body.slice(0, lab);
      const parts = body.split(", ");
      let minutes = 0;
      for (const p of parts.slice(1)) {
        const mm = /^(\d+) minutes$/.exec(p);
        if (mm) minutes = Number(mm[1]);
      }
      w = { state: parts[0]!.replace(/ \((scan|leaked|durable)\)$/, ""), minutes };
      states.set(m[2]!, w);
    }
    goroutines.set(id, w);
    if (id > maxId) maxId = id;
    if (w.minutes > maxWaitMinutes) maxWaitMinutes = w.minutes;
  }
  return { goroutines, maxId, maxWaitMinutes, complete: endsWhole(text) };
}

/** A dump ends after a whole record: its last line is a frame's file:line, or a crash's register dump or exit status follows. */
function endsWhole(text: string): boolean {
  const tail = text.slice(Math.max(0, text.length - 2048));
  if (/\n(rip|rax|eax|pc|lr|r0|x0)\s+0x[0-9a-f]+\s*\n/.test(tail) || /\nexit status \d+\s*$/.test(tail)) return true;
  return text.endsWith("\n") && /\n\t\S[^\n]*:\d+( \+0x[0-9a-f]+)?( fp=\S+ sp=\S+ pc=\S+)?$/.test(tail.trimEnd());
}

// RFC 3339-like with a zone; Go's log package ("2024/04/05 12:34:56.789012", local time).
const RFC3339_RE = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?/;
const GOLOG_RE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/;

/**
 * The last timestamp before a dump's first goroutine: a dump cut from a service's log
 * (SIGQUIT) or saved with a date line by a script. Within the 4 KiB before it only.
 */
export function dumpTimestamp(raw: Uint8Array): StampedTime | undefined {
  // Only the text before the first header is read: decode a prefix, not the dump.
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let end = buf.length;
  for (const needle of ["\ngoroutine ", "goroutine profile: total "]) {
    const i = buf.indexOf(needle);
    if (i >= 0 && i < end) end = i;
  }
  if (buf.subarray(0, 10).toString("latin1") === "goroutine ") return undefined;
  let found: StampedTime | undefined;
  for (const line of buf.toString("utf8", Math.max(0, end - 4096), end).split("\n")) {
    const t = parseStamp(line);
    if (t) found = t;
  }
  return found;
}

function parseStamp(line: string): StampedTime | undefined {
  const g = GOLOG_RE.exec(line);
  const r = g ?? RFC3339_RE.exec(line);
  if (!r) return undefined;
  const zone = g ? undefined : r[8];
  const ms = civilMs(r, zone);
  return ms === undefined ? undefined : { ms, zoned: zone !== undefined, text: r[0] };
}

/** ms since 1970 of year/month/day/hour/min/sec/fraction groups 1-7 (UTC when no zone). */
function civilMs(r: RegExpExecArray, zone: string | undefined): number | undefined {
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(r[i]));
  if (y! < 2000 || y! > 2200 || mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 60) return undefined;
  const frac = r[7] ? Number(`0.${r[7]}`) * 1000 : 0;
  let ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) + frac;
  if (zone && zone !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    ms -= (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  }
  return ms;
}

// File names: unix seconds (10 digits, 2001..2096) or ms (13 digits); 2024-04-05T12-34-56[Z],
// 20240405T123456, 2024-04-05_12:34:56; a trailing counter on the name without its extensions.
const NAME_DT_RE = /(?<!\d)(\d{4})-?(\d{2})-?(\d{2})[T_ -]?(\d{2})[:\-.h]?(\d{2})[:\-.m]?(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?(?!\d)/;

export function nameStamp(path: string): { time?: StampedTime; counter?: { prefix: string; n: number } } {
  let stem = basename(path);
  for (;;) {
    const ext = /\.[A-Za-z][A-Za-z0-9]{0,7}$/.exec(stem);
    if (!ext || ext.index === 0) break;
    stem = stem.slice(0, ext.index);
  }
  const out: { time?: StampedTime; counter?: { prefix: string; n: number } } = {};
  for (const m of stem.matchAll(/(?<!\d)(\d{10}|\d{13})(?!\d)/g)) {
    const v = Number(m[1]);
    const ms = m[1]!.length === 10 ? v * 1000 : v;
    if (ms >= 1e12 && ms < 4e12) {
      out.time = { ms, zoned: true, text: m[1]! };
      break;
    }
  }
  if (!out.time) {
    const d = NAME_DT_RE.exec(stem);
    const ms = d ? civilMs(d, d[8]) : undefined;
    if (d && ms !== undefined) out.time = { ms, zoned: d[8] !== undefined, text: d[0] };
  }
  const c = /^(.*?)(\d{1,6})$/.exec(stem);
  if (c) out.counter = { prefix: c[1]!, n: Number(c[2]) };
  return out;
}

// ---------------------------------------------------------------------------
// Ordering

interface Decision {
  /** < 0: a is older; > 0: b is older; 0: undecided */
  dir: number;
  source: OrderSource;
  detail: string;
}

const fmtTime = (ms: number): string => new Date(ms).toISOString();

/** Which of two dumps is the older, from their goroutines. */
export function compareDumps(a: DumpFacts, b: DumpFacts, names: [string, string]): { dir: number; detail: string } {
  let grew = 0;
  let shrank = 0;
  for (const [id, ga] of a.goroutines) {
    const gb = b.goroutines.get(id);
    if (gb === undefined || gb.state !== ga.state) continue;
    if (gb.minutes > ga.minutes) grew++;
    else if (gb.minutes < ga.minutes) shrank++;
  }
  // The goroutines only in one dump: those of the newer one were created later,
  // so (goroutine ids are handed out in increasing batches) they have the higher ids.
  let onlyA = 0;
  let onlyB = 0;
  for (const id of a.goroutines.keys()) if (!b.goroutines.has(id) && id > onlyA) onlyA = id;
  for (const id of b.goroutines.keys()) if (!a.goroutines.has(id) && id > onlyB) onlyB = id;
  const waitDir = grew > shrank ? -1 : shrank > grew ? 1 : 0;
  const idDir = onlyA > 0 && onlyB > 0 && onlyA !== onlyB ? (onlyB > onlyA ? -1 : 1) : 0;
  const [older, newer] = (waitDir || idDir) <= 0 ? names : [names[1], names[0]];
  const waitText = `the waits of ${Math.max(grew, shrank)} goroutines in both dumps grew from ${older} to ${newer}` +
    (Math.min(grew, shrank) > 0 ? ` (${Math.min(grew, shrank)} shrank)` : "");
  const idText = `the goroutines only in ${newer} have higher ids (up to ${Math.max(onlyA, onlyB)}, vs ${Math.min(onlyA, onlyB)})`;
  if (waitDir !== 0 && idDir !== 0 && waitDir !== idDir) return { dir: 0, detail: "goroutine waits and ids disagree" };
  if (waitDir !== 0 && idDir !== 0) return { dir: waitDir, detail: `${waitText}; ${idText}` };
  if (waitDir !== 0) return { dir: waitDir, detail: waitText };
  if (idDir !== 0) return { dir: idDir, detail: idText };
  return { dir: 0, detail: "" };
}

function decide(a: TimeEvidence, b: TimeEvidence, fallback: "path" | "given"): Decision {
  const an = basename(a.path);
  const bn = basename(b.path);
  const byTime = (x: number, y: number, source: OrderSource, what: string): Decision | undefined =>
    x === y ? undefined : { dir: x < y ? -1 : 1, source, detail: `${what}: ${x < y ? an : bn} ${fmtTime(Math.min(x, y))}, ${x < y ? bn : an} ${fmtTime(Math.max(x, y))}` };
  let d: Decision | undefined;
  if (a.manifest !== undefined && b.manifest !== undefined) d = byTime(a.manifest, b.manifest, "manifest", "manifest fetch times");
  if (!d && a.proto !== undefined && b.proto !== undefined) d = byTime(a.proto, b.proto, "proto", "profile TimeNanos");
  if (!d && a.dump && b.dump) {
    const c = compareDumps(a.dump, b.dump, [an, bn]);
    if (c.dir !== 0) d = { dir: c.dir, source: "content", detail: c.detail };
  }
  if (!d && a.content && b.content && a.content.zoned === b.content.zoned) {
    d = byTime(a.content.ms, b.content.ms, "content", "timestamps in the dumps");
  }
  if (!d && a.nameTime && b.nameTime && a.nameTime.zoned === b.nameTime.zoned) {
    d = byTime(a.nameTime.ms, b.nameTime.ms, "name", "timestamps in the file names");
  }
  if (!d && a.nameCounter && b.nameCounter && a.nameCounter.prefix === b.nameCounter.prefix && a.nameCounter.n !== b.nameCounter.n) {
    const older = a.nameCounter.n < b.nameCounter.n ? an : bn;
    d = { dir: a.nameCounter.n < b.nameCounter.n ? -1 : 1, source: "name", detail: `counters in the file names: ${older} first` };
  }
  if (!d && a.mtime !== undefined && b.mtime !== undefined && Math.abs(a.mtime - b.mtime) >= MIN_MTIME_GAP_MS) {
    d = byTime(a.mtime, b.mtime, "mtime", "file modification times");
  }
  if (d) return d;
  if (fallback === "given") return { dir: -1, source: "given", detail: "nothing tells which is older: kept the order given" };
  return { dir: a.path < b.path ? -1 : 1, source: "path", detail: "nothing tells which is older: ordered by name" };
}

/** The least time between an older and a newer dump that their goroutines prove, or undefined. */
export function dumpIntervalLowerBound(older: DumpFacts, newer: DumpFacts): { seconds: number; detail: string } | undefined {
  let best = 0;
  let detail = "";
  for (const [id, gb] of newer.goroutines) {
    if (gb.minutes === 0) continue;
    const ga = older.goroutines.get(id);
    if (ga === undefined) {
      if (!older.complete) continue;
      // Not in the older dump: born after it, so it cannot have waited longer than the interval.
      if (gb.minutes * 60 > best) {
        best = gb.minutes * 60;
        detail = `goroutine ${id}, absent from the older dump, has waited ${gb.minutes} minutes`;
      }
    } else if (ga.state === gb.state && gb.minutes - ga.minutes >= 2) {
      // Whole minutes, rounded down: a wait printed as M then N minutes grew by more than N-M-1.
      const s = (gb.minutes - ga.minutes - 1) * 60;
      if (s > best) {
        best = s;
        detail = `goroutine ${id} waited ${ga.minutes} then ${gb.minutes} minutes (${ga.state})`;
      }
    }
  }
  return best > 0 ? { seconds: best, detail } : undefined;
}

function intervalBetween(p: TimeEvidence, c: TimeEvidence): SnapshotInterval | undefined {
  const gap = (x: number | undefined, y: number | undefined) => (x !== undefined && y !== undefined && y > x ? (y - x) / 1000 : undefined);
  const m = gap(p.manifest, c.manifest);
  if (m !== undefined) return { seconds: m, source: "manifest", lowerBound: false, detail: "manifest fetch times" };
  const pr = gap(p.proto, c.proto);
  if (pr !== undefined) return { seconds: pr, source: "proto", lowerBound: false, detail: "profile TimeNanos" };
  const lb = p.dump && c.dump ? dumpIntervalLowerBound(p.dump, c.dump) : undefined;
  const candidates: Array<[number | undefined, TimeSource, string]> = [
    [p.content && c.content && p.content.zoned === c.content.zoned ? gap(p.content.ms, c.content.ms) : undefined, "content", "timestamps in the dumps"],
    [p.nameTime && c.nameTime && p.nameTime.zoned === c.nameTime.zoned ? gap(p.nameTime.ms, c.nameTime.ms) : undefined, "name", `timestamps in the file names (${p.nameTime?.text} -> ${c.nameTime?.text})`],
    [(() => { const g = gap(p.mtime, c.mtime); return g !== undefined && g * 1000 >= MIN_MTIME_GAP_MS ? g : undefined; })(), "mtime", "file modification times"],
  ];
  const undercut: string[] = [];
  for (const [s, source, detail] of candidates) {
    if (s === undefined) continue;
    if (lb && s < lb.seconds) {
      undercut.push(`${detail} say ${s.toFixed(1)} s`);
      continue;
    }
    return { seconds: s, source, lowerBound: false, detail };
  }
  if (lb) {
    const not = undercut.length ? `; ${undercut.join(", ")}, less than that` : "";
    return { seconds: lb.seconds, source: "content", lowerBound: true, detail: `at least: ${lb.detail}${not}` };
  }
  return undefined;
}

function ownTime(e: TimeEvidence): { ms: number; source: TimeSource } {
  if (e.manifest !== undefined) return { ms: e.manifest, source: "manifest" };
  if (e.proto !== undefined) return { ms: e.proto, source: "proto" };
  if (e.content?.zoned) return { ms: e.content.ms, source: "content" };
  if (e.nameTime?.zoned) return { ms: e.nameTime.ms, source: "name" };
  return { ms: e.mtime ?? 0, source: "mtime" };
}

export interface OrderedEntry<T> {
  item: T;
  /** ISO time, consistent within the group: it differs from the previous entry's by the interval, or equals it when the interval is unknown */
  time: string;
  timeSource: TimeSource;
  sincePrevious?: SincePrevious;
}

/**
 * Order files of one kind oldest first and give each a time consistent with the
 * order and the intervals: the previous file's time plus the interval, or, when any
 * interval of the kind is unknown, the same time for all (so nobody computes a rate
 * over a bogus interval).
 */
export function orderSnapshots<T>(items: T[], evidence: (t: T) => TimeEvidence, fallback: "path" | "given" = "path"): OrderedEntry<T>[] {
  const ev = items.map((item) => ({ item, e: evidence(item) }));
  // Insertion sort: few files, and a comparison may be undecided at one level and decided at another.
  const sorted: typeof ev = [];
  for (const x of ev) {
    let i = sorted.length;
    while (i > 0 && decide(sorted[i - 1]!.e, x.e, fallback).dir > 0) i--;
    sorted.splice(i, 0, x);
  }
  const steps: Array<SincePrevious | undefined> = sorted.map((x, i) => {
    if (i === 0) return undefined;
    const p = sorted[i - 1]!.e;
    const d = decide(p, x.e, fallback);
    return { path: p.path, order: d.source, orderDetail: d.detail, interval: intervalBetween(p, x.e) };
  });
  // Anchor on the file whose own time is the most trusted; walk the intervals both ways.
  // When one step's interval is unknown, so is first -> last (what the goroutine rule
  // reads off the times): then every file keeps the anchor's time, rather than a sum of
  // the known steps passing for the whole interval.
  const own = sorted.map((x) => ownTime(x.e));
  const allKnown = steps.every((st, i) => i === 0 || st?.interval !== undefined);
  let anchor = 0;
  for (let i = 1; i < own.length; i++) if (TRUST.indexOf(own[i]!.source) < TRUST.indexOf(own[anchor]!.source)) anchor = i;
  const ms = new Array<number>(sorted.length);
  const src = new Array<TimeSource>(sorted.length);
  ms[anchor] = own[anchor]!.ms;
  src[anchor] = own[anchor]!.source;
  for (let i = anchor + 1; i < sorted.length; i++) {
    const iv = allKnown ? steps[i]!.interval : undefined;
    ms[i] = ms[i - 1]! + (iv ? iv.seconds * 1000 : 0);
    src[i] = iv ? weaker(src[i - 1]!, iv.source) : src[i - 1]!;
  }
  for (let i = anchor - 1; i >= 0; i--) {
    const iv = allKnown ? steps[i + 1]!.interval : undefined;
    ms[i] = ms[i + 1]! - (iv ? iv.seconds * 1000 : 0);
    src[i] = iv ? weaker(src[i + 1]!, iv.source) : src[i + 1]!;
  }
  return sorted.map((x, i) => ({ item: x.item, time: new Date(ms[i]!).toISOString(), timeSource: src[i]!, sincePrevious: steps[i] }));
}

/** First -> last of snapshots already in order (their sincePrevious filled in). */
export function seriesOf(files: Array<{ sincePrevious?: SincePrevious }>): SnapshotSeries {
  const steps = files.slice(1).map((f) => f.sincePrevious).filter((s): s is SincePrevious => s !== undefined);
  if (steps.length === 0) return { orderDetail: "" };
  let order = steps[0]!.order;
  for (const s of steps) order = weaker(order, s.order);
  const orderDetail = [...new Set(steps.map((s) => s.orderDetail))].join("; ");
  if (steps.some((s) => s.interval === undefined)) return { order, orderDetail };
  const ivs = steps.map((s) => s.interval!);
  let source = ivs[0]!.source;
  for (const iv of ivs) source = weaker(source, iv.source);
  return {
    order,
    orderDetail,
    interval: {
      seconds: ivs.reduce((s, iv) => s + iv.seconds, 0),
      source,
      lowerBound: ivs.some((iv) => iv.lowerBound),
      detail: [...new Set(ivs.map((iv) => iv.detail))].join("; "),
    },
  };
}

// ---------------------------------------------------------------------------
// The same for files named on a command line (`godiag goroutines --diff A B`)

export interface FileSeries extends SnapshotSeries {
  /** the inputs, oldest first */
  paths: string[];
  /** the inputs were not given oldest first */
  reordered: boolean;
  steps: SincePrevious[];
}

/**
 * Order snapshot files named on a command line, by the same evidence as bundles
 * (manifest.json beside them when they share a bundle directory). When nothing
 * tells, the order given stands.
 */
export function orderSnapshotFiles(paths: string[], limits: ReadLimits): FileSeries {
  const manifestTimes = manifestTimesBeside(paths);
  const ordered = orderSnapshots(
    paths,
    (p) => {
      const data = readFileCapped(p, limits);
      let kind: FileKind = "other";
      let profile: Profile | undefined;
      try {
        const s = sniffKind(data, p, limits);
        kind = s.kind;
        profile = s.profile;
      } catch {
        // the dump reader reports unreadable input
      }
      return timeEvidence(p, kind, data, { profile, manifestTime: manifestTimes.get(p), mtimeMs: statSync(p).mtimeMs, limits });
    },
    "given",
  );
  const files = ordered.map((o) => ({ sincePrevious: o.sincePrevious }));
  const out = ordered.map((o) => o.item);
  return {
    ...seriesOf(files),
    paths: out,
    reordered: out.some((p, i) => p !== paths[i]),
    steps: ordered.slice(1).map((o) => o.sincePrevious!),
  };
}

/** manifest.json times of files that share one bundle directory. */
function manifestTimesBeside(paths: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const dirs = new Set(paths.map((p) => dirname(resolve(p))));
  if (dirs.size !== 1) return out;
  const mf = join([...dirs][0]!, "manifest.json");
  if (!existsSync(mf)) return out;
  try {
    const m = parseManifest(readFileSync(mf, "utf8"));
    for (const p of paths) {
      const t = m.files.find((x) => x.path === basename(p))?.time;
      if (t !== undefined) out.set(p, t);
    }
  } catch {
    // a bad manifest: the files speak for themselves
  }
  return out;
}
