// Request/response exchanges on one TCP flow, from the order of new data in each
// direction: a client burst after a response (or at the start) opens a request; the
// server's first new byte after it is the first response byte; the response lasts until
// the client speaks again or the flow ends. That is HTTP/1.x without pipelining (what Go's
// and Node's clients do); the request and status lines are read when captured.
//
// Over TLS (tls.ts) the same rule runs on the segments that carry application-data
// records, without keys: the request line and status stay unknown. It runs when the
// connection carries HTTP/1.x as far as ALPN tells; HTTP/2 multiplexes streams in one
// record stream (and its server speaks first: SETTINGS), so its exchanges are not split.

import type { HttpExchange } from "../model.js";
import type { TcpSegment } from "../pcap/decode.js";
import { TLS_APP, TlsTracker } from "./tls.js";

type Kind = "unknown" | "http" | "tls" | "other";

const METHODS = ["GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "];

/** Whether b[at, end) starts with s. Offsets, not a view: no allocation per call. */
function startsWith(b: Uint8Array, at: number, end: number, s: string): boolean {
  if (end - at < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** "GET /path" from a request's first bytes: up to the second space (the target at most 200 bytes). */
function requestLine(b: Uint8Array, at: number, endAt: number): string {
  const max = Math.min(endAt - at, 256);
  let spaces = 0;
  let end = 0;
  while (end < max) {
    const c = b[at + end]!;
    if (c === 13 || c === 10 || (c === 32 && ++spaces === 2)) break;
    end++;
  }
  const n = Math.min(end, 220);
  // the reader's chunk is a Buffer: its latin1 toString costs half of a TextDecoder's decode
  return Buffer.isBuffer(b) ? b.toString("latin1", at, at + n) : Buffer.from(b.buffer, b.byteOffset + at, n).toString("latin1");
}

function statusCode(b: Uint8Array, at: number, end: number): number {
  if (!startsWith(b, at, end, "HTTP/1.") || end - at < 12) return 0;
  const code = (b[at + 9]! - 48) * 100 + (b[at + 10]! - 48) * 10 + (b[at + 11]! - 48);
  return code >= 100 && code <= 999 ? code : 0;
}

/**
 * The exchange being timed; one per flow, reused (open says whether it holds one). Its times
 * start as doubles (NaN) so V8 gives the fields a double representation from the first
 * object on: a field that starts as a small integer and later takes a double can end up
 * boxing every store (measured: 87 MB of heap numbers over a 595 MB capture).
 */
class Open {
  open = false;
  request = "";
  status = 0;
  tStart = Number.NaN;
  reqEnd = Number.NaN;
  respFirst = Number.NaN;
  respEnd = Number.NaN;
  reqBytes = 0;
  respBytes = 0;
  retrans = 0;
  answered = false;
}

export class ExchangeTracker {
  private kind: Kind = "unknown";
  private readonly cur = new Open();
  private done: HttpExchange[] = [];
  /** the TLS record layer, on a TLS flow */
  tls: TlsTracker | null = null;

  constructor(private readonly flow: number) {}

  /** TLS: ClientHello -> the server's last handshake flight, ns; -1 when not TLS or not seen. */
  get tlsHandshakeNs(): number {
    const s = this.tls;
    return s && s.helloT >= 0 && s.doneT >= 0 ? s.doneT - s.helloT : -1;
  }

  /** A segment of the flow; fresh: it carries new in-order data (not a retransmission). */
  segment(up: boolean, seg: TcpSegment, fresh: boolean, retransmitted: boolean): void {
    if (retransmitted && this.cur.open) this.cur.retrans++;
    if (seg.seglen === 0 || !fresh) return;
    const b = seg.buf;
    const at = seg.payloadOff;
    const end = seg.payloadEnd;
    if (this.kind === "unknown") {
      if (!up) return; // a server speaking first: not a request/response protocol we time
      if (METHODS.some((m) => startsWith(b, at, end, m))) this.kind = "http";
      else if (end - at >= 6 && b[at] === 0x16 && b[at + 1] === 3 && b[at + 5] === 1) {
        this.kind = "tls";
        this.tls = new TlsTracker();
      } else if (end > at) this.kind = "other";
      else return; // payload cut by snaplen to nothing: decide on the next one
    }
    if (this.kind === "tls") {
      const s = this.tls!;
      if ((s.segment(up ? 0 : 1, seg) & TLS_APP) === 0 || !s.splittable) return;
    } else if (this.kind !== "http") return;
    const plain = this.kind === "http";
    const t = seg.t;
    const c = this.cur;
    if (up) {
      if (!c.open || c.answered) {
        this.close();
        c.open = true;
        c.answered = false;
        c.request = plain ? requestLine(b, at, end) : "";
        c.status = 0;
        c.tStart = t;
        c.reqEnd = t;
        c.reqBytes = seg.seglen;
        c.respBytes = 0;
        c.retrans = 0;
      } else {
        c.reqEnd = t;
        c.reqBytes += seg.seglen;
      }
      return;
    }
    if (!c.open) return; // (over TLS 1.3: session tickets sent after the handshake, before any request)
    if (!c.answered) {
      c.answered = true;
      c.respFirst = t;
      if (plain) c.status = statusCode(b, at, end);
    }
    c.respEnd = t;
    c.respBytes += seg.seglen;
  }

  private close(): void {
    const c = this.cur;
    const was = c.open && c.answered;
    c.open = false;
    if (!was) return;
    this.done.push({
      flow: this.flow,
      request: c.request,
      status: c.status,
      tStart: c.tStart,
      serverNs: c.respFirst - c.reqEnd,
      transferNs: c.respEnd - c.respFirst,
      totalNs: c.respEnd - c.tStart,
      httpTimeNs: c.respEnd - c.reqEnd,
      requestBytes: c.reqBytes,
      responseBytes: c.respBytes,
      retransmissions: c.retrans,
      tls: this.kind === "tls",
    });
  }

  /** The flow ended (FIN/RST or end of capture): the open exchange is complete. */
  end(): void {
    this.close();
  }

  /** Exchanges completed since the last call. */
  take(): HttpExchange[] {
    if (this.done.length === 0) return this.done;
    const d = this.done;
    this.done = [];
    return d;
  }
}
