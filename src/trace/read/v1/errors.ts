// Errors found after the events were decoded (ordering, consistency) name an event of the
// store, not a byte: readV1Trace finds the event's offset in the file by decoding again
// (on the error path only, so the store need not keep an offset per event).

import { TraceFormatError } from "../errors.js";
import { UNTIMED, type RawReader } from "./raw.js";

export class V1EventError extends Error {
  constructor(
    readonly detail: string,
    /** index in the event store; -1 when no single event is to blame */
    readonly index: number,
  ) {
    super(detail);
    this.name = "V1EventError";
  }
}

/** The file offset of the store's event i (timed events are stored in file order). */
export function withOffset(e: V1EventError, r: RawReader): TraceFormatError {
  let at = r.base + r.buf.length;
  if (e.index >= 0) {
    r.seek(0);
    let n = 0;
    while (r.next(false)) {
      if (UNTIMED[r.typ] === 1) continue;
      if (n++ === e.index) {
        at = r.base + r.offset;
        break;
      }
    }
  } else at = r.base;
  return new TraceFormatError(e.detail, at);
}
