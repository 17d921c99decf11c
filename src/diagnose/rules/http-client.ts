// The HTTP client's signatures, mapped to their cause in the service's own code
// (net/http's goroutines and frames are evidence, never the place to fix):
//   response-body-leak  net/http.(*persistConn).readLoop/writeLoop goroutines pile up:
//                       each client connection has one of each, and a connection is
//                       only reused or closed once its response body is read to the
//                       end and closed; the default Transport keeps at most
//                       MaxIdleConnsPerHost (2) idle ones per host, so dozens of live
//                       persistConns are responses whose bodies nobody closed.
//   connection-churn    dialling new connections (net/http.(*Transport).dialConn)
//                       costs a large part of what the client calls cost: the
//                       connections are not reused (a Transport or Client made per
//                       call, DisableKeepAlives, or bodies closed before being read).
// Both name the user function that calls the client, from the stacks that show the
// call: CPU and allocation profiles, then goroutines caught inside a call.

import { originOf, topEntries } from "../../core/go/index.js";
import { sampleTypeIndex } from "../../core/model/index.js";
import { analyzeDump, type Bucket } from "../../goroutines/index.js";
import type { DiagnoseContext, ProfileInput } from "../context.js";
import type { Evidence, Finding } from "../finding.js";
import { pct, type Rule } from "../rule.js";

/** Live client connections beyond any idle pool: more than this many readLoops is not pooling. */
const MIN_LIVE_CONNS = 20;
/** Growth between dumps that counts, as for goroutine leak suspects (goroutines/analyze/suspects.ts). */
const MIN_GROWTH = 5;
/** Dialling must cost at least this share of the client calls' own cost (CPU or allocations)... */
const MIN_DIAL_RATIO = 0.2;
/** ... and this share of all CPU, to be worth a finding... */
const MIN_DIAL_CPU_SHARE = 0.03;
/**
 * ... measured on this many CPU samples in dialling at least: a share of fewer is not a
 * measurement (relative error about 1/sqrt(k); the same floor as cpu-hotspot's own-loop
 * samples). A light-load profile of 5 samples with one in dialConn is not "20 % of CPU".
 */
const MIN_DIAL_SAMPLES = 10;

const CLIENT_CALL = /^net\/http\.(\(\*Client\)\.(do|Do|Get|Post|PostForm|Head)|Get|Post|PostForm|Head)$/;
const DIAL = /^net\/http\.\(\*Transport\)\.dialConn$/;
const READ_LOOP = "net/http.(*persistConn).readLoop";
const WRITE_LOOP = "net/http.(*persistConn).writeLoop";

export const httpClientRule: Rule = {
  name: "http-client",
  run(ctx: DiagnoseContext): Finding[] {
    const out: Finding[] = [];
    const leak = bodyLeak(ctx);
    if (leak) out.push(leak);
    const churn = connectionChurn(ctx);
    if (churn) out.push(churn);
    return out;
  },
};

const callersOf = (ctx: DiagnoseContext) => clientCallers(ctx, latestBuckets(ctx)?.buckets ?? []);

/** User functions that call the HTTP client, weighted by what the profiles saw of their calls. */
function clientCallers(ctx: DiagnoseContext, dumpBuckets: Bucket[]): Map<string, number> {
  const callers = new Map<string, number>();
  const add = (p: ProfileInput | undefined, type: string) => {
    if (!p) return;
    const ti = sampleTypeIndex(p.profile, type);
    if (ti < 0) return;
    for (let s = 0; s < p.profile.samples.length; s++) {
      const v = p.profile.sampleValue(s, ti);
      if (v === 0) continue;
      const fr = p.frames.names(s);
      const k = fr.findIndex((f) => CLIENT_CALL.test(f));
      if (k < 0) continue;
      const u = fr.slice(k + 1).find((f) => originOf(f, ctx.origins()) === "user");
      if (u) callers.set(u, (callers.get(u) ?? 0) + v / totalOf(p, ti));
    }
  };
  add(ctx.profile("cpu"), "cpu");
  add(ctx.profile("allocs") ?? ctx.profile("heap"), "alloc_objects");
  for (const b of dumpBuckets) {
    const k = b.frames.findIndex((f) => CLIENT_CALL.test(f.func));
    if (k < 0) continue;
    const u = b.frames.slice(k + 1).find((f) => originOf(f.func, ctx.origins()) === "user");
    if (u) callers.set(u.func, (callers.get(u.func) ?? 0) + b.count / 1000);
  }
  return callers;
}

