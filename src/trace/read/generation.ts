// One generation of a trace: its batches split by thread, its string and stack tables,
// CPU samples, frequency and clock snapshot. Learnt from $(go env GOROOT)/src/internal/
// trace/generation.go and batch.go.

import { ByteCursor } from "./bytes.js";
import { TraceFormatError } from "./errors.js";
import { Ev, MAX_BATCH_SIZE, MAX_FRAMES_PER_STACK, MAX_STRING_SIZE } from "../wire/spec.js";

/**
 * Caps on what one generation may hold, so a hostile file of tiny records (a 5-byte batch,
 * a 3-byte string) cannot turn its bytes into twenty times as much memory in objects. Real
 * generations hold hundreds to thousands of batches and tens of thousands of strings,
 * stacks and frames.
 */
export const MAX_BATCHES_PER_GENERATION = 1 << 20;
export const MAX_TABLE_ENTRIES = 1 << 21;

/** One batch of events written by one thread (M); data is buf[start, end). */
export interface Batch {
  m: number;
  time: number;
  exp: number;
  gen: number;
  /** offset of the batch header in buf */
  headerAt: number;
  start: number;
  end: number;
}

export interface Frame {
  pc: number;
  funcID: number;
  fileID: number;
  line: number;
}

export interface CpuSample {
  time: number;
  m: number;
  p: number;
  g: number;
  stack: number;
}

const EMPTY = new Uint8Array(0);

export class Generation {
  gen = 0;
  /** per thread, its batches in file order; ms in order of first appearance (Go's batchMs) */
  readonly batches = new Map<number, Batch[]>();
  readonly ms: number[] = [];
  cpuSamples: CpuSample[] = [];
  minTs = -0; // doubles from the start (see EventRecord)
  /** nanoseconds per tick (Go's frequency); 0 until the Frequency event */
  freq = -0;
  hasClockSnapshot = false;
  snapTime = 0;
  snapMono = 0;
  snapSec = 0;
  snapNsec = 0;
  readonly strings = new Map<number, string>();
  /** stack id -> its PCs */
  readonly stacks = new Map<number, number[]>();
  readonly pcs = new Map<number, Frame>();
  /** the largest stack id (to size dense lookups) */
  maxStackId = 0;
  /** strings, stacks, frames and CPU samples held, against MAX_TABLE_ENTRIES */
  entries = 0;

  /** Count one more table entry; throws past the cap. */
  count(n: number, at: number): void {
    this.entries += n;
    if (this.entries > MAX_TABLE_ENTRIES) {
      throw new TraceFormatError(`more than ${MAX_TABLE_ENTRIES} strings, stacks, frames and CPU samples in one generation`, this.base + at);
    }
  }
  readonly expBatches = new Map<number, { thread: number; data: Uint8Array }[]>();

  constructor(
    /** the bytes the batches point into; dropped once the generation is read (see release) */
    public buf: Uint8Array,
    /** file offset of buf[0], for error messages */
    readonly base: number,
  ) {}

  /**
   * Forget the input bytes once every event is out: the reader reuses its buffer, and an
   * event kept with clone() should not pin it (the decoded tables stay).
   */
  release(): void {
    this.buf = EMPTY;
    this.batches.clear();
  }

  /** Go's frequency.mul: float ticks times ns-per-tick, truncated toward zero. */
  mul(t: number): number {
    return Math.trunc(t * this.freq);
  }

  /** The strings by id when the ids are dense (they are, as the runtime writes them). */
  private dense: (string | undefined)[] | null = null;

  getString(id: number): string | undefined {
    if (id === 0) return "";
    const d = this.dense;
    if (d !== null && id > 0 && id < d.length) return d[id];
    return this.strings.get(id);
  }

  /** After the string batches: a dense array for getString, if the ids allow. */
  densify(): void {
    let max = 0;
    for (const id of this.strings.keys()) if (id > max) max = id;
    if (max >= 4 * this.strings.size + 1024) return;
    const d: (string | undefined)[] = new Array<string | undefined>(max + 1).fill(undefined);
    for (const [id, s] of this.strings) if (id > 0) d[id] = s;
    this.dense = d;
  }

  hasStack(id: number): boolean {
    return id === 0 || this.stacks.has(id);
  }
}

/** Where scanning one generation's batches got to. */
export type ScanResult =
  | { kind: "complete"; batches: Batch[]; next: number }
  /**
   * Ran out of bytes before the generation's end was certain: more may come, or the trace
   * ends here. clean: the bytes ended at a batch boundary (for Go < 1.26, which has no
   * end marker, a clean end of the file completes the last generation).
   */
  | { kind: "more"; batches: Batch[]; clean: boolean }
  /** no bytes left at a generation boundary: the end of the trace */
  | { kind: "end" };

/**
 * Find the batches of the generation starting at pos, without decoding their contents.
 * Go 1.26+ ends a generation with EndOfGeneration; before, a generation ends where a
 * batch of the next one starts (Go's "spilled" batch: it is left for the next scan).
 */
