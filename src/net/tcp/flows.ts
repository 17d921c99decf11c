// The TCP flow table: each segment goes to its flow (both directions), through tshark's
// sequence analysis, and into the flow's handshake, TLS and HTTP/1.x exchange tracking.
// Flows are found by a hash of the endpoint pair without building a string per packet.

import type { TcpSegment } from "../pcap/decode.js";
import type { Flow, FlowCounts, HttpExchange } from "../model.js";
import { A, ANY_RETRANSMISSION, DirState, analyzeSegment, type SegmentVerdict } from "./analysis.js";
import { ExchangeTracker } from "./exchange.js";

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

/** A frame's verdict, for callers that compare with tshark frame by frame. */
export type FrameHook = (frame: number, stream: number, flags: number, ackRttNs: number) => void;

export interface FlowLimits {
  /** flows kept with their details; past it, flows are still analysed but only counted */
  maxFlows: number;
  /** exchanges kept for percentiles and listings */
  maxExchanges: number;
}

export const DEFAULT_FLOW_LIMITS: FlowLimits = { maxFlows: 200_000, maxExchanges: 2_000_000 };

function emptyCounts(): FlowCounts {
  return { retransmissions: 0, fastRetransmissions: 0, spuriousRetransmissions: 0, outOfOrder: 0, duplicateAcks: 0, zeroWindows: 0, lostSegments: 0, resets: 0, synRetries: 0 };
}

