// The entry points of the execution-trace reader: a file, a buffer or a stream of chunks.
// All three feed one TraceDriver, which keeps only the current generation's bytes: a plain
// file is read in chunks, so memory follows the largest generation, not the file. A gzip
// file is inflated whole first (core/input's capped gunzip), so it costs its size.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InputError, isGzip, maybeGunzip, readFileCapped } from "../core/input/index.js";
import type { TraceTables, TraceVisitor } from "./model/event.js";
import { DEFAULT_TRACE_LIMITS, type TraceLimits } from "./limits.js";
import { TraceFormatError } from "./read/errors.js";
import { buildGeneration, scanGeneration } from "./read/generation.js";
import { EventEmitter } from "./read/reader.js";
import { StackTables } from "./read/tables.js";
import { V1_VERSIONS, readV1Trace } from "./read/v1/read.js";

export interface TraceReadOptions {
  limits?: Partial<TraceLimits>;
}

export interface TraceReadResult {
  /** the minor Go version of the format: 11, 19, 21 (the old format), 22, 23, 25 or 26 ("go 1.26 trace") */
  version: number;
  /** events handed to the visitor */
  events: number;
  /** complete generations read (an old-format trace counts as one) */
  generations: number;
  /** bytes of trace data read (after gunzip) */
  bytes: number;
  /** e.g. the trace was cut short: events stop at the last complete generation */
  warnings: string[];
  tables: TraceTables;
  /**
   * The old format only: GOMAXPROCS when tracing started. Its first EvGomaxprocs ends the
   * start-up and is not an event of the stream (x/exp/trace drops it too), so no
   * /sched/gomaxprocs metric says it; 0 for the Go 1.22+ format, whose stream has the metric.
   */
  startGomaxprocs: number;
}

const HEADER_LEN = 16; // "go 1.NN trace\0\0\0"
const SUPPORTED = new Set([22, 23, 25, 26]);
const CHUNK = 4 << 20;
const STREAM_STEP = 1 << 16;

/** Feeds trace bytes through the generation loop; the caller owns the buffer. */
class TraceDriver {
  version = 0;
  generations = 0;
  bytes = 0;
  done = false;
  readonly warnings: string[] = [];
  tables: TraceTables;
  private readonly emitter: EventEmitter;
  /** events of an old-format trace (read whole, not through the emitter) */
  private v1Events = 0;
  private startGomaxprocs = 0;

  constructor(
    readonly name: string,
    private readonly visit: TraceVisitor,
    private readonly limits: TraceLimits,
  ) {
    const tables = new StackTables();
    this.tables = tables;
    this.emitter = new EventEmitter(visit, tables);
  }

  /**
   * Consume what it can of buf[pos, end) (buf[0] is at file offset base); returns the
   * offset up to which bytes are no longer needed. eof: no more bytes will come.
   */
  feed(buf: Uint8Array, pos: number, end: number, base: number, eof: boolean): number {
    try {
      return this.feedInner(buf, pos, end, base, eof);
    } catch (e) {
      if (e instanceof TraceFormatError) throw new InputError(this.name, e.detail, e.offset);
      throw e;
    }
  }

  private feedInner(buf: Uint8Array, pos: number, end: number, base: number, eof: boolean): number {
    if (this.version === 0) {
      if (end - pos < HEADER_LEN && !eof) return pos;
      this.version = parseHeader(buf, pos, end, base);
      pos += HEADER_LEN;
      this.bytes = HEADER_LEN;
    }
    if (V1_VERSIONS.has(this.version)) return this.feedV1(buf, pos, end, base, eof);
    const endMarker = this.version >= 26;
    for (;;) {
      const r = scanGeneration(buf, pos, end, base, endMarker);
      if (r.kind === "complete" || (r.kind === "more" && eof && r.clean && !endMarker)) {
        const next = r.kind === "complete" ? r.next : end;
        this.checkSize(next - pos, base + pos);
        this.generation(buf, base, r.batches);
        this.bytes += next - pos;
        pos = next;
        continue;
      }
      if (r.kind === "end") {
        // Before 1.26 a trace with no generation at all lacks its frequency (Go says so).
        if (eof && !endMarker && this.generations === 0) throw new TraceFormatError("no frequency event found", base + pos);
        if (eof) this.finish();
        return pos;
      }
      if (eof) {
        this.warnings.push(
          `${this.name}: trace cut short: the generation at byte ${base + pos} is incomplete (${end - pos} bytes); ` +
            `events stop at the last complete generation (${this.generations} read)`,
        );
        this.finish();
        return end;
      }
      this.checkSize(end - pos, base + pos);
      return pos;
    }
  }

  /** The old format has no generations: keep every byte until the end, then read it whole. */
  private feedV1(buf: Uint8Array, pos: number, end: number, base: number, eof: boolean): number {
    const max = this.limits.maxV1TraceBytes;
    if (end - pos + HEADER_LEN > max) {
      throw new InputError(
        this.name,
        `Go 1.${this.version} trace over the ${max}-byte limit for the pre-1.22 format, which must be held whole (raise maxV1TraceBytes)`,
        base + pos,
      );
    }
    if (!eof) return pos;
    const r = readV1Trace(buf.subarray(pos, end), base + pos, this.version, this.visit);
    this.tables = r.tables;
    this.v1Events = r.events;
    this.startGomaxprocs = r.startGomaxprocs;
    for (const w of r.warnings) this.warnings.push(`${this.name}: ${w}`);
    this.generations = 1;
    this.bytes += end - pos;
    this.done = true;
    return end;
  }

