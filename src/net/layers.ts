// Which layer holds the P99, from a capture: each request's latency as the client saw it is
// cut into connect (the handshake, and SYN retries), TLS, the server's time and the
// transfer; a request that had retransmissions gives its waits to the network. The slow
// requests (at or above the P99) are summed per layer and the largest names the layer.
// All of it is on one clock: the capture's timestamps (pcap time, ns since its first packet).

import { selectRank } from "../core/stats/index.js";
import type { Flow, HttpExchange, PcapReport } from "./model.js";
import { fmtNs } from "./render/format.js";

export type Layer = "network" | "accept-queue" | "tls" | "handler" | "transfer";

export interface HostEvidence {
  /** exchanges not to count, e.g. godiag's own /debug/pprof fetches in a capture's window */
  ignoreRequest?: RegExp;
  /** TcpExtListenOverflows (/proc/net/netstat) rise during the capture, when known */
  listenOverflows?: number;
}

export interface LayerReport {
  layer: Layer;
  /** requests (or connections without exchanges) considered, and the slow ones */
  requests: number;
  slow: number;
  p99Ns: number;
  /** ns per layer over the slow requests */
  shares: Record<Layer, number>;
  evidence: string[];
  clock: string;
}

/** One request (or a connection without exchanges) as the client saw it, cut by layer. */
export interface LatencyItem {
  total: number;
  parts: Record<Layer, number>;
  flow: Flow;
  exchange?: HttpExchange;
}
type Item = LatencyItem;

const zero = (): Record<Layer, number> => ({ network: 0, "accept-queue": 0, tls: 0, handler: 0, transfer: 0 });

function connectParts(f: Flow, parts: Record<Layer, number>, host: HostEvidence): number {
  if (f.connectNs < 0) return 0;
  const rtt = Math.max(0, f.handshakeRttNs);
  const retryWait = Math.max(0, f.connectNs - rtt);
  // a dropped SYN is the accept queue when the kernel counted overflows, else the network
  if (f.counts.synRetries > 0) parts[(host.listenOverflows ?? 0) > 0 ? "accept-queue" : "network"] += retryWait;
  parts.network += f.counts.synRetries > 0 ? rtt : f.connectNs;
  return f.connectNs;
}

function byFlowOf(r: PcapReport, host: HostEvidence): Map<number, HttpExchange[]> {
  const byFlow = new Map<number, HttpExchange[]>();
  for (const x of r.exchanges) {
    if (host.ignoreRequest?.test(x.request)) continue;
    const l = byFlow.get(x.flow);
    if (l) l.push(x);
    else byFlow.set(x.flow, [x]);
  }
  return byFlow;
}

/**
 * Calls visit for each item: a flow's exchanges (the first pays for the connection), or the
 * flow itself when it has none to time (TLS, or nothing answered) and took time to set up.
 */
function forEachItem(r: PcapReport, byFlow: Map<number, HttpExchange[]>, visit: (f: Flow, x: HttpExchange | undefined, first: boolean, total: number) => void): void {
  for (const f of r.flows) {
    const xs = byFlow.get(f.index);
    const connect = f.connectNs < 0 ? 0 : f.connectNs;
    if (!xs) {
      if (f.exchanges > 0) continue; // all its exchanges were ignored
      const total = connect + (f.tlsHandshakeNs >= 0 ? f.tlsHandshakeNs : 0);
      if (total > 0) visit(f, undefined, true, total);
      continue;
    }
    for (let i = 0; i < xs.length; i++) visit(f, xs[i]!, i === 0, (i === 0 ? connect + tlsWait(f, xs[0]!) : 0) + xs[i]!.totalNs);
  }
}

/**
 * What the first request on a TLS connection waited for TLS: ClientHello -> its first
 * byte. The handshake (ClientHello -> the server's last flight) and then the client's
 * own part (verifying the server's flight, its Finished) before it could send.
 */
function tlsWait(f: Flow, first: HttpExchange): number {
  return f.tls && f.tls.helloT >= 0 && first.tStart >= f.tls.helloT ? first.tStart - f.tls.helloT : 0;
}