export function formatEndpoint(addr: Uint8Array, port: number): string {
  if (addr.length === 4) return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}:${port}`;
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((addr[i]! << 8) | addr[i + 1]!).toString(16));
  // the longest run of zero groups becomes "::" (RFC 5952)
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === "0") j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const text = best < 0 ? parts.join(":") : `${parts.slice(0, best).join(":")}::${parts.slice(best + bestLen).join(":")}`;
  return `[${text}]:${port}`;
}

class FlowState {
  /** endpoint 0 is the first packet's source */
  readonly addr0: Uint8Array;
  readonly addr1: Uint8Array;
  readonly dirs = [new DirState(), new DirState()] as const;
  /** which endpoint is the client (sent the SYN; else the higher port) */
  clientSide: 0 | 1 = 0;
  /** the client is known (a SYN, the service's port); else the first payload may still tell */
  clientKnown = false;
  baseSeq = [-0, -0]; // doubles from the start (see firstSynT)
  baseSeqSet = [false, false];
  // times, unset: -Infinity and -0 are doubles (a small integer would change the field's
  // layout at the first time past 2.1 s, deoptimizing the per-packet code)
  firstSynT = -Infinity;
  lastSynT = -Infinity;
  handshakeAckT = -Infinity;
  firstRtt = -0;
  synSeen = false;
  readonly flow: Flow;
  readonly tracker: ExchangeTracker;
  constructor(
    seg: TcpSegment,
    readonly port0: number,
    readonly port1: number,
    index: number,
    t: number,
  ) {
    // copies: the segment's bytes are the reader's chunk, refilled as the file is read (and
    // a Buffer, whose slice() would be a view, not a copy)
    this.addr0 = Uint8Array.from(seg.buf.subarray(seg.srcOff, seg.srcOff + seg.addrLen));
    this.addr1 = Uint8Array.from(seg.buf.subarray(seg.dstOff, seg.dstOff + seg.addrLen));
    this.flow = {
      index,
      client: formatEndpoint(this.addr0, port0),
      server: formatEndpoint(this.addr1, port1),
      tFirst: t,
      tLast: t,
      packets: 0,
      bytesUp: 0,
      bytesDown: 0,
      handshakeRttNs: -1,
      connectNs: -1,
      tlsHandshakeNs: -1,
      tls: null,
      counts: emptyCounts(),
      exchanges: 0,
      end: "open",
    };
    this.tracker = new ExchangeTracker(index);
  }

  /** 0 when seg goes from endpoint 0, 1 when from endpoint 1, -1 when not this flow */
  side(seg: TcpSegment): number {
    if (seg.srcPort === this.port0 && seg.dstPort === this.port1 && same(seg, seg.srcOff, this.addr0) && same(seg, seg.dstOff, this.addr1)) return 0;
    if (seg.srcPort === this.port1 && seg.dstPort === this.port0 && same(seg, seg.srcOff, this.addr1) && same(seg, seg.dstOff, this.addr0)) return 1;
    return -1;
  }
}

/** Whether the segment's address at off equals addr. */
function same(seg: TcpSegment, off: number, addr: Uint8Array): boolean {
  if (seg.addrLen !== addr.length) return false;
  const b = seg.buf;
  for (let i = 0; i < addr.length; i++) if (b[off + i] !== addr[i]) return false;
  return true;
}

function setSides(fs: FlowState, clientSide: 0 | 1): void {
  fs.clientSide = clientSide;
  fs.flow.client = clientSide === 0 ? formatEndpoint(fs.addr0, fs.port0) : formatEndpoint(fs.addr1, fs.port1);
  fs.flow.server = clientSide === 0 ? formatEndpoint(fs.addr1, fs.port1) : formatEndpoint(fs.addr0, fs.port0);
}

const METHOD_START = /^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT|TRACE) /;

function looksLikeRequest(p: Uint8Array): boolean {
  if (p.length >= 6 && p[0] === 0x16 && p[1] === 3 && p[5] === 1) return true; // TLS ClientHello
  return METHOD_START.test(String.fromCharCode(...p.subarray(0, 8)));
}

function looksLikeResponse(p: Uint8Array): boolean {
  if (p.length >= 6 && p[0] === 0x16 && p[1] === 3 && p[5] === 2) return true; // TLS ServerHello
  return String.fromCharCode(...p.subarray(0, 7)) === "HTTP/1.";
}

/** A hash of the unordered endpoint pair: the same for both directions. */
function pairHash(seg: TcpSegment): number {
  let hs = seg.srcPort * 40503;
  let hd = seg.dstPort * 40503;
  const b = seg.buf;
  for (let i = 0; i < seg.addrLen; i++) {
    hs = Math.imul(hs ^ b[seg.srcOff + i]!, 16777619);
    hd = Math.imul(hd ^ b[seg.dstOff + i]!, 16777619);
  }
  // a small integer (V8 Smi): a key of 2^31 or more would be a heap number, allocated per packet
  return (hs ^ hd) & 0x3fffffff;
}

export class FlowTable {
  private readonly byHash = new Map<number, FlowState[]>();
  private readonly all: FlowState[] = [];
  readonly exchanges: HttpExchange[] = [];
  private streams = 0;
  warnings: string[] = [];
  private readonly verdict: SegmentVerdict = { flags: 0, ackRtt: -1 };
  private droppedExchanges = 0;
  private last: FlowState | null = null;

  constructor(
    private readonly limits: FlowLimits = DEFAULT_FLOW_LIMITS,
    private readonly hook?: FrameHook,
    /** the service's port, when known: its side is the server */
    private readonly serverPort = 0,
  ) {}

  add(seg: TcpSegment, frame: number): void {
    const t = seg.t;
    let fs: FlowState | undefined;
    let side = -1;
    // the previous segment's flow first: a segment and its ACK, a burst, come in runs
    const last = this.last;
    if (last !== null) {
      side = last.side(seg);
      if (side >= 0) fs = last;
    }
    if (!fs) {
      const bucket = this.byHash.get(pairHash(seg));
      if (bucket) {
        for (let i = bucket.length - 1; i >= 0; i--) {
          side = bucket[i]!.side(seg);
          if (side >= 0) {
            fs = bucket[i];
            break;
          }
        }
      }
    }
    // A new SYN with another initial sequence number on the same ports: the port was
    // reused, a new conversation (tshark: "TCP Port numbers reused").
    if (fs && side >= 0 && (seg.flags & (SYN | ACK)) === SYN && fs.baseSeqSet[side] && fs.baseSeq[side] !== seg.seq) {
      const bucket = this.byHash.get(pairHash(seg))!;
      bucket.splice(bucket.indexOf(fs), 1);
      fs = undefined;
    }
    if (!fs) {
      const h = pairHash(seg);
      let bucket = this.byHash.get(h);
      fs = new FlowState(seg, seg.srcPort, seg.dstPort, this.streams++, t);
      side = 0;
      // The client sent the SYN; without one (the capture began mid-connection) the
      // service's port says, else the first payload (a request line, a ClientHello), else
      // the higher (ephemeral) port.
      const syn = seg.flags & (SYN | ACK);
      fs.clientKnown = syn === SYN || syn === (SYN | ACK) || (this.serverPort !== 0 && (seg.srcPort === this.serverPort || seg.dstPort === this.serverPort));
      fs.clientSide = syn === SYN ? 0 : syn === (SYN | ACK) ? 1 : this.serverPort !== 0 && fs.clientKnown ? (seg.dstPort === this.serverPort ? 0 : 1) : seg.srcPort > seg.dstPort ? 0 : 1;
      setSides(fs, fs.clientSide);
      if (!bucket) {
        bucket = [];
        this.byHash.set(h, bucket);
      }
      bucket.push(fs);
      if (this.all.length < this.limits.maxFlows) this.all.push(fs);
      else if (this.all.length === this.limits.maxFlows) this.warnings.push(`more than ${this.limits.maxFlows} flows: the rest are counted in the totals only`);
    }
    this.last = fs;
    this.segment(fs, side as 0 | 1, seg, frame);
  }

  private segment(fs: FlowState, side: 0 | 1, seg: TcpSegment, frame: number): void {
    const t = seg.t;
    if (!fs.clientKnown && seg.seglen > 0 && seg.payloadEnd > seg.payloadOff) {
      fs.clientKnown = true;
      const p = seg.buf.subarray(seg.payloadOff, seg.payloadEnd);
      const opener = looksLikeRequest(p) ? side : looksLikeResponse(p) ? side ^ 1 : fs.clientSide;
      if (opener !== fs.clientSide) {
        const f = fs.flow;
        [f.bytesUp, f.bytesDown] = [f.bytesDown, f.bytesUp];
        setSides(fs, opener as 0 | 1);
      }
    }
    const fwd = fs.dirs[side];
    const rev = fs.dirs[side ^ 1]!;
    const flow = fs.flow;
    const up = side === fs.clientSide;
    const flags = seg.flags;
    flow.packets++;
    flow.tLast = t;
    if (up) flow.bytesUp += seg.seglen;
    else flow.bytesDown += seg.seglen;

    if (!fs.baseSeqSet[side]) {
      fs.baseSeq[side] = seg.seq;
      fs.baseSeqSet[side] = true;
    }
    // window scaling, as tshark decides it from the two SYNs
    let window = seg.window;
    if (flags & SYN) {
      fs.synSeen = true;
      if (seg.wscale >= 0) fwd.winScale = seg.wscale;
      if (fwd.winScale === -1 || seg.wscale < 0) {
        fwd.winScale = -2;
        rev.winScale = -2;
      } else if ((flags & ACK) !== 0 && rev.winScale === -2) {
        fwd.winScale = -2;
      }
    } else if (fwd.winScale >= 0) {
      // a shift, not 2 ** s (a Math.pow call per segment: a tenth of the pass); at most 65535 << 14 < 2^31
      window = window << fwd.winScale;
    }

    if ((flags & (SYN | ACK)) === SYN) {
      if (fs.firstSynT < 0) fs.firstSynT = t;
      fs.lastSynT = t;
    }
    analyzeSegment(fwd, rev, seg, window, fs.firstRtt, this.verdict);
    // the first RTT: the ACK completing the handshake, after the last SYN (tcp.analysis.initial_rtt)
    if ((flags & (SYN | ACK)) === ACK && fs.lastSynT >= 0 && fs.firstRtt === 0 && fs.handshakeAckT < 0) {
      fs.handshakeAckT = t;
      fs.firstRtt = t - fs.lastSynT;
      flow.handshakeRttNs = fs.firstRtt;
      flow.connectNs = t - fs.firstSynT;
    }
    const v = this.verdict.flags;
    const c = flow.counts;
    if (v & ANY_RETRANSMISSION) {
      c.retransmissions++;
      if ((flags & (SYN | ACK)) === SYN) c.synRetries++;
    }
    if (v & A.FAST_RETRANSMISSION) c.fastRetransmissions++;
    if (v & A.SPURIOUS_RETRANSMISSION) c.spuriousRetransmissions++;
    if (v & A.OUT_OF_ORDER) c.outOfOrder++;
    if (v & A.DUPLICATE_ACK) c.duplicateAcks++;
    if (v & A.ZERO_WINDOW) c.zeroWindows++;
    if (v & A.LOST_SEGMENT) c.lostSegments++;
    if (flags & RST) {
      c.resets++;
      flow.end = "rst";
    } else if (flags & FIN && flow.end === "open") {
      flow.end = "fin";
    }
    this.hook?.(frame, flow.index, v, this.verdict.ackRtt);

    const fresh = (v & (ANY_RETRANSMISSION | A.OUT_OF_ORDER | A.ZERO_WINDOW_PROBE | A.KEEP_ALIVE)) === 0;
    fs.tracker.segment(up, seg, fresh, (v & ANY_RETRANSMISSION) !== 0);
    if (flags & (FIN | RST)) {
      fs.tracker.end();
      this.drain(fs);
    }
  }

  private drain(fs: FlowState): void {
    for (const x of fs.tracker.take()) {
      fs.flow.exchanges++;
      if (this.exchanges.length < this.limits.maxExchanges) this.exchanges.push(x);
      else this.droppedExchanges++;
    }
  }

  /** Ends the capture: open exchanges with a response count; returns the flows kept. */
  finish(): Flow[] {
    for (const fs of this.all) {
      fs.tracker.end();
      this.drain(fs);
      fs.flow.tlsHandshakeNs = fs.tracker.tlsHandshakeNs;
      const s = fs.tracker.tls;
      if (s) fs.flow.tls = { version: s.version, alpn: s.alpn, alpnOffered: s.alpnOffered, helloT: s.helloT, doneT: s.doneT, exchangesTimed: s.splittable };
    }
    if (this.droppedExchanges > 0) this.warnings.push(`${this.droppedExchanges} HTTP exchanges past the ${this.limits.maxExchanges} kept are not listed`);
    return this.all.map((f) => f.flow);
  }

  get flowCount(): number {
    return this.streams;
  }
}
