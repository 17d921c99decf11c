// Reading a whole Go 1.11–1.21 trace: scan, merge, fix times, validate, convert. Unlike
// the Go 1.22+ format there are no generations, so nothing can be handed out before the
// whole trace is read and ordered; memory is the file plus ~45 bytes per event (the
// entry points cap the size with TraceLimits.maxV1TraceBytes).

import type { TraceVisitor } from "../../model/event.js";
import { TraceFormatError } from "../errors.js";
import { V1Converter } from "./convert.js";
import { decodeAll } from "./decode.js";
import { V1EventError, withOffset } from "./errors.js";
import { fixTimes } from "./fixup.js";
import { mergeBatches } from "./merge.js";
import { RawReader } from "./raw.js";
import { scanV1 } from "./scan.js";
import { V1Tables } from "./tables.js";
import { validateV1 } from "./validate.js";

/** The header versions of the old format. */
export const V1_VERSIONS: ReadonlySet<number> = new Set([11, 19, 21]);

export interface V1ReadResult {
  events: number;
  tables: V1Tables;
  warnings: string[];
  /** GOMAXPROCS when tracing started (the event stream leaves it out, as x/exp/trace does); 0 if absent */
  startGomaxprocs: number;
}

/**
 * Read the trace data after the 16-byte header (data[0] is at file offset base) and hand
 * its events to visit. Throws TraceFormatError on a broken or cut-short trace.
 */
export function readV1Trace(data: Uint8Array, base: number, version: number, visit: TraceVisitor): V1ReadResult {
  const r = new RawReader(data, base, version);
  const scan = scanV1(r);
  // The runtime writes the clock frequency and the stack table last: without them the
  // trace was cut short (or is not a trace), and no event has a time.
  if (scan.ticksPerSec === 0) {
    throw new TraceFormatError(
      "no clock frequency event: the trace is cut short or broken (the Go 1.11–1.21 format writes it at the end; nothing can be read without it)",
      base + data.length,
    );
  }
  const d = decodeAll(r, scan);
  try {
    const order = fixTimes(d.ev, mergeBatches(d), scan.ticksPerSec, scan.timerGoids);
    const missing = validateV1(d.ev, order, scan.stacks);
    // The stack table comes last: a trace cut inside it still has all its events.
    const warnings =
      missing === 0
        ? []
        : [`${missing} events refer to stacks the trace does not have (cut short inside the stack table at its end?); they have no stack`];
    const tables = new V1Tables(scan);
    const conv = new V1Converter(d.ev, order, scan, d.inline, tables, version, visit);
    conv.run();
    return { events: conv.events, tables, warnings, startGomaxprocs: conv.startGomaxprocs };
  } catch (e) {
    if (e instanceof V1EventError) throw withOffset(e, r);
    throw e;
  }
}