function totalOf(p: ProfileInput, ti: number): number {
  let t = 0;
  for (let s = 0; s < p.profile.samples.length; s++) t += p.profile.sampleValue(s, ti);
  return t || 1;
}

function latestBuckets(ctx: DiagnoseContext): { buckets: Bucket[]; earlier?: Bucket[]; file: string } | undefined {
  return ctx.once(bucketDumps);
}

function bucketDumps(ctx: DiagnoseContext): { buckets: Bucket[]; earlier?: Bucket[]; file: string } | undefined {
  const files = ctx.files("goroutine-debug2");
  if (files.length === 0) return undefined;
  const dumps = ctx.goroutineDumps();
  const last = dumps[dumps.length - 1]!;
  const first = dumps.length > 1 ? dumps[0] : undefined;
  return {
    buckets: analyzeDump(last.dump, last.file.path).buckets,
    earlier: first ? analyzeDump(first.dump, first.file.path).buckets : undefined,
    file: last.file.path,
  };
}

/** A caller reading a client response body (net/http's wrapper of every client body). */
const BODY_READ = "net/http.(*bodyEOFSignal).Read";

/**
 * readLoop goroutines parked in a select in readLoop itself in both dumps, at the same
 * line: after handing a response over, readLoop waits there (transport.go,
 * waitForBodyRead) until the caller reads the body to the end or closes it. An idle
 * connection waits in network I/O instead.
 */
function stuckOnBody(earlier: Bucket[], later: Bucket[]): number {
  const waiting = (buckets: Bucket[]) => {
    const at = new Map<number, number>();
    for (const b of buckets) {
      for (const g of b.members) {
        const top = g.frames[0];
        if (g.state === "select" && top?.func === READ_LOOP) at.set(g.id, top.line);
      }
    }
    return at;
  };
  const first = waiting(earlier);
  let n = 0;
  for (const [id, line] of waiting(later)) if (id !== 0 && first.get(id) === line) n++;
  return n;
}

const countWith = (buckets: Bucket[], fn: string) =>
  buckets.filter((b) => b.frames.some((f) => f.func === fn)).reduce((s, b) => s + b.count, 0);

/**
 * readLoop goroutines in network I/O: the connection waits for the next response
 * (readLoop peeks at the socket, transport.go): idle in a pool, or serving a call in
 * flight. A response's body is already read and closed then, so none is held by one.
 */
const idleReadLoops = (buckets: Bucket[]) =>
  buckets.filter((b) => b.cls.startsWith("io:") && b.frames.some((f) => f.func === READ_LOOP)).reduce((s, b) => s + b.count, 0);
/** Client connections not idle: what unclosed bodies can hold. */
const busyReadLoops = (buckets: Bucket[]) => countWith(buckets, READ_LOOP) - idleReadLoops(buckets);

