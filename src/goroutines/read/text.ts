// goroutine?debug=2 text and crash tracebacks (runtime.Stack(all), `panic:` /
// `fatal error:` output), every layout from Go 1.13 to 1.26. The layout is the
// runtime's (src/runtime/traceback.go, Go 1.26: goroutineheader, traceback2,
// printcreatedby1, printAncestorTraceback):
//
//   goroutine 7 gp=0xc000003dc0 m=nil [chan send, 3 minutes, locked to thread]:
//   main.notifyAudit(0xc000020120, {0x6, 0xc00001e0a8})      <- func(args); "(...)" when inlined
//   	/src/main.go:33 +0x45 fp=0xc000 sp=0xc000 pc=0x4a      <- "+0x" offset; fp/sp/pc at GOTRACEBACK>=system
//   ...12 frames elided...                                    <- middle of a deep stack (1.21+)
//   created by main.handleOrder in goroutine 6                <- " in goroutine N" since 1.21
//   	/src/main.go:44 +0x85
//   [originating from goroutine 6]:                           <- GODEBUG=tracebackancestors
//   main.handleOrder(...)
//   	/src/main.go:44 +0x85
//   ...additional frames elided...                           <- 100-frame cap (also before 1.21)
//
// Hand-written line scanner over the input's bytes (no regular expressions): it
// is linear in the input, which matters for 50,000-goroutine dumps (27 MB in
// ~50 ms, see docs/PERFORMANCE.md) and for hostile input, and no parser library
// reads this format. Lines longer than MAX_LINE bytes are skipped with a warning. Lines that are not part of a goroutine (test output,
// register dumps, "exit status 2") are skipped; header lines of a crash are kept.

import { newGoroutine, type Ancestor, type CreatedBy, type GoFrame, type Goroutine, type GoroutineDump } from "../model.js";
import { InputError } from "../../core/input/index.js";

/** Longest line we look at; longer ones are skipped with a warning (a dump's lines are short). */
export const MAX_LINE = 1 << 20;
/** Crash header lines kept (a panic message may be long and repeated). */
const MAX_HEADER_LINES = 64;
const MAX_HEADER_CHARS = 2000;
const MAX_WARNINGS = 20;

/** Does this line start a goroutine ("goroutine 12 [" / "goroutine 12 gp=... ["), i.e. a debug=2 header? */
export function isGoroutineHeader(line: string): boolean {
  if (!line.startsWith("goroutine ")) return false;
  const c = line.charCodeAt(10);
  return c >= 48 && c <= 57 && line.indexOf("[", 11) > 0 && line.endsWith("]:");
}

interface Pending {
  func: string;
  args: string;
}

/**
 * Values keyed by a byte range of the input, compared by bytes: frames, creators,
 * header states and names are found again without decoding their text. Open
 * addressing on a power-of-two table; the key of an entry is its first
 * occurrence in the same buffer, so the table holds no copies.
 */
class RangeTable<T> {
  private slots = new Int32Array(1024).fill(-1);
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly hashes: number[] = [];
  readonly values: T[] = [];
  constructor(private readonly buf: Buffer) {}