function itemOf(f: Flow, x: HttpExchange | undefined, first: boolean, total: number, host: HostEvidence): Item {
  const parts = zero();
  if (first) connectParts(f, parts, host);
  if (first && x) parts.tls += tlsWait(f, x);
  if (!x) {
    if (f.tlsHandshakeNs >= 0) parts.tls += f.tlsHandshakeNs;
    return { total, parts, flow: f };
  }
  if (x.retransmissions > 0) parts.network += x.serverNs + x.transferNs;
  else {
    parts.handler += x.serverNs;
    parts.transfer += x.transferNs;
  }
  parts.transfer += x.totalNs - x.serverNs - x.transferNs; // the request's own sending
  return { total, parts, flow: f, exchange: x };
}

/** The requests of a capture, each cut into layers, slowest last. */
export function latencyItems(r: PcapReport, host: HostEvidence = {}): LatencyItem[] {
  const items: Item[] = [];
  forEachItem(r, byFlowOf(r, host), (f, x, first, total) => items.push(itemOf(f, x, first, total, host)));
  return items.sort((a, b) => a.total - b.total);
}

/** The value at or below which 99 % of the sorted totals lie (the slow ones are those at or above it). */
export function p99Of(sorted: readonly { total: number }[]): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(0.99 * (sorted.length - 1)))]!.total;
}

export function attributeLatency(r: PcapReport, host: HostEvidence = {}): LayerReport | null {
  const byFlow = byFlowOf(r, host);
  // the P99 from the totals alone (a selection), then items for the slow ones only: a
  // capture has hundreds of thousands of exchanges (a fifth of `godiag pcap`'s time went to
  // building and sorting an object for each)
  const totals: number[] = [];
  forEachItem(r, byFlow, (_f, _x, _first, total) => totals.push(total));
  if (totals.length === 0) return null;
  const all = Float64Array.from(totals);
  const p99 = selectRank(all, Math.min(all.length - 1, Math.floor(0.99 * (all.length - 1))));
  const slow: Item[] = [];
  forEachItem(r, byFlow, (f, x, first, total) => {
    if (total >= p99) slow.push(itemOf(f, x, first, total, host));
  });
  slow.sort((a, b) => a.total - b.total); // (stable: the order the full sort gave)
  const shares = zero();
  for (const it of slow) for (const k of Object.keys(shares) as Layer[]) shares[k] += it.parts[k];
  const layer = (Object.keys(shares) as Layer[]).reduce((a, b) => (shares[b] > shares[a] ? b : a));
  const evidence: string[] = [];
  const n = slow.length;
  const retried = slow.filter((it) => it.flow.counts.synRetries > 0 && (it.exchange === undefined || byFlow.get(it.flow.index)?.[0] === it.exchange));
  if (retried.length) {
    const c = retried.map((it) => it.flow.connectNs).sort((a, b) => a - b);
    evidence.push(`${retried.length} of ${n} slow requests waited for SYN retries: connect ${fmtNs(c[0]!)}..${fmtNs(c[c.length - 1]!)} (the handshake itself: ${fmtNs(retried[0]!.flow.handshakeRttNs)})`);
  }
  if (host.listenOverflows !== undefined) evidence.push(`ListenOverflows rose by ${host.listenOverflows} during the capture (/proc/net/netstat: every listener of the network namespace)`);
  const retrans = slow.filter((it) => (it.exchange?.retransmissions ?? 0) > 0);
  if (retrans.length) evidence.push(`${retrans.length} of ${n} slow requests had retransmissions (${r.totals.retransmissions} in the capture, tshark's definition)`);
  const tls = slow.filter((it) => it.parts.tls > 0);
  if (tls.length) {
    const hs = tls.map((it) => it.flow.tlsHandshakeNs).filter((x) => x >= 0);
    evidence.push(
      `TLS of the slow connections: up to ${fmtNs(Math.max(...tls.map((it) => it.parts.tls)))} from the ClientHello to the first request byte (or to the handshake's end when its exchanges are not timed)` +
        (hs.length ? `, of which the handshake (ClientHello -> the server's last handshake flight) up to ${fmtNs(Math.max(...hs))}` : ""),
    );
  }
  const handler = slow.filter((it) => it.parts.handler > 0);
  if (handler.length) evidence.push(`server time (last request byte -> first response byte) of the slow requests: up to ${fmtNs(Math.max(...handler.map((it) => it.parts.handler)))}`);
  return {
    layer,
    requests: totals.length,
    slow: n,
    p99Ns: p99,
    shares,
    evidence,
    clock: "capture timestamps (pcap/pcapng, ns since the first packet)",
  };
}