  private checkSize(size: number, at: number): void {
    if (size > this.limits.maxGenerationBytes) {
      throw new InputError(this.name, `generation over the ${this.limits.maxGenerationBytes}-byte limit (raise maxGenerationBytes)`, at);
    }
  }

  private generation(buf: Uint8Array, base: number, batches: Parameters<typeof buildGeneration>[2]): void {
    const g = buildGeneration(buf, base, batches, this.version);
    this.emitter.generation(g);
    this.generations++;
  }

  private finish(): void {
    this.emitter.finish();
    this.done = true;
  }

  result(): TraceReadResult {
    return {
      version: this.version,
      events: this.emitter.events + this.v1Events,
      generations: this.generations,
      bytes: this.bytes,
      warnings: this.warnings,
      tables: this.tables,
      startGomaxprocs: this.startGomaxprocs,
    };
  }
}

function parseHeader(buf: Uint8Array, pos: number, end: number, base: number): number {
  const text = String.fromCharCode(...buf.subarray(pos, Math.min(end, pos + HEADER_LEN)));
  const m = /^go 1\.(\d+) trace\0\0\0/.exec(text);
  if (m === null) throw new TraceFormatError("bad file format: not a Go execution trace?", base + pos);
  const v = Number(m[1]);
  if (!V1_VERSIONS.has(v) && !SUPPORTED.has(v)) throw new TraceFormatError(`unknown or unsupported trace version go 1.${v}`, base + pos);
  return v;
}

function limitsOf(opts?: TraceReadOptions): TraceLimits {
  return { ...DEFAULT_TRACE_LIMITS, ...opts?.limits };
}

/** Read a trace held in memory (gzip or not). */
export function readTraceBytes(data: Uint8Array, name: string, visit: TraceVisitor, opts?: TraceReadOptions): TraceReadResult {
  const limits = limitsOf(opts);
  const raw = maybeGunzip(data, name, limits);
  const d = new TraceDriver(name, visit, limits);
  d.feed(raw, 0, raw.length, 0, true);
  return d.result();
}

/** Read a trace file, a chunk at a time: memory follows the largest generation. */
export function readTraceFile(path: string, visit: TraceVisitor, opts?: TraceReadOptions): TraceReadResult {
  const limits = limitsOf(opts);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    // readFileCapped words the error (no such file, a directory...) the house way.
    readFileCapped(path, limits);
    throw new InputError(path, "cannot open");
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(path, "is a directory");
    if (st.size > limits.maxInputBytes) {
      throw new InputError(path, `file is ${st.size} bytes, over the ${limits.maxInputBytes}-byte input limit (raise with --max_input)`);
    }
    const head = new Uint8Array(2);
    const n = readSync(fd, head, 0, 2, 0);
    if (isGzip(head.subarray(0, n))) return readTraceBytes(readFileCapped(path, limits), path, visit, opts);
    const d = new TraceDriver(path, visit, limits);
    let buf = new Uint8Array(Math.min(CHUNK, Math.max(st.size, HEADER_LEN)));
    let start = 0; // first byte still needed
    let end = 0; // bytes in buf
    let base = 0; // file offset of buf[0]
    let eof = false;
    while (!d.done) {
      if (!eof) {
        if (end === buf.length) {
          if (start > 0) {
            buf.copyWithin(0, start, end);
            end -= start;
            base += start;
            start = 0;
          } else {
            const bigger = new Uint8Array(buf.length * 2);
            bigger.set(buf.subarray(0, end));
            buf = bigger;
          }
        }
        const got = readSync(fd, buf, end, buf.length - end, base + end);
        if (got === 0) eof = true;
        end += got;
      }
      start = d.feed(buf, start, end, base, eof);
      if (eof && !d.done) throw new Error("internal error: trace driver stopped before the end");
    }
    return d.result();
  } finally {
    closeSync(fd);
  }
}

/** Read a trace from a stream of chunks (a gzip stream is collected, capped, then inflated). */
export async function readTraceStream(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  visit: TraceVisitor,
  opts?: TraceReadOptions,
): Promise<TraceReadResult> {
  const limits = limitsOf(opts);
  const d = new TraceDriver(name, visit, limits);
  let buf = new Uint8Array(1 << 16);
  let start = 0;
  let end = 0;
  let base = 0;
  let tried = 0; // end when the driver last looked
  let gz: Uint8Array[] | null = null;
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limits.maxInputBytes) throw new InputError(name, `input over the ${limits.maxInputBytes}-byte limit (raise with --max_input)`);
    if (gz === null && total === chunk.length && isGzip(chunk)) gz = [];
    if (gz !== null) {
      gz.push(chunk);
      continue;
    }
    if (start > 0 && end + chunk.length > buf.length) {
      buf.copyWithin(0, start, end);
      end -= start;
      tried -= start;
      base += start;
      start = 0;
    }
    if (end + chunk.length > buf.length) {
      let size = buf.length * 2;
      while (size < end + chunk.length) size *= 2;
      const bigger = new Uint8Array(size);
      bigger.set(buf.subarray(0, end));
      buf = bigger;
    }
    buf.set(chunk, end);
    end += chunk.length;
    // Scan again only once a useful amount arrived: tiny chunks would rescan the generation each time.
    if (end - tried >= STREAM_STEP) {
      start = d.feed(buf, start, end, base, false);
      tried = end;
    }
  }
  if (gz !== null) return readTraceBytes(Buffer.concat(gz), name, visit, opts);
  d.feed(buf, start, end, base, true);
  return d.result();
}