  /** Index of the entry with the bytes [s, e), or -1. */
  find(s: number, e: number, h: number): number {
    const mask = this.slots.length - 1;
    const len = e - s;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = this.slots[i]!;
      if (k < 0) return -1;
      if (this.hashes[k] !== h) continue;
      const ks = this.starts[k]!;
      if (this.ends[k]! - ks === len && sameBytes(this.buf, ks, s, len)) return k;
    }
  }

  /** Does entry k's key start at s, followed by the end of a line? Returns that line's "\n" (or the input's end), else -1. */
  matchAt(k: number, s: number): number {
    const buf = this.buf;
    const ks = this.starts[k]!;
    const t = s + this.ends[k]! - ks;
    const n = buf.length;
    if (t > n) return -1;
    // The key ends where its last line ended, before any "\r".
    const nl = t === n || buf[t] === 10 ? t : buf[t] === 13 && (t + 1 === n || buf[t + 1] === 10) ? t + 1 : -1;
    if (nl < 0 || !sameBytes(buf, ks, s, t - s)) return -1;
    return nl;
  }

  /** Is entry k's key exactly the bytes [s, e)? */
  equals(k: number, s: number, e: number): boolean {
    const ks = this.starts[k]!;
    return this.ends[k]! - ks === e - s && sameBytes(this.buf, ks, s, e - s);
  }

  add(s: number, e: number, h: number, v: T): void {
    const k = this.values.length;
    this.starts.push(s);
    this.ends.push(e);
    this.hashes.push(h);
    this.values.push(v);
    if (2 * (k + 1) > this.slots.length) this.grow();
    else this.place(k);
  }

  private place(k: number): void {
    const mask = this.slots.length - 1;
    let i = this.hashes[k]! & mask;
    while (this.slots[i]! >= 0) i = (i + 1) & mask;
    this.slots[i] = k;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let k = 0; k < this.values.length; k++) this.place(k);
  }
}

/** buf[a, a+len) == buf[b, b+len)? */
function sameBytes(buf: Buffer, a: number, b: number, len: number): boolean {
  if (len < 48) {
    for (let j = 0; j < len; j++) if (buf[a + j] !== buf[b + j]) return false;
    return true;
  }
  return buf[a] === buf[b] && buf.compare(buf, a, a + len, b, b + len) === 0; // memcmp
}

/** FNV-1a-like hash of buf[s, e), four bytes a step. */
function hashRange(buf: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5 ^ (e - s);
  let i = s;
  for (; i + 4 <= e; i += 4) {
    h = Math.imul(h ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)), 0x01000193) ^ (h >>> 15);
  }
  for (; i < e; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h;
}

/**
 * Goroutines with the same frames share one frames array (a 50,000-goroutine
 * dump has a few dozen distinct stacks): a trie over frame entries, one child
 * inline (stacks rarely branch), more in a Map.
 */
class StackNode {
  k = -1;
  child: StackNode | null = null;
  more: Map<number, StackNode> | null = null;
  frames: GoFrame[] | null = null;

  next(k: number): StackNode {
    if (this.child === null) {
      this.k = k;
      return (this.child = new StackNode());
    }
    if (this.k === k) return this.child;
    if (this.more === null) this.more = new Map();
    let c = this.more.get(k);
    if (c === undefined) this.more.set(k, (c = new StackNode()));
    return c;
  }
}

/** A header's fields after the id, shared by every goroutine whose header reads the same. */
interface HeaderTemplate {
  state: string;
  flags: string[];
  waitMinutes: number;
  lockedToThread: boolean;
  /** the body of the last goroutine with this header that parsed cleanly */
  body: Body | null;
}

/**
 * A goroutine's lines between its header and the blank line after it, and what
 * they parsed to without a warning: a later goroutine with the same bytes there
 * (most of a big dump) takes the result with one comparison.
 */
interface Body {
  start: number;
  len: number;
  lines: number;
  stack: StackNode;
  createdBy: CreatedBy | null;
  elided: number;
}

// Shared by the goroutines that have none: a dump is read-only (model/goroutines.ts),
// and three empty objects per goroutine are a third of a big dump's heap.
const NO_FRAMES: GoFrame[] = [];
const NO_FLAGS = Object.freeze([]) as unknown as string[];
const NO_ANCESTORS = Object.freeze([]) as unknown as Ancestor[];
const NO_LABELS = Object.freeze({}) as Record<string, string>;
const GOROUTINE_ = [103, 111, 114, 111, 117, 116, 105, 110, 101, 32]; // "goroutine "
const CREATED_BY_ = [99, 114, 101, 97, 116, 101, 100, 32, 98, 121, 32]; // "created by "

