// Per-request layers: each HTTP/1.x exchange of a packet capture joined to the request its
// handler goroutine lived in the execution trace (trace-requests.ts), so a slow request
// gets its own split — network, accept queue, TLS, transfer from the packets; scheduler,
// GC, handler CPU and blocking from the goroutine — instead of a share of the whole window.
//
// The join is by time. The trace's clock snapshot puts trace time on the wall clock, the
// capture's timestamps are the same host's wall clock; a response's first packet leaves
// during the write syscall that starts the trace request's end, so the median gap between
// each response's first byte and the nearest request end is the residual clock offset.
// After that correction a pair must agree within TOLERANCE_NS and the goroutine's span must
// fit in the server time the packets measured; pairs are taken closest first, one to one.

import { p99Of, type LatencyItem, type PcapReport } from "../../net/index.js";
import type { TraceInput } from "../trace-input.js";
import type { TraceRequest } from "../trace-requests.js";

export type RequestLayer = "network" | "accept-queue" | "tls" | "transfer" | "scheduler" | "gc" | "handler" | "blocking";
export const REQUEST_LAYERS: readonly RequestLayer[] = ["network", "accept-queue", "tls", "transfer", "scheduler", "gc", "handler", "blocking"];

export interface RequestSplit {
  item: LatencyItem;
  trace: TraceRequest;
  /** the last request byte -> the goroutine woken for it (or reading it): the runtime had not run it yet */
  netpollNs: number;
  /** the first response write -> its first packet (and what the clocks disagree by) */
  kernelNs: number;
  layers: Record<RequestLayer, number>;
  named: RequestLayer;
}

export interface RequestJoin {
  /** every exchange of the capture that the trace covers, matched to its goroutine's request */
  matched: RequestSplit[];
  /** exchanges the trace's window covers (matched or not) */
  covered: number;
  /** the slow ones among the matched (at or above their P99), slowest first */
  slow: RequestSplit[];
  p99Ns: number;
  /** per layer, summed over the slow requests */
  sums: Record<RequestLayer, number>;
  named: RequestLayer;
  /** the residual clock offset found (response packet - write syscall start), ns */
  residualNs: number;
}

/** how far a response's first packet may lie from its write syscall's start, after the correction */
const TOLERANCE_NS = 2e6;
/** gaps farther than this are not the same response (for the residual's median) */
const SEARCH_NS = 50e6;

const zero = (): Record<RequestLayer, number> => ({ network: 0, "accept-queue": 0, tls: 0, transfer: 0, scheduler: 0, gc: 0, handler: 0, blocking: 0 });

/** The capture's first packet on the wall clock, as whole seconds and nanoseconds; undefined without one. */
function captureStart(rep: PcapReport): { sec: number; nsec: number } | undefined {
  const m = /^(.*T\d\d:\d\d:\d\d)\.(\d{6})Z$/.exec(rep.startTime);
  if (!m) return undefined;
  return { sec: Date.parse(`${m[1]}Z`) / 1000, nsec: Number(m[2]) * 1000 };
}

export function joinRequests(rep: PcapReport, items: LatencyItem[], t: TraceInput): RequestJoin | undefined {
  const cap = captureStart(rep);
  if (!t.clock || !cap || t.requests.length === 0) return undefined;
  // capture-relative ns = trace ns + off
  const off = (t.clock.wallSec - cap.sec) * 1e9 + (t.clock.wallNsec - cap.nsec) - t.clock.trace;
  const reqs = [...t.requests].sort((a, b) => a.end - b.end);
  const ends = reqs.map((r) => r.end + off);
  const lo = reqs.reduce((m, r) => Math.min(m, r.start), Infinity) + off;
  const hi = ends[ends.length - 1]!;
  const xs = items.filter((it) => it.exchange !== undefined);
  const win = (it: LatencyItem) => {
    const x = it.exchange!;
    const a = x.tStart + (x.totalNs - x.serverNs - x.transferNs);
    return { a, b: a + x.serverNs };
  };
  const covered = xs.filter((it) => {
    const { a, b } = win(it);
    return a >= lo && b <= hi + TOLERANCE_NS;
  });
  if (covered.length === 0 || lo > hi) return undefined;
  const gaps: number[] = [];
  for (const it of covered) {
    const { b } = win(it);
    const i = nearest(ends, b);
    const d = b - ends[i]!;
    if (Math.abs(d) < SEARCH_NS) gaps.push(d);
  }
  if (gaps.length === 0) return undefined;
  gaps.sort((p, q) => p - q);
  const residual = gaps[Math.floor(gaps.length / 2)]!;
  const shift = off + residual;
  const pairs: Pair[] = [];
  for (const it of covered) {
    const { a, b } = win(it);
    const span = it.exchange!.serverNs;
    for (let i = nearest(ends, b - residual) - 2, n = 0; n < 5; i++, n++) {
      const r = reqs[i];
      if (!r) continue;
      const cost = Math.abs(b - (r.end + shift));
      if (cost > TOLERANCE_NS) continue;
      // the goroutine read the request after its last byte came, and its span fits in the server time
      if (r.start + shift < a - TOLERANCE_NS || r.end - r.start > span + TOLERANCE_NS) continue;
      pairs.push({ cost, it, r });
    }
  }
  pairs.sort((p, q) => p.cost - q.cost);
  // net/http serves an HTTP/1.x connection from one goroutine (conn.serve), so a flow's
  // exchanges all belong to one goroutine and it to that flow. Two connections doing the
  // same work in step can swap pairs by time alone: the closest-first pass votes each
  // flow's goroutine, flows take goroutines one to one by votes, and the pairs are taken
  // again among those that agree.
  const first = takeClosest(pairs);
  const owner = flowOwners(first);
  const agreed = pairs.filter((p) => {
    const g = owner.byFlow.get(p.it.flow.index);
    return g === undefined ? !owner.taken.has(p.r.goroutine) : g === p.r.goroutine;
  });
  const matched = takeClosest(agreed).map((p) => split(p.it, p.r, shift, t));
  if (matched.length === 0) return undefined;
  matched.sort((p, q) => p.item.total - q.item.total);
  const p99 = p99Of(matched.map((m) => m.item));
  const slow = matched.filter((m) => m.item.total >= p99).reverse();
  const sums = zero();
  for (const m of slow) for (const k of REQUEST_LAYERS) sums[k] += m.layers[k];
  return { matched, covered: covered.length, slow, p99Ns: p99, sums, named: largest(sums), residualNs: residual };
}

