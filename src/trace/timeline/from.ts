// A timeline straight from trace bytes, for host pages whose trace is already in memory
// (a capture bundle's trace.out read from a .tar.gz): one reader pass, nothing else.

import { readTraceBytes, type TraceReadOptions } from "../read.js";
import { TimelineBuilder } from "./build.js";
import type { TimelineData } from "./model.js";

/** Bad input raises InputError naming `name` (and the byte offset), as the reader does. */
export function timelineFromBytes(data: Uint8Array, name: string, opts?: TraceReadOptions): TimelineData {
  const tl = new TimelineBuilder();
  readTraceBytes(data, name, (ev, tables) => tl.event(ev, tables), opts);
  return tl.finish();
}