function startsWithBytes(buf: Uint8Array, s: number, e: number, p: readonly number[]): boolean {
  if (e - s < p.length) return false;
  for (let i = 0; i < p.length; i++) if (buf[s + i] !== p[i]) return false;
  return true;
}

/** A debug=2 dump or traceback as text (tests, small inputs); files go through parseGoroutineBytes. */
export function parseGoroutineText(text: string, file: string): GoroutineDump {
  return parseGoroutineBytes(Buffer.from(text, "utf8"), file);
}

/**
 * The parser works on the input's bytes: no 30 MB string, and the lines that
 * repeat across goroutines (a frame's two lines, "created by" and its file line,
 * a header's state) are recognised by hash and byte comparison, so each distinct
 * one is decoded and parsed once and its objects are shared (GoFrame and
 * CreatedBy objects are immutable, see model/goroutines.ts). Every other line
 * is decoded and read by the string helpers below.
 */
export function parseGoroutineBytes(input: Uint8Array, file: string): GoroutineDump {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  // Function names, files and states repeat across goroutines: one string object
  // each keeps memory flat and makes later Map lookups hit V8's cached hashes.
  const interned = new Map<string, string>();
  const intern = (x: string): string => {
    const y = interned.get(x);
    if (y !== undefined) return y;
    interned.set(x, x);
    return x;
  };
  const frameTable = new RangeTable<GoFrame | null>(buf); // func line + file line -> frame (null: malformed file line)
  const createdTable = new RangeTable<CreatedBy>(buf); // "created by" line + file line -> creator
  const headerTable = new RangeTable<HeaderTemplate>(buf); // header after the id -> fields
  // Guesses that skip the hashing when a dump repeats itself, as dumps do: the
  // frame that followed frame k last time (succ[k + 1]; succ[0]: a goroutine's
  // first frame), the last creator and the last header read.
  const succ: number[] = [-1];
  let prevK = -1;
  const stacks = new StackNode();
  let stack = stacks; // cur.frames so far
  let lastCr = -1;
  let lastHeader = -1;
  let curTemplate: HeaderTemplate | null = null; // cur's header, when cached
  let lastBody: Body | null = null;
  let bodyStart = 0; // where cur's body started, the line number and warnings count there
  let bodyLine = 0;
  let bodyWarnings = 0;
  const goroutines: Goroutine[] = [];
  const header: string[] = [];
  const warnings: string[] = [];
  let skippedWarnings = 0;
  const warn = (m: string): void => {
    if (warnings.length < MAX_WARNINGS) warnings.push(m);
    else skippedWarnings++;
  };

  let cur: Goroutine | null = null;
  // cur's frames collect in own[0, nOwn) and become a shared array at the end;
  // an ancestor's go straight to its array.
  const own: GoFrame[] = [];
  let nOwn = 0;
  let frames: GoFrame[] = []; // frames of cur's current ancestor
  let ancestor: Ancestor | null = null;
  // A func line waiting for its file line: [pendS, pendE), its hash; pendS < 0 when none.
  let pendS = -1;
  let pendE = 0;
  let pendH = 0;
  // A "created by" line waiting for its file line, likewise.
  let crS = -1;
  let crE = 0;
  let crH = 0;
  let crash = false;
  let lineNo = 0;

  const pendingFunc = (): string => parseCallLine(decodeLine(buf, pendS, pendE))?.func ?? "";
  const finish = (why: string): void => {
    if (cur === null) return;
    if (pendS >= 0 || crS >= 0) {
      warn(`${file}: line ${lineNo}: goroutine ${cur.id} ends ${why} after a frame without its file line`);
    }
    if (nOwn === 0 && !cur.stackUnavailable) {
      warn(`${file}: line ${cur.sourceLine}: goroutine ${cur.id} has no frames`);
    }
    cur.frames = stack.frames ??= own.slice(0, nOwn);
    goroutines.push(cur);
    cur = null;
    ancestor = null;
    pendS = -1;
    crS = -1;
  };
  const newGoroutine = (t: HeaderTemplate, id: number): Goroutine => ({
    id,
    state: t.state,
    flags: t.flags.length === 0 ? NO_FLAGS : t.flags.slice(),
    waitMinutes: t.waitMinutes,
    lockedToThread: t.lockedToThread,
    frames: NO_FRAMES, // set by finish
    elided: 0,
    createdBy: null,
    ancestors: NO_ANCESTORS,
    labels: NO_LABELS,
    count: 1,
    stackUnavailable: false,
    sourceLine: lineNo,
  });
  /** A header line at [s, e) (known to start with "goroutine " and a digit): cached by its text after the id. */
  const header2 = (s: number, e: number): Goroutine | null => {
    let i = s + 10;
    let id = 0;
    while (i < e && buf[i]! >= 48 && buf[i]! <= 57 && i - s < 25) id = id * 10 + buf[i++]! - 48;
    // Only " [...]:" is cached: " gp=0x..." differs per goroutine, labels are per goroutine.
    const cacheable = buf[i] === 32 && buf[i + 1] === 91 && !hasLabels(buf, i, e);
    curTemplate = null;
    if (cacheable && lastHeader >= 0 && headerTable.equals(lastHeader, i, e)) {
      curTemplate = headerTable.values[lastHeader]!;
      return newGoroutine(curTemplate, id);
    }
    const h = cacheable ? hashRange(buf, i, e) : 0;
    if (cacheable) {
      const k = headerTable.find(i, e, h);
      if (k >= 0) {
        lastHeader = k;
        curTemplate = headerTable.values[k]!;
        return newGoroutine(curTemplate, id);
      }
    }
    const g = parseHeader(decodeLine(buf, s, e), lineNo, intern);
    if (g !== null && cacheable) {
      curTemplate = { state: g.state, flags: g.flags.slice(), waitMinutes: g.waitMinutes, lockedToThread: g.lockedToThread, body: null };
      headerTable.add(i, e, h, curTemplate);
      lastHeader = headerTable.values.length - 1;
    }
    return g;
  };

  let pos = 0;
  const n = buf.length;
  while (pos < n) {
    const s = pos;
    let nl = buf.indexOf(10, s); // memchr: far faster than a byte loop here
    if (nl < 0) nl = n;
    pos = nl + 1;
    lineNo++;
    const len = nl - s;
    if (len > MAX_LINE) {
      warn(`${file}: line ${lineNo}: ${len}-byte line skipped (longer than ${MAX_LINE})`);
      finish("at an over-long line");
      continue;
    }
    const e = len > 0 && buf[nl - 1] === 13 ? nl - 1 : nl;
    const c0 = e > s ? buf[s]! : -1;

    if (cur !== null) {
      if (c0 === 9 && pendS >= 0) {
        // Most lines of a dump: a frame's file line. The frame is the two lines.
        const fh = Math.imul(pendH ^ hashRange(buf, s, e), 0x01000193);
        let k = frameTable.find(pendS, e, fh);
        if (k < 0) {
          const call = parseCallLine(decodeLine(buf, pendS, pendE)) ?? { func: "", args: "" }; // isCallLineAt said it is one
          const line = decodeLine(buf, s, e);
          const fr = parseFileLineAt(line, 0, line.length, call) ?? parseFileLine(line, call);
          if (fr !== null) {
            fr.func = intern(fr.func);
            fr.file = intern(fr.file);
          }
          frameTable.add(pendS, e, fh, fr);
          k = frameTable.values.length - 1;
        }
        const fr = frameTable.values[k]!;
        if (fr === null) warn(`${file}: line ${lineNo}: malformed file:line skipped`);
        else {
          if (ancestor === null) {
            own[nOwn++] = fr;
            stack = stack.next(k);
          } else frames.push(fr);
          succ[prevK + 1] = k;
          if (succ.length === k + 1) succ.push(-1);
          prevK = k;
        }
        pendS = -1;
        continue;
      }
      if (c0 === 9 && crS >= 0) {
        const ch = Math.imul(crH ^ hashRange(buf, s, e), 0x01000193);
        let k = createdTable.find(crS, e, ch);
        if (k < 0) {
          const cb = parseCreatedBy(decodeLine(buf, crS, crE));
          cb.func = intern(cb.func);
          const fr = parseFileLine(decodeLine(buf, s, e), { func: cb.func, args: "" });
          if (fr !== null) {
            cb.file = intern(fr.file);
            cb.line = fr.line;
          }
          createdTable.add(crS, e, ch, cb);
          k = createdTable.values.length - 1;
        }
        const cb = createdTable.values[k]!;
        if (ancestor !== null) (ancestor as Ancestor).createdBy = cb;
        else cur.createdBy = cb;
        lastCr = k;
        crS = -1;
        continue;
      }
      if (c0 !== 9 && c0 >= 0 && pendS < 0 && crS < 0) {
        // The guesses: a frame (func line and file line) or a "created by" and its
        // file line seen before, byte for byte, are taken whole.
        const k = succ[prevK + 1]!;
        const end = k >= 0 && frameTable.values[k] !== null ? frameTable.matchAt(k, s) : -1;
        if (end >= 0) {
          if (ancestor === null) {
            own[nOwn++] = frameTable.values[k]!;
            stack = stack.next(k);
          } else frames.push(frameTable.values[k]!);
          if (succ.length === k + 1) succ.push(-1);
          prevK = k;
          lineNo++;
          pos = end + 1;
          continue;
        }
        const ce = c0 === 99 && lastCr >= 0 ? createdTable.matchAt(lastCr, s) : -1;
        if (ce >= 0) {
          if (ancestor !== null) (ancestor as Ancestor).createdBy = createdTable.values[lastCr]!;
          else cur.createdBy = createdTable.values[lastCr]!;
          lineNo++;
          pos = ce + 1;
          continue;
        }
      }
      if (c0 !== 9 && c0 >= 0) {
        if (pendS >= 0) {
          // A func line must be followed by its file line: this one is not part of the dump.
          warn(`${file}: line ${lineNo - 1}: frame "${clip(pendingFunc())}" has no file line`);
          pendS = -1;
        }
        if (isCallLineAt(buf, s, e)) {
          pendS = s;
          pendE = e;
          pendH = hashRange(buf, s, e);
          continue;
        }
        if (startsWithBytes(buf, s, e, CREATED_BY_)) {
          crS = s;
          crE = e;
          crH = hashRange(buf, s, e);
          continue;
        }
      }
    }
    if (c0 === 103 && startsWithBytes(buf, s, e, GOROUTINE_) && buf[s + 10]! >= 48 && buf[s + 10]! <= 57 && buf[e - 1] === 58 && buf[e - 2] === 93 && indexByte(buf, 91, s + 11, e) >= 0) {
      // "goroutine N ... [...]:"
      finish("without a blank line");
      prevK = -1;
      stack = stacks;
      cur = header2(s, e);
      if (cur === null) warn(`${file}: line ${lineNo}: malformed goroutine header skipped`);
      nOwn = 0;
      bodyStart = pos;
      bodyLine = lineNo;
      bodyWarnings = warnings.length + skippedWarnings;
      // The guess: the same body as the last goroutine with this header, then a blank line.
      const b = (curTemplate as HeaderTemplate | null)?.body ?? lastBody;
      if (cur !== null && b !== null && b.start + b.len <= pos) {
        const t = pos + b.len;
        if (t < n && (buf[t] === 10 || (buf[t] === 13 && buf[t + 1] === 10)) && sameBytes(buf, b.start, pos, b.len)) {
          cur.createdBy = b.createdBy;
          cur.elided = b.elided;
          stack = b.stack;
          nOwn = b.stack.frames!.length;
          lineNo += b.lines;
          pos = t;
        }
      }
      continue;
    }
    if (s === e && cur !== null) {
      // A blank line ends the goroutine; a clean body is remembered for the guess above.
      if (pendS < 0 && crS < 0 && !cur.stackUnavailable && cur.ancestors.length === 0 && nOwn > 0 && warnings.length + skippedWarnings === bodyWarnings) {
        const body: Body = { start: bodyStart, len: s - bodyStart, lines: lineNo - 1 - bodyLine, stack, createdBy: cur.createdBy, elided: cur.elided };
        finish("at a blank line");
        if (curTemplate !== null) (curTemplate as HeaderTemplate).body = body;
        lastBody = body;
      } else finish("at a blank line");
      continue;
    }

    const line = decodeLine(buf, s, e);
    if (cur === null) {
      if (goroutines.length === 0 && isCrashLine(line)) {
        crash = true;
        if (header.length < MAX_HEADER_LINES) header.push(line.length > MAX_HEADER_CHARS ? line.slice(0, MAX_HEADER_CHARS) + "…" : line);
      }
      continue;
    }

    // Inside a goroutine, a line the fast paths above did not take.
    if (line.length === 0) {
      finish("at a blank line");
      continue;
    }
    if (c0 === 9 /* \t */) {
      if (line.endsWith("goroutine running on other thread; stack unavailable")) cur.stackUnavailable = true;
      // other tab lines (e.g. "\t[recovered]") carry nothing we use
      continue;
    }
    if (c0 === 46 /* . */ && line.startsWith("...")) {
      const el = parseElided(line);
      if (el !== null) {
        if (ancestor !== null) (ancestor as Ancestor).elided = true;
        else cur.elided = el;
        continue;
      }
    }
    if (line.startsWith("[originating from goroutine ")) {
      const id = parseUint(line, 28, line.indexOf("]", 28));
      const a: Ancestor = { id: id ?? 0, frames: [], elided: false, createdBy: null };
      ancestor = a;
      if (cur.ancestors === NO_ANCESTORS) cur.ancestors = [a];
      else cur.ancestors.push(a);
      frames = a.frames;
      prevK = -1;
      continue;
    }
    if (line === "goroutine running on other thread; stack unavailable") {
      cur.stackUnavailable = true;
      continue;
    }
    // Anything else ends the goroutine (the dump is followed by other output).
    finish("at a line that is not part of a goroutine");
  }
  if (cur !== null) {
    const truncated = pendS >= 0 || crS >= 0;
    if (truncated) warn(`${file}: input ends inside goroutine ${(cur as Goroutine).id}: the dump looks truncated`);
    pendS = -1;
    crS = -1;
    finish("at the end of the input");
  }
  if (skippedWarnings > 0) warnings.push(`${file}: ${skippedWarnings} more warnings not shown`);
  if (goroutines.length === 0) {
    let e = buf.indexOf(10);
    if (e < 0 || e > 60) e = Math.min(buf.length, 60);
    const first = buf.toString("utf8", 0, e);
    throw new InputError(file, `no goroutines found: not a goroutine dump (first line: ${JSON.stringify(printable(first))})`, undefined, 1);
  }
  return { format: crash ? "traceback" : "goroutine-debug2", goroutines, header, claimedTotal: null, warnings };
}

