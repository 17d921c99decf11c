// TCP sequence analysis with tshark's definitions (tcp.analysis.*), so a count here is the
// count tshark prints for the same capture. The rules follow Wireshark's packet-tcp.c
// (tcp_analyze_sequence_number) and the User's Guide, section "TCP Analysis"; this is our
// own code, checked frame by frame against tshark 4.0 in test/net-pcap.test.ts.
//
// Per direction we keep what tshark keeps: the next expected sequence number (and when it
// was set), the highest in-order sequence to be acknowledged, the last ACK/window sent and
// when, the duplicate-ACK run, and the unacknowledged segments (for ACK RTT).

export const A = {
  RETRANSMISSION: 1,
  FAST_RETRANSMISSION: 2,
  SPURIOUS_RETRANSMISSION: 4,
  OUT_OF_ORDER: 8,
  LOST_SEGMENT: 16,
  ACK_LOST_SEGMENT: 32,
  DUPLICATE_ACK: 64,
  ZERO_WINDOW: 128,
  ZERO_WINDOW_PROBE: 256,
  ZERO_WINDOW_PROBE_ACK: 512,
  KEEP_ALIVE: 1024,
  KEEP_ALIVE_ACK: 2048,
  WINDOW_UPDATE: 4096,
  WINDOW_FULL: 8192,
} as const;

/** tshark's tcp.analysis.retransmission is set on all three kinds. */
export const ANY_RETRANSMISSION = A.RETRANSMISSION | A.FAST_RETRANSMISSION | A.SPURIOUS_RETRANSMISSION;

import type { TcpSegment } from "../pcap/decode.js";

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

/** tshark stops remembering unacknowledged segments past this many per direction. */
const MAX_UNACKED = 10000;

/** 32-bit sequence comparisons (serial arithmetic). */
const lt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const gt = (a: number, b: number): boolean => ((a - b) | 0) > 0;
const le = (a: number, b: number): boolean => ((a - b) | 0) <= 0;

export class DirState {
  // -0 (equal to 0, the "not yet" of tshark's fields) is a double, not a small integer: the
  // fields hold doubles from the first object, so sequence numbers past 2^31 and times past
  // 2.1 s do not change the class's layout mid-run (and deoptimize the per-packet code)
  nextseq = -0;
  nextseqTime = -0;
  maxseqtobeacked = -0;
  lastack = -0;
  lastackTime = -0;
  /** window, scaled when both SYNs agreed on scaling */
  window = -1;
  /** -1: unknown (no SYN seen), -2: no scaling, else the shift */
  winScale = -1;
  dupacknum = 0;
  lastSegmentFlags = 0;
  /**
   * unacknowledged segments, oldest first: seq, nextseq, time; the first un entries. Typed
   * arrays with a count, not JS arrays cut with length = w: that cut was a runtime call
   * and let V8 shrink and regrow the store on every ACK (measured: a tenth of the pass).
   */
  useq = new Uint32Array(8);
  unext = new Uint32Array(8);
  utime = new Float64Array(8);
  un = 0;

  /** Remembers a segment (room grows by doubling; the caller caps the count). */
  remember(seq: number, next: number, t: number): void {
    if (this.un === this.useq.length) {
      const cap = this.un * 2;
      const s = new Uint32Array(cap);
      s.set(this.useq);
      this.useq = s;
      const n = new Uint32Array(cap);
      n.set(this.unext);
      this.unext = n;
      const u = new Float64Array(cap);
      u.set(this.utime);
      this.utime = u;
    }
    this.useq[this.un] = seq;
    this.unext[this.un] = next;
    this.utime[this.un] = t;
    this.un++;
  }
}

/** What the analysis says of one segment. */
export interface SegmentVerdict {
  flags: number;
  /** tcp.analysis.ack_rtt in ns, or -1 */
  ackRtt: number;
}

/**
 * Analyses one segment sent in direction fwd (rev is the other direction) at seg.t (ns).
 * window is the scaled window; firstRtt the flow's initial RTT in ns (0 when unknown).
 * The segment's numbers are read from it, not passed: sequence numbers past 2^31 and
 * times are doubles, boxed when passed to a function that is not inlined.
 */