export function scanGeneration(buf: Uint8Array, pos: number, end: number, base: number, hasEndMarker: boolean): ScanResult {
  const c = new ByteCursor(buf, pos, end);
  const batches: Batch[] = [];
  let gen = 0;
  for (;;) {
    const at = c.pos;
    if (at >= end) return batches.length === 0 ? { kind: "end" } : { kind: "more", batches, clean: true };
    const typ = c.byte();
    if (typ === Ev.EndOfGeneration) {
      if (!hasEndMarker) throw new TraceFormatError("internal error: unexpectedly processing EndOfGeneration; broken trace?", base + at);
      if (batches.length === 0) throw new TraceFormatError("no frequency event found", base + at);
      return { kind: "complete", batches, next: c.pos };
    }
    if (typ !== Ev.EventBatch && typ !== Ev.ExperimentalBatch) {
      throw new TraceFormatError(`expected batch event, got event ${typ}`, base + at);
    }
    const exp = typ === Ev.ExperimentalBatch ? c.byte() : 0;
    const g = c.uvarint();
    const m = c.uvarint();
    const time = c.uvarint();
    const size = c.uvarint();
    if (c.overflow) throw new TraceFormatError("error reading batch header: varint overflows a 64-bit integer", base + at);
    if (c.bad) return { kind: "more", batches, clean: false };
    if (size < 0 || size > MAX_BATCH_SIZE) throw new TraceFormatError(`invalid batch size ${size}, maximum is ${MAX_BATCH_SIZE}`, base + at);
    // Before 1.26 the header of the next generation's first batch ends this one, even if
    // that batch is cut short (Go reads the generation, then reports the broken batch).
    if (!hasEndMarker && gen !== 0 && g === gen + 1) return { kind: "complete", batches, next: at };
    if (c.pos + size > end) return { kind: "more", batches, clean: false };
    if (g === 0) throw new TraceFormatError(`invalid generation number ${g}`, base + at);
    if (gen === 0) gen = g;
    else if (g !== gen) {
      if (!hasEndMarker && g === gen + 1) return { kind: "complete", batches, next: at };
      throw new TraceFormatError(
        hasEndMarker ? "broken trace: missing end-of-generation event, or generations are interleaved" : "generations out of order",
        base + at,
      );
    }
    if (batches.length >= MAX_BATCHES_PER_GENERATION) {
      throw new TraceFormatError(`more than ${MAX_BATCHES_PER_GENERATION} batches in one generation`, base + at);
    }
    batches.push({ m, time, exp, gen: g, headerAt: at, start: c.pos, end: c.pos + size });
    c.pos += size;
  }
}

/** Decode the batches of a complete generation: tables, samples, sync; event batches by thread. */
export function buildGeneration(buf: Uint8Array, base: number, batches: Batch[], version: number): Generation {
  const g = new Generation(buf, base);
  const c = new ByteCursor(buf, 0, 0);
  for (const b of batches) {
    if (g.gen === 0) g.gen = b.gen;
    if (g.minTs === 0 || b.time < g.minTs) g.minTs = b.time;
    const first = b.end > b.start ? buf[b.start] : -1;
    c.reset(buf, b.start, b.end);
    if (b.exp === 0 && first === Ev.Strings) addStrings(g, c, base);
    else if (b.exp === 0 && first === Ev.Stacks) addStacks(g, c, base);
    else if (b.exp === 0 && first === Ev.CPUSamples) addCpuSamples(g, c, base);
    else if (b.exp === 0 && ((first === Ev.Frequency && version < 25) || (first === Ev.Sync && version >= 25))) setSync(g, c, b, version, base);
    else if (b.exp !== 0) {
      let list = g.expBatches.get(b.exp);
      if (!list) g.expBatches.set(b.exp, (list = []));
      // A copy: the reader's buffer is reused once the generation is read.
      list.push({ thread: b.m, data: buf.slice(b.start, b.end) });
    } else if (b.exp === 0 && first === Ev.EndOfGeneration) {
      throw new TraceFormatError("internal error: unexpectedly processing EndOfGeneration; broken trace?", base + b.headerAt);
    } else {
      let list = g.batches.get(b.m);
      if (!list) {
        g.batches.set(b.m, (list = []));
        g.ms.push(b.m);
      }
      list.push(b);
    }
  }
  g.densify();
  const at = base + (batches.length > 0 ? batches[batches.length - 1].end : 0);
  if (g.freq === 0) throw new TraceFormatError("no frequency event found", at);
  if (version >= 25 && !g.hasClockSnapshot) throw new TraceFormatError("no clock snapshot event found", at);
  validateStackStrings(g, at);
  for (const s of g.cpuSamples) s.time = g.mul(s.time);
  // Go sorts with slices.SortFunc; JS's sort is stable, the same order unless two samples tie.
  g.cpuSamples.sort((a, b) => a.time - b.time);
  return g;
}

function bad(c: ByteCursor, base: number, what: string): never {
  throw new TraceFormatError(what, base + c.pos);
}