const LABELS_ = [32, 108, 97, 98, 101, 108, 115, 58, 123]; // " labels:{"

/** Searches stay inside the line: an unbounded indexOf would scan the rest of a 30 MB dump on every line that lacks the needle. */
function hasLabels(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = indexByte(buf, 123, s, e); i >= 0; i = indexByte(buf, 123, i + 1, e)) {
    if (i - 8 >= s && startsWithBytes(buf, i - 8, e, LABELS_)) return true;
  }
  return false;
}

function indexByte(buf: Uint8Array, b: number, s: number, e: number): number {
  for (let i = s; i < e; i++) if (buf[i] === b) return i;
  return -1;
}

function decodeLine(buf: Buffer, s: number, e: number): string {
  return buf.toString("utf8", s, e);
}

/** parseCallLine's test on bytes: ends with ")", a "(" after the first byte, no space before it. */
function isCallLineAt(buf: Uint8Array, s: number, e: number): boolean {
  if (buf[e - 1] !== 41) return false;
  let open = e - 1;
  while (open > s && buf[open] !== 40) open--;
  if (open <= s) return false;
  for (let i = s; i < open; i++) if (buf[i] === 32) return false;
  return true;
}

function isCrashLine(line: string): boolean {
  return (
    line.startsWith("panic: ") ||
    line.startsWith("fatal error: ") ||
    line.startsWith("[signal ") ||
    line.startsWith("runtime: ") ||
    line.startsWith("\t[recovered]") ||
    line === "panic: " ||
    line.startsWith("SIGQUIT: ") ||
    line.startsWith("SIGABRT: ") ||
    line.startsWith("fatal: morestack") ||
    line.startsWith("unexpected fault address")
  );
}

