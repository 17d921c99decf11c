// `godiag pcap`: one streaming pass over a capture file -> flows, HTTP exchanges, summary.

import { orderStats, quantileSorted } from "../core/stats/index.js";
import type { Flow, FlowCounts, HttpExchange, PcapReport, Percentiles } from "./model.js";
import { decodeTcp, type TcpSegment } from "./pcap/decode.js";
import { DEFAULT_PCAP_LIMITS, readCaptureFile, type PcapLimits } from "./pcap/read.js";
import { DEFAULT_FLOW_LIMITS, FlowTable, type FlowLimits, type FrameHook } from "./tcp/flows.js";

export interface PcapOptions {
  /** only segments to or from this TCP port (0: all) */
  port?: number;
  limits?: Partial<PcapLimits & FlowLimits>;
  /** each TCP frame's analysis flags and ACK RTT, for comparisons frame by frame */
  onFrame?: FrameHook;
}

export function analyzePcapFile(path: string, opts: PcapOptions = {}): PcapReport {
  const port = opts.port ?? 0;
  const limits = { ...DEFAULT_PCAP_LIMITS, ...DEFAULT_FLOW_LIMITS, ...opts.limits };
  const table = new FlowTable(limits, opts.onFrame, port);
  // seq, ack and t start as -0, not a small integer: their fields are doubles from the first
  // packet on (sequence numbers past 2^31 and times past 2.1 s would otherwise change the
  // object's layout mid-run and throw the optimized per-packet code away)
  const seg: TcpSegment = { ipVersion: 4, buf: new Uint8Array(0), srcOff: 0, dstOff: 0, addrLen: 4, srcPort: 0, dstPort: 0, seq: -0, ack: -0, flags: 0, window: 0, wscale: -1, seglen: 0, payloadOff: 0, payloadEnd: 0, t: -0 };
  const skipped: Record<string, number> = {};
  // On an object, not in variables the visitor closes over: a double stored into a closure's
  // variable is a new heap number each time (one allocation per packet), into an object's
  // field it is written in place.
  const clock = { baseSec: -1, tFirst: 0, tLast: 0, tcpPackets: 0 };
  const info = readCaptureFile(
    path,
    (p) => {
      // times relative to the first packet's whole second: exact integers in ns
      if (clock.baseSec < 0) {
        clock.baseSec = p.sec;
        clock.tFirst = p.nsec;
      }
      const t = (p.sec - clock.baseSec) * 1e9 + p.nsec;
      if (t > clock.tLast) clock.tLast = t;
      const why = decodeTcp(p.linkType, p.buf, p.start, p.end, seg);
      if (why !== null) {
        skipped[why] = (skipped[why] ?? 0) + 1;
        return;
      }
      if (port !== 0 && seg.srcPort !== port && seg.dstPort !== port) return;
      clock.tcpPackets++;
      seg.t = t - clock.tFirst;
      table.add(seg, p.frame);
    },
    limits,
  );
  const { baseSec, tFirst, tLast, tcpPackets } = clock;
  const flows = table.finish();
  const exchanges = table.exchanges;
  const xs = exchangeSeries(exchanges);
  return {
    file: path,
    format: info.format,
    packets: info.packets,
    tcpPackets,
    skipped,
    durationNs: info.packets > 0 ? tLast - tFirst : 0,
    startTime: baseSec < 0 ? "" : new Date(baseSec * 1000).toISOString().replace(/\.\d+Z$/, `.${String(Math.floor(tFirst / 1000)).padStart(6, "0")}Z`),
    port,
    flows,
    exchanges,
    totals: totals(flows, exchanges, table.flowCount),
    summary: {
      handshakeRtt: percentilesOf(flowSeries(flows, "handshakeRttNs")),
      connect: percentilesOf(flowSeries(flows, "connectNs")),
      tlsHandshake: percentilesOf(flowSeries(flows, "tlsHandshakeNs")),
      server: percentilesOf(xs.server),
      transfer: percentilesOf(xs.transfer),
      total: percentilesOf(xs.total),
    },
    worstFlows: worst(flows, exchanges),
    warnings: [...info.warnings, ...table.warnings, ...alpnCut(flows)],
  };
}

/** TLS 1.3 connections left unsplit because the capture cut their ClientHello before its ALPN list. */
function alpnCut(flows: PcapReport["flows"]): string[] {
  const n = flows.filter((f) => f.tls && f.tls.alpnOffered === null && !f.tls.exchangesTimed && f.tls.version !== "1.2").length;
  return n > 0 ? [`${n} TLS connection(s) whose ClientHello the capture cut before its ALPN list: their exchanges are not split (h2 cannot be told from HTTP/1.1); capture with a larger snaplen (tcpdump -s 2048) to time them`] : [];
}

