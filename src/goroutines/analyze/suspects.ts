// Leak suspects: buckets that grow between snapshots or have waited for a long
// time, in states that only another goroutine (or a peer that never comes back)
// can end. Ranked: blocked-on-goroutines leaks and idle net/http connections
// first, then other network waits, each by growth, then by wait time.

import type { GoFrame } from "../model.js";
import { BLOCKED_ON_GOROUTINES, originOf, type WaitClass } from "../../core/go/index.js";
import { bucketTitle, representativeFrame, type Bucket } from "./buckets.js";
import type { GoroutineDiff } from "./diff.js";

export type SuspectKind = "leak" | "conn-serve-no-timeouts" | "io-never-completes";

export interface Suspect {
  kind: SuspectKind;
  title: string;
  bucket: Bucket;
  cls: WaitClass;
  count: number;
  /** growth between snapshots, null for a single snapshot */
  delta: number | null;
  perMinute: number | null;
  /** goroutines (by id) in this bucket in both snapshots */
  persisted: number;
  maxWaitMinutes: number;
  /** the frame that waited (user code preferred) */
  where: GoFrame | null;
  reason: string;
  advice: string;
}

export interface SuspectOptions {
  /** a wait this long (minutes) is suspect even without growth */
  longWaitMinutes: number;
  /** smallest growth between snapshots that counts */
  minGrowth: number;
}

export const DEFAULT_SUSPECT_OPTIONS: SuspectOptions = { longWaitMinutes: 10, minGrowth: 5 };

/** "Hundreds" of goroutines parked at one place. */
const PARKED_MANY = 100;
/**
 * Goroutine ids are handed to each P in batches of this many (runtime/proc.go,
 * _GoidCacheBatch): ids a P has reserved but not used yet leave gaps of up to a batch
 * that say nothing about goroutines that ended.
 */
const GOID_BATCH = 16;

/** Created by user code on behalf of requests: the creator's goroutine is gone or serves a connection. */
function createdByRequest(b: Bucket, alive: Set<number>, cands: Candidate[]): boolean {
  const cb = b.createdBy;
  if (!cb || originOf(cb.func, b.codeOrigins) !== "user" || /^main\.(main|init)(\.|$)/.test(cb.func)) return false;
  if (cb.goroutine === 0) return true; // before Go 1.21 the creator is not printed
  if (!alive.has(cb.goroutine)) return true;
  const creator = cands.find((c) => c.bucket.members.some((g) => g.id === cb.goroutine));
  return creator !== undefined && creator.bucket.frames.some((f) => f.func === "net/http.(*conn).serve");
}

/**
 * The requests that made them are over: the creator goroutine has ended (Go 1.21+
 * prints it), or, when the dump does not say, fewer requests are being served than
 * the bucket holds, so they cannot all belong to live requests (a streaming handler
 * that waits while its own helper goroutine pumps events is not a leak).
 */
function outlivedRequests(b: Bucket, alive: Set<number>, cands: Candidate[]): boolean {
  const creator = b.createdBy?.goroutine ?? 0;
  if (creator !== 0) return !alive.has(creator);
  let serving = 0;
  for (const c of cands) if (c.bucket.frames.some((f) => f.func === "net/http.serverHandler.ServeHTTP")) serving += c.bucket.count;
  return serving < b.count;
}

const WEIGHT: Record<SuspectKind, number> = { leak: 3, "conn-serve-no-timeouts": 3, "io-never-completes": 1 };

interface Candidate {
  bucket: Bucket;
  delta: number | null;
  perMinute: number | null;
  persisted: number;
}

