// Request/response exchanges on one TCP flow, from the order of new data in each
// direction: a client burst after a response (or at the start) opens a request; the
// server's first new byte after it is the first response byte; the response lasts until
// the client speaks again or the flow ends. That is HTTP/1.x without pipelining (what Go's
// and Node's clients do); the request and status lines are read when captured.
// A TLS flow is timed from its ClientHello to the client's Finished flight (the client's
// first data after the server's first flight: ClientKeyExchange/Finished in TLS 1.2,
// Finished in 1.3); its exchanges are not split (encrypted, and TLS 1.3 session tickets
// would pass for responses).

import type { HttpExchange } from "../model.js";
import type { TcpSegment } from "../pcap/decode.js";

type Kind = "unknown" | "http" | "tls" | "other";

const METHODS = ["GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "];

function startsWith(p: Uint8Array, s: string): boolean {
  if (p.length < s.length) return false;
  for (let i = 0; i < s.length; i++) if (p[i] !== s.charCodeAt(i)) return false;
  return true;
}

const LATIN1 = new TextDecoder("latin1");

/** "GET /path" from a request's first bytes: up to the second space (the target at most 200 bytes). */
function requestLine(p: Uint8Array): string {
  const max = Math.min(p.length, 256);
  let spaces = 0;
  let end = 0;
  while (end < max) {
    const c = p[end]!;
    if (c === 13 || c === 10 || (c === 32 && ++spaces === 2)) break;
    end++;
  }
  return LATIN1.decode(p.subarray(0, Math.min(end, 220)));
}

function statusCode(p: Uint8Array): number {
  if (!startsWith(p, "HTTP/1.") || p.length < 12) return 0;
  const code = (p[9]! - 48) * 100 + (p[10]! - 48) * 10 + (p[11]! - 48);
  return code >= 100 && code <= 999 ? code : 0;
}

interface Open {
  request: string;
  status: number;
  tStart: number;
  reqEnd: number;
  respFirst: number;
  respEnd: number;
  reqBytes: number;
  respBytes: number;
  retrans: number;
}

export class ExchangeTracker {
  private kind: Kind = "unknown";
  private cur: Open | null = null;
  private done: HttpExchange[] = [];
  private helloT = -1;
  private serverFlightT = -1;
  tlsHandshakeNs = -1;

  constructor(private readonly flow: number) {}

  /** A segment of the flow; fresh: it carries new in-order data (not a retransmission). */
  segment(up: boolean, seg: TcpSegment, t: number, fresh: boolean, retransmitted: boolean): void {
    if (retransmitted && this.cur) this.cur.retrans++;
    if (seg.seglen === 0 || !fresh) return;
    // a view only where the bytes are read: a flow's first payload, a request's, a response's
    const view = (): Uint8Array => seg.buf.subarray(seg.payloadOff, seg.payloadEnd);
    if (this.kind === "unknown") {
      if (!up) return; // a server speaking first: not a request/response protocol we time
      const p = view();
      if (METHODS.some((m) => startsWith(p, m))) this.kind = "http";
      else if (p.length >= 6 && p[0] === 0x16 && p[1] === 3 && p[5] === 1) {
        this.kind = "tls";
        this.helloT = t;
        return;
      } else if (p.length > 0) this.kind = "other";
      else return; // payload cut by snaplen to nothing: decide on the next one
    }
    if (this.kind === "tls") {
      if (!up && this.serverFlightT < 0) this.serverFlightT = t;
      else if (up && this.serverFlightT >= 0 && this.tlsHandshakeNs < 0) this.tlsHandshakeNs = t - this.helloT;
      return;
    }
    if (this.kind !== "http") return;
    if (up) {
      if (this.cur === null || this.cur.respFirst >= 0) {
        this.close();
        this.cur = { request: requestLine(view()), status: 0, tStart: t, reqEnd: t, respFirst: -1, respEnd: -1, reqBytes: seg.seglen, respBytes: 0, retrans: 0 };
      } else {
        this.cur.reqEnd = t;
        this.cur.reqBytes += seg.seglen;
      }
      return;
    }
    const c = this.cur;
    if (c === null) return;
    if (c.respFirst < 0) {
      c.respFirst = t;
      c.status = statusCode(view());
    }
    c.respEnd = t;
    c.respBytes += seg.seglen;
  }

  private close(): void {
    const c = this.cur;
    this.cur = null;
    if (c === null || c.respFirst < 0) return;
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