export function analyzeSegment(fwd: DirState, rev: DirState, seg: TcpSegment, window: number, firstRtt: number, out: SegmentVerdict): void {
  const t = seg.t;
  const seq = seg.seq;
  const ack = seg.ack;
  const seglen = seg.seglen;
  const flags = seg.flags;
  let f = 0;
  out.ackRtt = -1;
  const noSFR = (flags & (SYN | FIN | RST)) === 0;
  check: {
    // zero window probe: one byte at the next expected sequence into a closed window
    if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
      f |= A.ZERO_WINDOW_PROBE;
      break check;
    }
    if (window === 0 && noSFR) f |= A.ZERO_WINDOW;
    // a segment beyond the next expected sequence: the one before it was not captured
    if (fwd.nextseq !== 0 && gt(seq, fwd.nextseq) && (flags & RST) === 0) f |= A.LOST_SEGMENT;
    if ((seglen === 0 || seglen === 1) && seq === ((fwd.nextseq - 1) >>> 0) && noSFR) f |= A.KEEP_ALIVE;
    if (seglen === 0 && window !== 0 && window !== fwd.window && seq === fwd.nextseq && ack === fwd.lastack && noSFR) f |= A.WINDOW_UPDATE;
    if (seglen > 0 && rev.winScale !== -1 && noSFR && ((seq + seglen) >>> 0) === ((rev.lastack + rev.window) >>> 0)) f |= A.WINDOW_FULL;
    const repeats = seglen === 0 && window === fwd.window && seq === fwd.nextseq && ack === fwd.lastack && noSFR;
    if (repeats && window !== 0 && (rev.lastSegmentFlags & A.KEEP_ALIVE) !== 0) {
      f |= A.KEEP_ALIVE_ACK;
      break check;
    }
    if (repeats && window === 0 && (rev.lastSegmentFlags & A.ZERO_WINDOW_PROBE) !== 0) {
      f |= A.ZERO_WINDOW_PROBE_ACK;
      break check;
    }
    if (repeats && window !== 0 && fwd.nextseq !== 0 && fwd.lastack !== 0) {
      fwd.dupacknum++;
      f |= A.DUPLICATE_ACK;
    }
  }
  // The run of duplicate ACKs ends when the ACK number moves, not at the first segment that
  // is no duplicate: a window update or data carrying the same ACK keeps the count, so the
  // retransmission after it is still fast (tshark 4.0, packet-tcp.c "finished_fwd").
  if (ack !== fwd.lastack) fwd.dupacknum = 0;

  // the other direction's bytes acknowledged before we saw them
  if (rev.maxseqtobeacked !== 0 && gt(ack, rev.maxseqtobeacked) && (flags & ACK) !== 0) {
    f |= A.ACK_LOST_SEGMENT;
    rev.maxseqtobeacked = rev.nextseq;
  }

  if ((seglen > 0 || (flags & (SYN | FIN)) !== 0) && (f & A.KEEP_ALIVE) === 0) {
    let notAdvanced = fwd.nextseq !== 0 && lt(seq, fwd.nextseq);
    // more than one byte starting just before nextseq follows a zero window probe: new data
    if (seglen > 1 && ((fwd.nextseq - 1) >>> 0) === seq) notAdvanced = false;
    retrans: {
      if (notAdvanced && rev.dupacknum >= 2 && rev.lastack === seq && t - rev.lastackTime < 20_000_000) {
        f |= A.FAST_RETRANSMISSION;
        break retrans;
      }
      const oooThreshold = firstRtt > 0 ? firstRtt : 3_000_000;
      if (notAdvanced && t - fwd.nextseqTime < oooThreshold && fwd.nextseq !== ((seq + seglen) >>> 0)) {
        f |= A.OUT_OF_ORDER;
        break retrans;
      }
      if (seglen > 0 && rev.lastack !== 0 && le((seq + seglen) >>> 0, rev.lastack)) {
        f |= A.SPURIOUS_RETRANSMISSION;
        break retrans;
      }
      if (notAdvanced) f |= A.RETRANSMISSION;
    }
  }

  // Every segment, a pure ACK too, can move nextseq: its sequence number is where the
  // sender is, so the first ACK of a capture begun mid-connection sets it, and an ACK past a
  // segment we never saw moves it on (the data after it is then not "lost" again). SYN and
  // FIN count one more only when the segment is remembered, as in tshark 4.0
  // (packet-tcp.c, after finished_checking_retransmission_type).
  let next = (seq + seglen) >>> 0;
  if ((seglen > 0 || (flags & (SYN | FIN)) !== 0) && fwd.un < MAX_UNACKED) {
    if (flags & (SYN | FIN)) next = (next + 1) >>> 0;
    fwd.remember(seq, next, t);
  }
  const zwp = (f & A.ZERO_WINDOW_PROBE) !== 0;
  if ((gt(next, fwd.nextseq) || fwd.nextseq === 0) && !zwp) {
    fwd.nextseq = next;
    fwd.nextseqTime = t;
  }
  if ((seq === fwd.maxseqtobeacked || fwd.maxseqtobeacked === 0) && !zwp) fwd.maxseqtobeacked = fwd.nextseq;
  fwd.window = window;
  fwd.lastack = ack;
  fwd.lastackTime = t;
  fwd.lastSegmentFlags = f;

  // segments of the other direction this ACK covers; an exact match gives the ACK RTT.
  // tshark walks newest first and keeps the last exact match: the oldest, kept here by
  // taking the first match of an oldest-first walk. Compacted in place (no allocation).
  const n = rev.un;
  if (n > 0) {
    let w = 0;
    for (let i = 0; i < n; i++) {
      const s = rev.useq[i]!;
      const nx = rev.unext[i]!;
      if (ack === nx) {
        if (out.ackRtt < 0) out.ackRtt = t - rev.utime[i]!;
        continue;
      }
      if (gt(ack, s) && le(ack, nx)) {
        rev.useq[w] = ack;
      } else if (gt(nx, ack)) {
        rev.useq[w] = s;
      } else {
        continue; // wholly acknowledged
      }
      rev.unext[w] = nx;
      rev.utime[w] = rev.utime[i]!;
      w++;
    }
    rev.un = w;
  }
  out.flags = f;
}