/** Suspects from two snapshots (diff) or one (buckets alone: long waits only). */
export function findSuspects(
  input: { diff: GoroutineDiff } | { buckets: Bucket[] },
  o: SuspectOptions = DEFAULT_SUSPECT_OPTIONS,
): Suspect[] {
  const cands: Candidate[] =
    "diff" in input
      ? input.diff.rows.filter((r) => r.after > 0).map((r) => ({ bucket: r.bucket, delta: r.delta, perMinute: r.perMinute, persisted: r.persisted }))
      : input.buckets.map((b) => ({ bucket: b, delta: null, perMinute: null, persisted: 0 }));
  const out: Suspect[] = [];
  const alive = new Set<number>();
  for (const c of cands) for (const g of c.bucket.members) alive.add(g.id);
  for (const c of cands) {
    const b = c.bucket;
    // Growth must be real: at least minGrowth goroutines and a fifth of the bucket.
    const growing = c.delta !== null && c.delta >= o.minGrowth && c.delta >= 0.2 * b.count;
    const long = b.maxWaitMinutes >= o.longWaitMinutes;
    const leakedFlag = b.members.some((g) => g.flags.includes("leaked")); // Go 1.26 goroutine leak detection
    // A server connection still reading the same request's headers in both snapshots
    // (or for a minute or more): reading headers takes milliseconds, so only a client
    // that never finishes them, and a server with no ReadHeaderTimeout, keeps it there.
    const stuckReading =
      b.cls === "io:wait(net)" && isServerConn(b) && hasFunc(b, "net/http.(*conn).readRequest") &&
      (c.persisted >= o.minGrowth || b.maxWaitMinutes >= 1);
    // Hundreds of goroutines parked at one user frame, made by request handlers (their
    // creator is user code whose goroutine is gone or serves a connection), are a leak
    // suspect even in a single dump: a request-scoped goroutine outlived its request.
    const parkedMany =
      BLOCKED_ON_GOROUTINES.has(b.cls) &&
      b.count >= PARKED_MANY &&
      (c.delta === null || c.persisted >= b.count / 2) &&
      b.origins.includes("user") &&
      createdByRequest(b, alive, cands);
    // Fewer of them, in one dump, when their ids show they were made one by one over
    // the process' life and outlived the goroutines made around them (outlivedPeers,
    // idBatches), and the requests that made them are over (outlivedRequests).
    const outlived =
      !parkedMany &&
      c.delta === null &&
      BLOCKED_ON_GOROUTINES.has(b.cls) &&
      b.count >= o.minGrowth &&
      b.origins.includes("user") &&
      createdByRequest(b, alive, cands) &&
      outlivedRequests(b, alive, cands) &&
      outlivedPeers(b, alive) >= Math.max(b.count, GOID_BATCH) &&
      idBatches(b) > Math.ceil(b.count / GOID_BATCH) + 1;
    if (!growing && !long && !leakedFlag && !stuckReading && !parkedMany && !outlived) continue;
    const evidence = describeEvidence(c, b, growing, long, leakedFlag) + (outlived ? `; made one by one, not as a pool: ${outlivedPeers(b, alive)} goroutines created between the oldest and the newest of them have already finished` : "");
    const where = representativeFrame(b);
    if (BLOCKED_ON_GOROUTINES.has(b.cls) || leakedFlag) {
      out.push(suspect("leak", c, where, `${evidence}; blocked in ${b.cls}, which only another goroutine can end`, leakAdvice(b.cls, where)));
    } else if (b.cls === "io:wait(net)" && isServerConn(b)) {
      const t = missingTimeouts(b);
      out.push(
        suspect(
          "conn-serve-no-timeouts",
          c,
          where,
          `${evidence}; net/http.(*conn).serve waiting for the client ${t.phase}`,
          `the http.Server has no ${t.names.join("/")} (or one too long): set ${t.names.join(" and ")} so idle or slow clients cannot hold a goroutine and a connection forever`,
        ),
      );
    } else if (b.cls === "io:wait(net)" && growing && !isAccept(b)) {
      out.push(suspect("io-never-completes", c, where, `${evidence}; network I/O that does not complete`, "set deadlines (SetReadDeadline, context timeouts, http.Client.Timeout) on this I/O"));
    }
  }
  out.sort(
    (x, y) =>
      WEIGHT[y.kind] - WEIGHT[x.kind] ||
      (y.delta ?? 0) - (x.delta ?? 0) ||
      y.maxWaitMinutes - x.maxWaitMinutes ||
      y.count - x.count,
  );
  return out;
}

/**
 * Goroutines created, and already gone, between the bucket's oldest and newest member
 * (ids are given out in creation order): a pool started at once has consecutive ids
 * and none; goroutines started one per request over minutes have hundreds of
 * finished requests' goroutines between them, and still all stand.
 */
export function outlivedPeers(b: Bucket, alive: ReadonlySet<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const g of b.members) {
    lo = Math.min(lo, g.id);
    hi = Math.max(hi, g.id);
  }
  if (!(hi > lo)) return 0;
  let stillThere = 0;
  for (const id of alive) if (id >= lo && id <= hi) stillThere++;
  return hi - lo + 1 - stillThere;
}

/**
 * Distinct batches of ids the bucket's goroutines were given: goroutines started in
 * one burst from one goroutine fill consecutive ids of its P's batches, at most
 * ceil(n / 16) + 1 of them (starting mid-batch); goroutines started one at a time
 * over minutes land in a new batch almost every time.
 */