function totals(flows: Flow[], exchanges: HttpExchange[], flowCount: number): PcapReport["totals"] {
  const t = { retransmissions: 0, fastRetransmissions: 0, spuriousRetransmissions: 0, outOfOrder: 0, duplicateAcks: 0, zeroWindows: 0, lostSegments: 0, resets: 0, synRetries: 0 } satisfies FlowCounts;
  let bytes = 0;
  for (const f of flows) {
    for (const k of Object.keys(t) as Array<keyof FlowCounts>) t[k] += f.counts[k];
    bytes += f.bytesUp + f.bytesDown;
  }
  return { ...t, flows: flowCount, exchanges: exchanges.length, bytes };
}

export function percentiles(values: ArrayLike<number>): Percentiles {
  const xs = Float64Array.from(values).sort();
  const n = xs.length;
  return n ? { n, p50: quantileSorted(xs, 0.5), p90: quantileSorted(xs, 0.9), p99: quantileSorted(xs, 0.99), max: xs[n - 1]! } : EMPTY;
}

const EMPTY: Percentiles = { n: 0, p50: 0, p90: 0, p99: 0, max: 0 };

/** The exchanges' server, transfer and total times, in one pass (one loop per field through a callback cost a twentieth of the run). */
function exchangeSeries(exchanges: readonly HttpExchange[]): { server: Float64Array; transfer: Float64Array; total: Float64Array } {
  const n = exchanges.length;
  const server = new Float64Array(n);
  const transfer = new Float64Array(n);
  const total = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = exchanges[i]!;
    server[i] = x.serverNs;
    transfer[i] = x.transferNs;
    total[i] = x.totalNs;
  }
  return { server, transfer, total };
}

/** A flow duration over the flows that have one (-1: not measured). */
function flowSeries(flows: readonly Flow[], key: "handshakeRttNs" | "connectNs" | "tlsHandshakeNs"): Float64Array {
  const out = new Float64Array(flows.length);
  let n = 0;
  for (const f of flows) if (f[key] >= 0) out[n++] = f[key];
  return out.subarray(0, n);
}

/**
 * Percentiles of a series (reordered in place), interpolated as quantileSorted does: selected,
 * not sorted (core/stats' orderStats) — a typed sort of a capture's 150,000 exchanges, three
 * series, took a tenth of the pass.
 */
function percentilesOf(a: Float64Array): Percentiles {
  const n = a.length;
  if (n === 0) return EMPTY;
  const ps = [0.5, 0.9, 0.99];
  const ranks = ps.flatMap((p) => [Math.floor((n - 1) * p), Math.min(Math.floor((n - 1) * p) + 1, n - 1)]);
  const v = orderStats(a, [...ranks, n - 1]);
  const q = (i: number): number => {
    const h = (n - 1) * ps[i]!;
    const lo = v[2 * i]!;
    return lo + (h - Math.floor(h)) * (v[2 * i + 1]! - lo);
  };
  return { n, p50: q(0), p90: q(1), p99: q(2), max: v[6]! };
}

/** Flow indexes, worst first: SYN retries, then retransmissions, then the slowest exchange. */
function worst(flows: Flow[], exchanges: HttpExchange[]): number[] {
  // the slowest exchange per flow index, in an array (flows are numbered from 0): a Map's
  // get and set per exchange cost more than the rest of the ranking
  let top = 0;
  for (const x of exchanges) if (x.flow > top) top = x.flow;
  for (const f of flows) if (f.index > top) top = f.index;
  const slowest = new Float64Array(top + 1).fill(-1);
  for (const x of exchanges) if (x.totalNs > slowest[x.flow]!) slowest[x.flow] = x.totalNs;
  const slow = (f: Flow): number => Math.max(slowest[f.index]!, 0);
  const score = (f: Flow): number => f.counts.synRetries * 1e6 + f.counts.retransmissions * 1e3 + f.counts.resets;
  return flows
    .filter((f) => score(f) > 0 || slowest[f.index]! >= 0)
    .sort((a, b) => score(b) - score(a) || slow(b) - slow(a) || Math.max(b.connectNs, 0) - Math.max(a.connectNs, 0))
    .slice(0, 10)
    .map((f) => f.index);
}