/** "goroutine N [state, M minutes, locked to thread]:" in any version's layout. */
function parseHeader(line: string, lineNo: number, intern: (s: string) => string): Goroutine | null {
  let i = 10;
  while (i < line.length && line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) i++;
  const id = Number(line.slice(10, i));
  const open = line.indexOf("[", i);
  const close = line.length - 2; // line ends with "]:"
  if (open < 0 || close <= open) return null;
  // Between the id and "[": nothing, or " gp=0x... m=N mp=0x..." / " m=nil" (Go 1.23+ at GOTRACEBACK>=system).
  let content = line.slice(open + 1, close);
  const g = newGoroutine(id, 1, lineNo);
  const lab = content.indexOf(" labels:{");
  if (lab >= 0) {
    g.labels = parseQuotedMap(content.slice(lab + 8));
    content = content.slice(0, lab);
  }
  const parts = content.indexOf(", ") < 0 ? [content] : content.split(", ");
  let state = parts[0] ?? "";
  for (const flag of [" (scan)", " (leaked)"]) {
    if (state.endsWith(flag)) {
      state = state.slice(0, -flag.length);
      g.flags.push(flag.slice(2, -1));
    }
  }
  g.state = intern(state);
  for (let k = 1; k < parts.length; k++) {
    const p = parts[k]!;
    if (p.endsWith(" minutes")) {
      const m = Number(p.slice(0, -8));
      if (Number.isFinite(m)) g.waitMinutes = m;
    } else if (p === "locked to thread") {
      g.lockedToThread = true;
    } else if (p.startsWith("synctest bubble ")) {
      g.flags.push(p);
    }
  }
  return g;
}