function bodyLeak(ctx: DiagnoseContext): Finding | undefined {
  const d = latestBuckets(ctx);
  if (!d) return undefined;
  // Idle connections (many of them: a Transport per call) are connection churn's
  // evidence, not unclosed bodies: count the others.
  const readLoops = busyReadLoops(d.buckets);
  const idle = idleReadLoops(d.buckets);
  const writeLoops = countWith(d.buckets, WRITE_LOOP);
  const inCalls = d.buckets.filter((b) => b.frames.some((f) => CLIENT_CALL.test(f.func))).reduce((s, b) => s + b.count, 0);
  const before = d.earlier ? busyReadLoops(d.earlier) : undefined;
  if (before !== undefined && readLoops < before) return undefined; // shrinking: being released
  // Connections still working for a caller are not leaked: count only what exceeds
  // them. Many at once is beyond any idle pool; fewer that keep growing between two
  // dumps (by as much as a goroutine leak suspect must: MIN_GROWTH and a fifth) are too.
  const held = readLoops - inCalls;
  const growth = before !== undefined ? readLoops - before : 0;
  const growingLikeALeak = growth >= MIN_GROWTH && growth >= 0.2 * readLoops && held >= MIN_GROWTH;
  // A connection whose readLoop waits for its response body in both dumps (the same
  // goroutine, at the same line): reading a body takes milliseconds, so a body nobody
  // reads or closes holds it (like a server connection still reading the same
  // request's headers in both snapshots, goroutines.ts). Goroutines reading a body now
  // and goroutines inside a call may account for some of them.
  const stuck = d.earlier ? stuckOnBody(d.earlier, d.buckets) - inCalls - countWith(d.buckets, BODY_READ) : 0;
  const stuckOnBodies = stuck >= MIN_GROWTH;
  if (held < MIN_LIVE_CONNS && !growingLikeALeak && !stuckOnBodies) return undefined;
  const callers = topEntries(ctx.once(callersOf), 3);
  const fn = callers[0]?.[0];
  const numbers: Record<string, number> = {
    client_connections_open: readLoops,
    idle_client_connections: idle,
    write_loops: writeLoops,
    goroutines_in_client_calls: inCalls,
  };
  if (before !== undefined) numbers.client_connections_before = before;
  if (d.earlier) numbers.waiting_for_body_in_both_dumps = Math.max(0, stuck);
  const evidence: Evidence[] = [
    {
      source: d.file,
      kind: "goroutine dump",
      numbers,
      functions: [READ_LOOP, WRITE_LOOP],
      excerpt:
        `${readLoops} × ${READ_LOOP} (not idle; ${idle} more idle)\n${writeLoops} × ${WRITE_LOOP}` +
        (before !== undefined ? `\n(${before} not idle in the earlier dump)` : ""),
    },
  ];
  if (callers.length > 0) {
    evidence.push({
      source: ctx.profile("allocs")?.file.path ?? ctx.profile("cpu")?.file.path ?? d.file,
      kind: "client call sites",
      numbers: { call_sites: callers.length },
      functions: callers.map(([f]) => f),
      excerpt: callers.map(([f]) => `${f} -> net/http.(*Client).Do`).join("\n"),
    });
  }
  const growing = before !== undefined && readLoops > before;
  return {
    id: `response-body-leak:${fn ?? READ_LOOP}`,
    category: "response-body-leak",
    // Critical when it grows like a leak or is past any pool; a few bodies held still
    // is a defect (a warning), not yet an incident.
    severity: growingLikeALeak || readLoops >= 100 ? "critical" : "warning",
    confidence: fn ? 0.85 : 0.6,
    title: `HTTP response bodies not closed${fn ? ` in ${fn}` : ""}: ${readLoops} client connections held open` + (growing ? ` (was ${before})` : ""),
    summary:
      `${readLoops} HTTP client connections are alive (one persistConn readLoop/writeLoop goroutine pair each), ` +
      `but only ${inCalls} goroutines are inside a client call. A connection returns to the pool only when its response ` +
      `body is read to the end and closed, and the default Transport keeps at most 2 idle per host: these are responses ` +
      `nobody closed. Each holds two goroutines, buffers and a socket until the server or a timeout ends it.`,
    evidence,
    functions: fn ? [fn, ...callers.slice(1).map(([f]) => f), READ_LOOP] : [READ_LOOP],
    recommendation:
      `${fn ? `In ${fn}, right` : "Right"} after the error check of each client call: \`defer resp.Body.Close()\`, and read the body ` +
      "to the end (`io.Copy(io.Discard, resp.Body)`) on paths that do not use it, including non-2xx answers, so the connection is reused.",
    docs: ["https://pkg.go.dev/net/http#Client.Do", "https://pkg.go.dev/net/http#Response"],
  };
}

