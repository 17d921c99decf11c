// The entry points of the execution-trace reader: a file, a buffer or a stream of chunks.

import type { TraceTables, TraceVisitor } from "./model/event.js";
import type { TraceLimits } from "./limits.js";

export interface TraceReadOptions {
  limits?: Partial<TraceLimits>;
}

export interface TraceReadResult {
  /** the minor Go version of the format: 22, 23, 25 or 26 ("go 1.26 trace") */
  version: number;
  /** events handed to the visitor */
  events: number;
  /** complete generations read */
  generations: number;
  /** bytes of trace data read (after gunzip) */
  bytes: number;
  /** e.g. the trace was cut short: events stop at the last complete generation */
  warnings: string[];
  tables: TraceTables;
}

export declare function readTraceFile(path: string, visit: TraceVisitor, opts?: TraceReadOptions): TraceReadResult;
export declare function readTraceBytes(data: Uint8Array, name: string, visit: TraceVisitor, opts?: TraceReadOptions): TraceReadResult;
export declare function readTraceStream(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  visit: TraceVisitor,
  opts?: TraceReadOptions,
): Promise<TraceReadResult>;