/** `func(args)`; null when the line is not a call line. */
function parseCallLine(line: string): Pending | null {
  if (!line.endsWith(")")) return null;
  const open = line.lastIndexOf("(");
  if (open <= 0) return null;
  const func = line.slice(0, open);
  if (func.indexOf(" ") >= 0) return null; // Go symbols have no spaces (test output does)
  return { func, args: line.slice(open + 1, -1) };
}

/** parseFileLine on text[start, end) (start at the tab), without slicing the line. */
function parseFileLineAt(text: string, start: number, end: number, call: Pending): GoFrame | null {
  // Searches stay inside the line: an unbounded indexOf/lastIndexOf would scan the
  // rest of a 30 MB dump on every line that lacks the needle.
  let e = end;
  const fp = indexIn(text, " fp=", start + 1, end);
  if (fp >= 0) e = fp;
  let offset = -1;
  const plus = lastIndexIn(text, " +0x", start + 1, e);
  if (plus >= 0) {
    offset = 0;
    for (let i = plus + 4; i < e; i++) {
      const c = text.charCodeAt(i);
      const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (v < 0) return null;
      offset = offset * 16 + v;
    }
    e = plus;
  }
  const colon = lastIndexIn(text, ":", start + 2, e);
  if (colon < 0) return null;
  const ln = parseUint(text, colon + 1, e);
  if (ln === null) return null;
  return { func: call.func, args: call.args, file: text.slice(start + 1, colon), line: ln, offset };
}