type Pair = { cost: number; it: LatencyItem; r: TraceRequest };

/** Pairs taken closest first, each exchange and each trace request at most once. */
function takeClosest(pairs: readonly Pair[]): Pair[] {
  const usedItem = new Set<LatencyItem>();
  const usedReq = new Set<TraceRequest>();
  const out: Pair[] = [];
  for (const p of pairs) {
    if (usedItem.has(p.it) || usedReq.has(p.r)) continue;
    usedItem.add(p.it);
    usedReq.add(p.r);
    out.push(p);
  }
  return out;
}

/** Each flow's goroutine by the most pairs that join them, flows and goroutines one to one. */
function flowOwners(pairs: readonly Pair[]): { byFlow: Map<number, number>; taken: Set<number> } {
  const votes = new Map<string, { flow: number; g: number; n: number }>();
  for (const p of pairs) {
    const k = `${p.it.flow.index}/${p.r.goroutine}`;
    const v = votes.get(k) ?? { flow: p.it.flow.index, g: p.r.goroutine, n: 0 };
    v.n++;
    votes.set(k, v);
  }
  const byFlow = new Map<number, number>();
  const taken = new Set<number>();
  for (const v of [...votes.values()].sort((a, b) => b.n - a.n || a.flow - b.flow || a.g - b.g)) {
    if (byFlow.has(v.flow) || taken.has(v.g)) continue;
    byFlow.set(v.flow, v.g);
    taken.add(v.g);
  }
  return { byFlow, taken };
}

function split(it: LatencyItem, r: TraceRequest, shift: number, t: TraceInput): RequestSplit {
  const x = it.exchange!;
  const a = x.tStart + (x.totalNs - x.serverNs - x.transferNs);
  const netpoll = Math.max(0, r.start + shift - a);
  const kernel = Math.max(0, x.serverNs - netpoll - (r.end - r.start));
  const l = zero();
  l.network = it.parts.network;
  l["accept-queue"] = it.parts["accept-queue"];
  l.tls = it.parts.tls;
  l.transfer = it.parts.transfer;
  if (it.parts.handler > 0) {
    // the server time, cut by the goroutine's states; what lies outside its span is the
    // runtime's delay in running it (scheduler) and the kernel's in sending (network)
    // the netpoll delay (bytes in -> the goroutine woken or reading them) is the runtime's,
    // charged like a wait for a P to whoever held the Ps meanwhile: the GC in its share,
    // other requests' handlers in theirs, the scheduler (other goroutines) otherwise
    const gcPoll = Math.min(netpoll, t.gcBetween(a - shift, r.start));
    const queuedPoll = Math.min(netpoll - gcPoll, t.handlersBetween(a - shift, r.start));
    l.scheduler = netpoll - gcPoll - queuedPoll + r.runnableNs;
    l.gc = gcPoll + r.assistNs + r.gcWaitNs + r.gcBlockedNs;
    l.handler = r.runningNs + r.syscallNs + queuedPoll + r.queuedNs;
    l.blocking = r.blockedNs;
    l.network += kernel;
  }
  // (a request with retransmissions already gave its server time to the network)
  return { item: it, trace: r, netpollNs: netpoll, kernelNs: kernel, layers: l, named: largest(l) };
}

function largest(l: Record<RequestLayer, number>): RequestLayer {
  return REQUEST_LAYERS.reduce((p, q) => (l[q] > l[p] ? q : p));
}

/** Index of the value in sorted v closest to x. */
function nearest(v: readonly number[], x: number): number {
  let lo = 0;
  let hi = v.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(v[lo - 1]! - x) <= Math.abs(v[lo]! - x)) return lo - 1;
  return lo;
}
