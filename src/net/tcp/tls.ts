// A TLS connection timed from its record layer, without keys (RFC 8446 5.1, RFC 5246 6.2):
// each direction's in-order bytes are cut into records by their 5-byte headers (content
// type, version, length), which say where the handshake ends and which segments carry
// application data.
//
// The handshake time is the ClientHello -> the server's last handshake flight:
//  - TLS 1.2 (full or resumed): the record after the server's ChangeCipherSpec, its Finished;
//  - TLS 1.3: the server's flight after the ServerHello (its encrypted records, Finished
//    last; Go adds its session tickets to it) up to its last segment before the client's
//    next record (the client's Finished answers it: the flight is complete by then);
//  - when neither is seen (records lost to snaplen), the client's first application data.
// Application data are the type-23 records after that, less TLS 1.3's client Finished
// (the client's first encrypted record).
//
// Records are followed by sequence number. A header the capture did not keep (cut at
// snaplen, lost, or split over two segments) loses the thread; it is picked up again at a
// segment that starts with a plausible header (Go and most stacks write records whole, so
// segments often do). Meanwhile bytes count as the record type they continue. A ServerHello
// cut at snaplen hides the version: the client's next flight tells it (TLS 1.2 answers with
// handshake records, 1.3 with encrypted ones).

import type { TcpSegment } from "../pcap/decode.js";
import { clientHelloAlpn, serverHello } from "./tls-hello.js";

const CCS = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APP_DATA = 23;
/** RFC 8446 5.2: a record's length is at most 2^14 + 256 (+ 2048 in TLS 1.2's ciphertext); larger is not a header */
const MAX_RECORD = (1 << 14) + 2048;

/** The TLS facts of a flow, for the report. */
export interface TlsFacts {
  /** "1.3", "1.2", ... from the ServerHello; "" when not seen */
  version: string;
  /** the ALPN protocol the server chose, when visible (TLS 1.2; TLS 1.3 encrypts it); "" otherwise */
  alpn: string;
  /** the ClientHello's ALPN offer; null when the capture cut the hello before it */
  alpnOffered: string[] | null;
  /** ClientHello and the handshake's end (ns since the capture's start); -1 when not seen */
  helloT: number;
  doneT: number;
}

/** segment() bit: the segment carried bytes of application data */
export const TLS_APP = 1;

const plausible = (b: Uint8Array, at: number): boolean => b[at]! >= CCS && b[at]! <= 24 && b[at + 1] === 3 && b[at + 2]! <= 4 && ((b[at + 3]! << 8) | b[at + 4]!) <= MAX_RECORD;

export class TlsTracker implements TlsFacts {
  version = "";
  alpn = "";
  alpnOffered: string[] | null = null;
  helloT = -1;
  doneT = -1;

  // per direction (0 client, 1 server): the sequence number of the next record header
  // (valid when synced), the type of the record the bytes are in, and whether it counts
  // as application data
  private readonly next = [0, 0];
  private readonly synced = [false, false];
  private readonly started = [false, false];
  private readonly curType = [-1, -1];
  private readonly curApp = [false, false];

  // the handshake, as the records show it
  private serverHelloSeen = false;
  private is13 = false;
  private serverCcs = false;
  /** TLS 1.2: the server's record after its ChangeCipherSpec is its Finished: its end ends the handshake */
  private finishedPending = false;
  private clientSpoke = false;
  /** the server's last data segment after its ServerHello, before the client's next flight: TLS 1.3's end */
  private lastServerSegT = -1;
  /** the client's next flight began with a ChangeCipherSpec and the version is unknown: its next record tells */
  private clientCcsFirst = false;
  /** TLS 1.3: the client's first encrypted record (its Finished) is not application data */
  private clientFinishedLeft = true;
  /** the server's ALPN choice was read (TLS 1.2's ServerHello, its extensions captured) */
  private alpnKnown = false;

  /** A segment with new in-order data; dir 0 is the client. Returns TLS_APP when it carried application data, else 0. */
  segment(dir: 0 | 1, seg: TcpSegment): number {
    const out = this.walk(dir, seg);
    // by segment, not record: a flight cut at snaplen still has its segments' times
    if (dir === 1 && this.serverHelloSeen && !this.clientSpoke) this.lastServerSegT = seg.t;
    return out;
  }