/** First index of needle within text[lo, hi), or -1. */
function indexIn(text: string, needle: string, lo: number, hi: number): number {
  const c0 = needle.charCodeAt(0);
  for (let i = lo; i + needle.length <= hi; i++) {
    if (text.charCodeAt(i) === c0 && text.startsWith(needle, i)) return i;
  }
  return -1;
}

/** Last index of needle within text[lo, hi), or -1, scanning only that range. */
function lastIndexIn(text: string, needle: string, lo: number, hi: number): number {
  const c0 = needle.charCodeAt(0);
  for (let i = hi - needle.length; i >= lo; i--) {
    if (text.charCodeAt(i) === c0 && text.startsWith(needle, i)) return i;
  }
  return -1;
}

/** "\t/path/file.go:123 +0x1d fp=0x.. sp=0x.. pc=0x.." */
function parseFileLine(line: string, call: Pending): GoFrame | null {
  let end = line.length;
  const fp = line.indexOf(" fp=", 1);
  if (fp >= 0) end = fp;
  let offset = -1;
  const plus = line.lastIndexOf(" +0x", end);
  if (plus > 0) {
    offset = parseInt(line.slice(plus + 4, end), 16);
    if (!Number.isFinite(offset)) offset = -1;
    end = plus;
  }
  const colon = line.lastIndexOf(":", end);
  if (colon <= 1) return null;
  const ln = parseUint(line, colon + 1, end);
  if (ln === null) return null;
  return { func: call.func, args: call.args, file: line.slice(1, colon), line: ln, offset };
}