/**
 * Client connections dialled between two dumps while connections of the first dump
 * still sat idle in the second: readLoop goroutines are one per connection (their ids
 * are new for a new connection), and a shared Transport hands a call an idle
 * connection before it dials. New ones dialled past idle ones that stay unused are
 * connections made per call and never kept for reuse (a Transport or Client per call).
 */
/** A call in flight on a connection: its caller waits in here for the response (transport.go). */
const ROUND_TRIP = "net/http.(*persistConn).roundTrip";

function connectionsNotReused(ctx: DiagnoseContext): { fresh: number; idleBoth: number; open: number; file: string } | undefined {
  const d = latestBuckets(ctx);
  if (!d?.earlier) return undefined;
  const ids = (buckets: Bucket[], idleOnly: boolean) =>
    new Set(
      buckets
        .filter((b) => b.frames.some((f) => f.func === READ_LOOP) && (!idleOnly || b.cls.startsWith("io:")))
        .flatMap((b) => b.members.map((g) => g.id))
        .filter((id) => id !== 0),
    );
  const before = ids(d.earlier, false);
  const later = ids(d.buckets, false);
  const idleBefore = ids(d.earlier, true);
  let fresh = 0;
  for (const id of later) if (!before.has(id)) fresh++;
  let idleBoth = 0;
  for (const id of ids(d.buckets, true)) if (idleBefore.has(id)) idleBoth++;
  // A readLoop in network I/O is idle, or waits for the response of a call in flight: a
  // slow upstream keeps its connection so in both dumps, and new calls meanwhile dial
  // new ones. Each call in flight in both dumps (same caller) holds one such connection.
  const calls = (buckets: Bucket[]) => new Set(buckets.filter((b) => b.frames.some((f) => f.func === ROUND_TRIP)).flatMap((b) => b.members.map((g) => g.id)).filter((id) => id !== 0));
  const callsBefore = calls(d.earlier);
  let callsBoth = 0;
  for (const id of calls(d.buckets)) if (callsBefore.has(id)) callsBoth++;
  idleBoth = Math.max(0, idleBoth - callsBoth);
  return { fresh, idleBoth, open: later.size, file: d.file };
}

