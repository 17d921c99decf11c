// Decoding one v1 wire event at a time (Go's readRawEvent in
// $(go env GOROOT)/src/internal/trace/internal/tracev1/parser.go), into a reused record.
// Hand-written over the shared ByteCursor: the reader decodes every event twice (a scan
// for batches, tables and CPU samples, then each batch when the merge needs it).

import { ByteCursor } from "../bytes.js";
import { TraceFormatError } from "../errors.js";
import { MAX_ARGS_BYTES, MAX_STRING_BYTES, V1, V1_DESCS } from "./wire.js";

/** The first version with each type; 255 for types that do not exist. */
const MIN_VERSION: Uint8Array = (() => {
  const m = new Uint8Array(64).fill(255);
  V1_DESCS.forEach((d, typ) => {
    if (d !== undefined && typ < V1.Count) m[typ] = d.minVersion;
  });
  return m;
})();

/** Events that are not timed: the scan reads them, the batch loads skip them. */
export const UNTIMED: Uint8Array = (() => {
  const u = new Uint8Array(256);
  for (const t of [V1.Batch, V1.String, V1.Frequency, V1.Stack, V1.TimerGoroutine, V1.CPUSample]) u[t] = 1;
  return u;
})();

const decoder = new TextDecoder();

export class RawReader {
  readonly c: ByteCursor;
  /** the event's type and its file offset */
  typ = 0;
  offset = 0;
  /** decoded values (timestamp delta first for timed events) */
  readonly args = new Float64Array(MAX_ARGS_BYTES + 4);
  nargs = 0;
  /** String: the id; UserLog: the message; both: where its bytes are */
  strId = 0;
  strStart = 0;
  strLen = 0;

  constructor(
    readonly buf: Uint8Array,
    /** file offset of buf[0] */
    readonly base: number,
    readonly version: number,
  ) {
    this.c = new ByteCursor(buf, 0, buf.length);
  }

  get pos(): number {
    return this.c.pos;
  }

  seek(pos: number): void {
    this.c.reset(this.buf, pos, this.buf.length);
  }

  fail(detail: string): never {
    throw new TraceFormatError(detail, this.base + this.offset);
  }

  string(): string {
    return decoder.decode(this.buf.subarray(this.strStart, this.strStart + this.strLen));
  }

  /** A varint of the event; what names it in the error (a constant: no string built per call). */
  private val(what: string): number {
    const v = this.c.uvarint();
    if (this.c.bad) this.fail(`${what.replace("%d", String(this.typ))}: malformed base-128 varint or the trace ends inside the event`);
    return v;
  }

  /** Skip n bytes of the event; fails when the trace ends first. */
  private skip(n: number): number {
    const start = this.c.pos;
    if (n < 0 || n > this.buf.length - start) this.fail("the trace ends inside the event");
    this.c.pos = start + n;
    return start;
  }

  /** Step over one varint (its value is checked when the event is decoded). */
  private skipVal(): void {
    const buf = this.buf;
    let p = this.c.pos;
    const limit = Math.min(buf.length, p + 10);
    while (p < limit && buf[p] >= 0x80) p++;
    if (p >= limit) this.fail(`event ${this.typ}: malformed base-128 varint or the trace ends inside the event`);
    this.c.pos = p + 1;
  }

  /**
   * Read the next event; false at the end of the data. Arguments are decoded only when
   * the event is timed and timed is set, or untimed and timed is not: the other pass
   * only needs to step over them.
   */
  next(timed = true): boolean {
    const c = this.c;
    if (c.pos >= this.buf.length) return false;
    this.offset = c.pos;
    const b = this.buf[c.pos++];
    const typ = b & 0x3f;
    const narg = (b >> 6) + 1;
    if (MIN_VERSION[typ] > this.version) this.fail(`unknown event type ${typ}`);
    this.typ = typ;
    const args = this.args;
    const decode = UNTIMED[typ] === 1 ? !timed : timed;
    if (typ === V1.String) {
      const id = this.val("string id");
      const len = this.val("string length");
      if (id === 0) this.fail("string has invalid id 0");
      if (len === 0) this.fail("string has invalid length 0");
      if (len > MAX_STRING_BYTES) this.fail(`string has too large length ${len}`);
      this.strId = id;
      this.strLen = len;
      this.strStart = this.skip(len);
      this.nargs = 0;
      return true;
    }
    if (typ === V1.Batch) {
      if (narg !== 2) this.fail(`EvBatch has wrong number of arguments: got ${narg}, want 2`);
      args[0] = this.val("batch P");
      args[1] = this.val("batch time");
      this.nargs = 2;
      return true;
    }
    if (narg <= 3) {
      if (!decode) {
        for (let i = 0; i < narg; i++) this.skipVal();
      } else {
        const buf = this.buf;
        for (let i = 0; i < narg; i++) {
          // Most values are one byte.
          const b = buf[c.pos];
          if (b < 0x80 && c.pos < buf.length) {
            c.pos++;
            args[i] = b;
          } else args[i] = this.val("event %d argument");
        }
      }
      this.nargs = narg;
      return true;
    }
    // Length-prefixed arguments.
    const len = this.val("event %d argument length");
    if (len > MAX_ARGS_BYTES) this.fail(`event ${typ}: length-prefixed argument too big: ${len} bytes, limit is ${MAX_ARGS_BYTES}`);
    const start = this.skip(len);
    if (!decode) {
      if (typ === V1.UserLog) {
        const slen = this.val("log message length");
        if (slen > MAX_STRING_BYTES) this.fail(`string is too large (len=${slen})`);
        this.skip(slen);
      }
      this.nargs = 0;
      return true;
    }
    const end = start + len;
    c.reset(this.buf, start, end);
    let n = 0;
    while (c.pos < end) {
      args[n++] = c.uvarint();
      if (c.bad) this.fail(`event ${typ}: malformed base-128 varint`);
    }
    c.reset(this.buf, end, this.buf.length);
    this.nargs = n;
    if (typ === V1.UserLog) {
      // The message follows the arguments as a length-prefixed string.
      const slen = this.val("log message length");
      if (slen > MAX_STRING_BYTES) this.fail(`string is too large (len=${slen})`);
      this.strLen = slen;
      this.strStart = this.skip(slen);
    }
    return true;
  }
}