export function idBatches(b: Bucket): number {
  return new Set(b.members.map((g) => Math.floor((g.id - 1) / GOID_BATCH))).size;
}

function suspect(kind: SuspectKind, c: Candidate, where: GoFrame | null, reason: string, advice: string): Suspect {
  const b = c.bucket;
  return {
    kind,
    title: bucketTitle(b),
    bucket: b,
    cls: b.cls,
    count: b.count,
    delta: c.delta,
    perMinute: c.perMinute,
    persisted: c.persisted,
    maxWaitMinutes: b.maxWaitMinutes,
    where,
    reason,
    advice,
  };
}

function describeEvidence(c: Candidate, b: Bucket, growing: boolean, long: boolean, leaked: boolean): string {
  const parts: string[] = [];
  if (!growing && !long && !leaked) {
    parts.push(
      !isServerConn(b)
        ? `${b.count} goroutines parked at one place, created by request-handling code (${b.createdBy?.func ?? "?"})`
        : c.persisted > 0
          ? `${c.persisted} connections still reading the same request's headers in both snapshots`
          : `reading request headers for ${b.maxWaitMinutes}+ minutes`,
    );
  }
  if (growing) {
    let s = `grew ${c.delta! >= 0 ? "+" : ""}${c.delta} to ${b.count}`;
    if (c.perMinute !== null) s += ` (${fmtRate(c.perMinute)}/min)`;
    if (c.persisted > 0) s += `, ${c.persisted} still there from the first snapshot`;
    parts.push(s);
  }
  if (long) parts.push(`waiting up to ${b.maxWaitMinutes} minutes`);
  if (leaked) parts.push("marked (leaked) by the runtime");
  return parts.join(", ");
}

export function fmtRate(x: number): string {
  return Math.abs(x) >= 10 ? x.toFixed(0) : x.toFixed(1);
}

export function leakAdvice(cls: WaitClass, where: GoFrame | null): string {
  const at = where ? ` in ${where.func} (${shortFile(where.file)}:${where.line})` : "";
  switch (cls) {
    case "chan:send":
      return `nobody receives any more${at}: give the channel a buffer of 1, or select on ctx.Done() beside the send`;
    case "chan:recv":
      return `nobody sends or closes${at}: close the channel when the producer is done, or select on ctx.Done()`;
    case "select":
      return `no case can proceed${at}: add a ctx.Done() or timeout case`;
    case "sync:mutex":
    case "sync:rwmutex":
      return `the lock is never released${at}: look for a missing Unlock or a lock-order inversion (see deadlock)`;
    case "sync:waitgroup":
      return `Wait never returns${at}: a missing Done or an Add after Wait`;
    case "sync:cond":
      return `no Signal/Broadcast comes${at}`;
    default:
      return `the goroutines never finish${at}: give them a way to stop (context cancellation)`;
  }
}

function hasFunc(b: Bucket, fn: string): boolean {
  return b.frames.some((f) => f.func === fn);
}

function isServerConn(b: Bucket): boolean {
  return hasFunc(b, "net/http.(*conn).serve");
}

function isAccept(b: Bucket): boolean {
  return b.frames.some((f) => f.func.endsWith("Listener).Accept") || f.func.endsWith("Listener).accept"));
}

/**
 * Which timeouts would have ended this wait: reading a request's headers
 * (readRequest) is bounded by ReadHeaderTimeout/ReadTimeout; waiting for the
 * next request on a kept-alive connection (conn.serve peeking its reader) by
 * IdleTimeout, which falls back to ReadTimeout.
 */
function missingTimeouts(b: Bucket): { phase: string; names: string[] } {
  if (hasFunc(b, "net/http.(*conn).readRequest")) return { phase: "to send its request", names: ["ReadHeaderTimeout", "ReadTimeout"] };
  const serve = b.frames.findIndex((f) => f.func === "net/http.(*conn).serve");
  const handler = b.frames.slice(0, serve).some((f) => f.func === "net/http.serverHandler.ServeHTTP");
  if (handler) return { phase: "inside a handler, reading the request body", names: ["ReadTimeout"] };
  return { phase: "on an idle keep-alive connection", names: ["IdleTimeout", "ReadTimeout", "ReadHeaderTimeout"] };
}

export function shortFile(f: string): string {
  const parts = f.split("/");
  return parts.slice(-2).join("/");
}