function connectionChurn(ctx: DiagnoseContext): Finding | undefined {
  const cpu = ctx.profile("cpu");
  const allocs = ctx.profile("allocs") ?? ctx.profile("heap");
  const under = (p: ProfileInput | undefined, type: string, re: RegExp) => {
    if (!p) return { part: 0, total: 0 };
    const ti = sampleTypeIndex(p.profile, type);
    if (ti < 0) return { part: 0, total: 0 };
    let part = 0;
    let total = 0;
    for (let s = 0; s < p.profile.samples.length; s++) {
      const v = p.profile.sampleValue(s, ti);
      total += v;
      if (v !== 0 && p.frames.names(s).some((f) => re.test(f))) part += v;
    }
    return { part, total };
  };
  const dialCpu = under(cpu, "cpu", DIAL);
  const dialSamples = under(cpu, "samples", DIAL).part;
  const callCpu = under(cpu, "cpu", CLIENT_CALL);
  const dialObj = under(allocs, "alloc_objects", DIAL);
  const callObj = under(allocs, "alloc_objects", CLIENT_CALL);
  const cpuRatio = callCpu.part > 0 ? dialCpu.part / callCpu.part : 0;
  const objRatio = callObj.part > 0 ? dialObj.part / callObj.part : 0;
  const cpuShare = dialCpu.total > 0 ? dialCpu.part / dialCpu.total : 0;
  // Either profile can show it: dialling's CPU next to the calls' CPU, or (over the
  // process's life, whatever the load) the objects dialling allocates next to the calls'.
  const byCpu = cpuShare >= MIN_DIAL_CPU_SHARE && cpuRatio >= MIN_DIAL_RATIO && dialSamples >= MIN_DIAL_SAMPLES;
  const byAllocs = objRatio >= MIN_DIAL_RATIO;
  const conns = connectionsNotReused(ctx);
  const byDumps = conns !== undefined && conns.fresh >= MIN_GROWTH && conns.idleBoth >= MIN_GROWTH;
  if (!byCpu && !byAllocs && !byDumps) return undefined;
  const callers = topEntries(ctx.once(callersOf), 3);
  const fn = callers[0]?.[0];
  const evidence: Evidence[] = [
    {
      source: (cpu ?? allocs)!.file.path,
      kind: "cpu profile",
      numbers: {
        dial_cpu_ns: dialCpu.part,
        dial_cpu_samples: dialSamples,
        client_call_cpu_ns: callCpu.part,
        dial_share_of_all_cpu_pct: Math.round(1000 * cpuShare) / 10,
        dial_vs_calls_pct: Math.round(1000 * cpuRatio) / 10,
      },
      functions: ["net/http.(*Transport).dialConn", ...(fn ? [fn] : [])],
    },
  ];
  if (allocs && callObj.part > 0) {
    evidence.push({
      source: allocs.file.path,
      kind: "allocation profile",
      numbers: { dial_objects: dialObj.part, client_call_objects: callObj.part, dial_vs_calls_pct: Math.round(1000 * objRatio) / 10 },
      functions: ["net/http.(*Transport).dialConn"],
    });
  }
  if (conns && byDumps) {
    evidence.push({
      source: conns.file,
      kind: "goroutine dumps (client connections)",
      numbers: { connections_dialled_between_dumps: conns.fresh, idle_in_both_dumps: conns.idleBoth, client_connections_open: conns.open },
      functions: [READ_LOOP],
      excerpt: `${conns.fresh} new ${READ_LOOP} goroutines (new connections) while ${conns.idleBoth} idle ones stayed idle`,
    });
  }
  return {
    id: `connection-churn:${fn ?? "caller-unknown"}`,
    category: "connection-churn",
    // A defect is a warning by what it costs: CPU spent dialling, or (at any load)
    // connections seen made and never reused in two dumps. Seen only in the
    // allocations (little CPU), it is worth knowing, not an incident.
    severity: byCpu || byDumps ? "warning" : "info",
    confidence: fn ? 0.8 : 0.55,
    title:
      `New HTTP connection per call${fn ? ` in ${fn}` : ""}: ` +
      (byCpu || !byDumps
        ? `dialling costs ${pct(dialCpu.part, dialCpu.total)} of CPU`
        : `${conns!.fresh} connections dialled between two dumps while ${conns!.idleBoth} stayed idle`),
    summary:
      `Dialling new connections (net/http.(*Transport).dialConn: connect, and TLS when used) costs ${Math.round(100 * Math.max(cpuRatio, objRatio))} % ` +
      `of what the client calls themselves cost` +
      (byDumps ? `, and ${conns!.fresh} connections were dialled between two dumps while ${conns!.idleBoth} others sat idle in both` : "") +
      `: connections are not being reused. Each new connection pays a handshake ` +
      `(latency), a socket and a TIME_WAIT entry after close.`,
    evidence,
    // The place to fix is the user's code: with no caller of the client in the evidence,
    // the finding names none (dialConn is evidence, never the fix).
    functions: fn ? [fn] : [],
    recommendation:
      `${fn ? `In ${fn}: ` : ""}use one long-lived http.Client (and Transport) shared by all calls instead of one per call, ` +
      "keep DisableKeepAlives off, read each response body to the end and close it, and raise Transport.MaxIdleConnsPerHost " +
      "(default 2) to the number of concurrent calls to one host.",
    docs: ["https://pkg.go.dev/net/http#Transport", "https://pkg.go.dev/net/http#Client"],
  };
}