/** "created by F" or "created by F in goroutine N". */
function parseCreatedBy(line: string): CreatedBy {
  let func = line.slice(11);
  let goroutine = 0;
  const k = func.lastIndexOf(" in goroutine ");
  if (k >= 0) {
    goroutine = parseUint(func, k + 14, func.length) ?? 0;
    func = func.slice(0, k);
  }
  return { func, file: "", line: 0, goroutine };
}

/** "...additional frames elided..." -> -1, "...N frames elided..." -> N, else null. */
function parseElided(line: string): number | null {
  if (line === "...additional frames elided...") return -1;
  if (line.endsWith(" frames elided...")) {
    const n = parseUint(line, 3, line.length - 17);
    return n;
  }
  return null;
}

function parseUint(s: string, from: number, to: number): number | null {
  if (to <= from || to - from > 15) return null;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return v;
}

/**
 * {"k": "v", "k2": "v2"} as printed by Go (quoted strings, Go escapes). Also reads
 * debug=1's `{"k":"v", ...}`. Unparseable strings are kept raw.
 */
export function parseQuotedMap(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const strs: string[] = [];
  let i = 0;
  while (i < s.length) {
    const q = s.indexOf('"', i);
    if (q < 0) break;
    let j = q + 1;
    while (j < s.length && s.charCodeAt(j) !== 34) j += s.charCodeAt(j) === 92 ? 2 : 1;
    const raw = s.slice(q, j + 1);
    let v: string;
    try {
      v = JSON.parse(raw) as string;
    } catch {
      v = raw.slice(1, -1);
    }
    strs.push(v);
    i = j + 1;
  }
  for (let k = 0; k + 1 < strs.length; k += 2) out[strs[k]!] = strs[k + 1]!;
  return out;
}

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 80) + "…" : s;
}

function printable(s: string): string {
   
  return s.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, "?");
}