function addStrings(g: Generation, c: ByteCursor, base: number): void {
  c.pos++; // the Strings byte
  while (c.pos < c.end) {
    const at = c.pos;
    const ev = c.byte();
    if (ev !== Ev.String) bad(c, base, `expected string event, got ${ev}`);
    const id = c.uvarint();
    const len = c.uvarint();
    if (c.bad) bad(c, base, "unexpected EOF in a string");
    if (len < 0 || len > MAX_STRING_SIZE) throw new TraceFormatError(`invalid string size ${len}, maximum is ${MAX_STRING_SIZE}`, base + at);
    if (c.pos + len > c.end) throw new TraceFormatError(`failed to read full string: read ${c.end - c.pos} but wanted ${len}`, base + at);
    const s = decodeString(c.buf, c.pos, c.pos + len);
    c.pos += len;
    if (g.getString(id) !== undefined) throw new TraceFormatError(`multiple strings with the same ID: id=${id}`, base + at);
    g.count(1, at);
    g.strings.set(id, s);
  }
}

const utf8 = new TextDecoder("utf-8");

/** ASCII by hand (most strings: function and file names), the rest through TextDecoder. */
function decodeString(b: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (b[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (!ascii || end - start > 64) return utf8.decode(b.subarray(start, end));
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

function addStacks(g: Generation, c: ByteCursor, base: number): void {
  c.pos++; // the Stacks byte
  while (c.pos < c.end) {
    const at = c.pos;
    const ev = c.byte();
    if (ev !== Ev.Stack) bad(c, base, `expected stack event, got ${ev}`);
    const id = c.uvarint();
    const n = c.uvarint();
    if (c.bad) bad(c, base, "unexpected EOF in a stack");
    if (n < 0 || n > MAX_FRAMES_PER_STACK) throw new TraceFormatError(`invalid stack size ${n}, maximum is ${MAX_FRAMES_PER_STACK}`, base + at);
    g.count(n + 1, at);
    const pcs: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const pc = c.uvarint();
      const funcID = c.uvarint();
      const fileID = c.uvarint();
      const line = c.uvarint();
      if (c.bad) throw new TraceFormatError(`reading frame ${i + 1} of stack ${id}: unexpected EOF`, base + at);
      pcs[i] = pc;
      if (!g.pcs.has(pc)) g.pcs.set(pc, { pc, funcID, fileID, line });
    }
    if (g.hasStack(id)) throw new TraceFormatError(`multiple stacks with the same ID: id=${id}`, base + at);
    g.stacks.set(id, pcs);
    if (id > g.maxStackId) g.maxStackId = id;
  }
}

function addCpuSamples(g: Generation, c: ByteCursor, base: number): void {
  c.pos++; // the CPUSamples byte
  while (c.pos < c.end) {
    const ev = c.byte();
    if (ev !== Ev.CPUSample) bad(c, base, `expected CPU sample event, got ${ev}`);
    const time = c.uvarint();
    const m = c.uvarint();
    const p = c.uvarint();
    const gid = c.uvarint();
    const stack = c.uvarint();
    if (c.bad) bad(c, base, "unexpected EOF in a CPU sample");
    g.count(1, c.pos);
    g.cpuSamples.push({ time, m, p, g: gid === 0 ? -1 : gid, stack });
  }
}

function setSync(g: Generation, c: ByteCursor, b: Batch, version: number, base: number): void {
  if (version >= 25) c.pos++; // the Sync byte
  let lastTs = b.time;
  while (c.pos < c.end) {
    const ev = c.byte();
    if (ev === Ev.Frequency) {
      if (g.freq !== 0) bad(c, base, "found multiple frequency events");
      const f = c.uvarint();
      if (c.bad) bad(c, base, "unexpected EOF in a frequency event");
      // Go: frequency(1.0 / (float64(f) / 1e9)), nanoseconds per tick.
      g.freq = 1.0 / (f / 1e9);
    } else if (ev === Ev.ClockSnapshot && version >= 25) {
      if (g.hasClockSnapshot) bad(c, base, "found multiple clock snapshot events");
      g.hasClockSnapshot = true;
      lastTs += c.uvarint();
      g.snapTime = lastTs;
      g.snapMono = c.uvarint();
      g.snapSec = c.uvarint();
      g.snapNsec = c.uvarint();
      if (c.bad) bad(c, base, "unexpected EOF in a clock snapshot");
    } else {
      bad(c, base, `expected frequency or clock snapshot event, got ${ev}`);
    }
  }
}

function validateStackStrings(g: Generation, at: number): void {
  for (const [id, pcs] of g.stacks) {
    for (const pc of pcs) {
      const f = g.pcs.get(pc);
      if (!f) throw new TraceFormatError(`found unknown pc ${pc.toString(16)} for stack ${id}`, at);
      if (g.getString(f.funcID) === undefined) throw new TraceFormatError(`found invalid func string ID ${f.funcID} for stack ${id}`, at);
      if (g.getString(f.fileID) === undefined) throw new TraceFormatError(`found invalid file string ID ${f.fileID} for stack ${id}`, at);
    }
  }
}