  private walk(dir: 0 | 1, seg: TcpSegment): number {
    const b = seg.buf;
    const start = seg.seq;
    const len = seg.seglen;
    const capEnd = seg.payloadEnd;
    const base = seg.payloadOff;
    const t = seg.t;
    // a header at the segment's start (re)starts the thread: the first segment, or after it was lost
    if (!this.synced[dir] || (((this.next[dir]! - start) | 0) < 0)) {
      if (capEnd - base >= 5 && plausible(b, base)) {
        this.synced[dir] = true;
        this.next[dir] = start;
        this.started[dir] = true;
      } else {
        this.synced[dir] = false;
        return this.curApp[dir] ? TLS_APP : 0;
      }
    }
    let out = 0;
    let off = (this.next[dir]! - start) | 0;
    // bytes before the first header here continue (and may end) the current record
    if (off > 0 && this.curApp[dir]) out |= TLS_APP;
    if (off <= len && off > 0) this.recordEnd(dir, t);
    while (off < len) {
      if (base + off + 5 > capEnd || !plausible(b, base + off)) {
        // the header was not captured (snaplen, or split across segments): lost until a segment starts with one
        this.synced[dir] = false;
        // what follows is most likely more of the same
        return out | (this.curApp[dir] ? TLS_APP : 0);
      }
      const type = b[base + off]!;
      const rlen = (b[base + off + 3]! << 8) | b[base + off + 4]!;
      this.recordStart(dir, type, b, base + off, capEnd, t);
      if (this.curApp[dir]) out |= TLS_APP;
      off += 5 + rlen;
      this.next[dir] = (start + off) >>> 0;
      if (off <= len) this.recordEnd(dir, t);
    }
    return out;
  }

  /** Exchanges are split from the records when the connection carries HTTP/1.x as far as ALPN tells. */
  get splittable(): boolean {
    if (this.alpnKnown) return this.alpn !== "h2";
    // TLS 1.3 hides the server's choice: a client offering h2 most likely got it. A
    // ClientHello cut before its ALPN list (snaplen) says nothing: Go's clients offer h2 by
    // default and Go's servers choose it, and h2's frames split as HTTP/1.x would be wrong
    // exchanges, so none are made (the handshake is still timed)
    return this.alpnOffered !== null && !this.alpnOffered.includes("h2");
  }

  private recordStart(dir: 0 | 1, type: number, b: Uint8Array, at: number, end: number, t: number): void {
    this.curType[dir] = type;
    let app = false;
    if (dir === 0) {
      if (type === HANDSHAKE && this.helloT < 0 && at + 5 < end && b[at + 5] === 1) {
        this.helloT = t;
        this.alpnOffered = clientHelloAlpn(b, at, end);
      } else if (this.serverHelloSeen && !this.clientSpoke) {
        // the client's next flight: in TLS 1.3 it answers the server's whole flight
        this.clientSpoke = true;
        // a ServerHello cut at snaplen hides the version: TLS 1.2's client answers with a
        // handshake record (ClientKeyExchange) or ChangeCipherSpec + Finished (22), TLS 1.3's
        // with an encrypted record, after a compatibility ChangeCipherSpec or not
        if (this.version === "" && !this.is13) {
          if (type === APP_DATA) this.is13 = true;
          else if (type === CCS) this.clientCcsFirst = true;
          if (this.is13) this.version = "1.3";
        }
        if (this.is13 && this.doneT < 0) this.doneT = this.lastServerSegT;
      } else if (this.clientCcsFirst) {
        this.clientCcsFirst = false;
        if (type === APP_DATA && !this.is13) {
          this.is13 = true;
          this.version = "1.3";
          if (this.doneT < 0) this.doneT = this.lastServerSegT;
        }
      }
      if (type === APP_DATA) {
        if (this.is13 && this.clientFinishedLeft) this.clientFinishedLeft = false;
        else {
          app = true;
          // the handshake's end was not seen: application data means it is over
          if (this.doneT < 0 && this.helloT >= 0) this.doneT = t;
        }
      }
    } else {
      if (type === HANDSHAKE && !this.serverHelloSeen && at + 5 < end && b[at + 5] === 2) {
        const sh = serverHello(b, at, end);
        if (!sh.helloRetry) {
          this.serverHelloSeen = true;
          if (sh.version !== null) this.version = sh.version;
          if (sh.version === "1.3") this.is13 = true;
          if (sh.alpn !== null && sh.version !== "1.3") {
            this.alpn = sh.alpn;
            this.alpnKnown = true;
          }
        }
      } else if (this.serverHelloSeen && this.doneT < 0) {
        if (type === CCS) this.serverCcs = true;
        else if (type === APP_DATA && !this.clientSpoke) {
          // encrypted records before the client's second flight: TLS 1.3's handshake
          this.is13 = true;
          if (this.version === "") this.version = "1.3";
        } else if (type === HANDSHAKE && this.serverCcs && !this.is13) this.finishedPending = true;
      }
      app = type === APP_DATA && this.doneT >= 0 && this.clientSpoke;
    }
    if (type === ALERT) app = false;
    this.curApp[dir] = app;
  }

  private recordEnd(dir: 0 | 1, t: number): void {
    if (dir !== 1 || !this.serverHelloSeen || this.doneT >= 0 || !this.finishedPending) return;
    this.doneT = t;
    if (this.version === "") this.version = "1.2";
  }
}
