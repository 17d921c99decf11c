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
// Hand-written line scanner (no regular expressions): it is linear in the input,
// which matters for 50,000-goroutine dumps and for hostile input, and no parser
// library reads this format. Lines that are not part of a goroutine (test output,
// register dumps, "exit status 2") are skipped; header lines of a crash are kept.

import type { Ancestor, CreatedBy, GoFrame, Goroutine, GoroutineDump } from "../model/goroutines.js";
import { InputError } from "../util/errors.js";

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

export function parseGoroutineText(text: string, file: string): GoroutineDump {
  // Function names, files and states repeat across goroutines: one string object
  // each keeps memory flat and makes later Map lookups hit V8's cached hashes.
  const interned = new Map<string, string>();
  const intern = (x: string): string => {
    const y = interned.get(x);
    if (y !== undefined) return y;
    interned.set(x, x);
    return x;
  };
  const goroutines: Goroutine[] = [];
  const header: string[] = [];
  const warnings: string[] = [];
  let skippedWarnings = 0;
  const warn = (m: string): void => {
    if (warnings.length < MAX_WARNINGS) warnings.push(m);
    else skippedWarnings++;
  };

  let cur: Goroutine | null = null;
  let frames: GoFrame[] = []; // frames of cur or of its current ancestor
  let ancestor: Ancestor | null = null;
  let pending: Pending | null = null; // a func line waiting for its file line
  let pendingCreated: CreatedBy | null = null;
  let crash = false;
  let lineNo = 0;

  const finish = (why: string): void => {
    if (cur === null) return;
    if (pending !== null || pendingCreated !== null) {
      warn(`${file}: line ${lineNo}: goroutine ${cur.id} ends ${why} after a frame without its file line`);
    }
    if (cur.frames.length === 0 && !cur.stackUnavailable) {
      warn(`${file}: line ${cur.sourceLine}: goroutine ${cur.id} has no frames`);
    }
    goroutines.push(cur);
    cur = null;
    ancestor = null;
    pending = null;
    pendingCreated = null;
  };

  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = n;
    lineNo++;
    const len = nl - pos;
    if (len > MAX_LINE) {
      warn(`${file}: line ${lineNo}: ${len}-byte line skipped (longer than ${MAX_LINE})`);
      finish("at an over-long line");
      pos = nl + 1;
      continue;
    }
    // Fast path, most lines of a dump: a frame's file line, parsed in place
    // without slicing the line out first (it saves one string per frame).
    if (pending !== null && text.charCodeAt(pos) === 9) {
      const end = text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const fr = parseFileLineAt(text, pos, end, pending);
      if (fr !== null) {
        fr.file = intern(fr.file);
        frames.push(fr);
        pending = null;
        pos = nl + 1;
        continue;
      }
    }
    let line = text.slice(pos, nl);
    pos = nl + 1;
    if (line.endsWith("\r")) line = line.slice(0, -1);

    if (cur === null) {
      if (isGoroutineHeader(line)) {
        cur = parseHeader(line, lineNo, intern);
        if (cur === null) warn(`${file}: line ${lineNo}: malformed goroutine header skipped`);
        frames = cur?.frames ?? [];
        continue;
      }
      if (goroutines.length === 0 && isCrashLine(line)) {
        crash = true;
        if (header.length < MAX_HEADER_LINES) header.push(line.length > MAX_HEADER_CHARS ? line.slice(0, MAX_HEADER_CHARS) + "…" : line);
      }
      continue;
    }

    // Inside a goroutine.
    if (line.length === 0) {
      finish("at a blank line");
      continue;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 9 /* \t */) {
      if (pending !== null) {
        const fr = parseFileLine(line, pending);
        if (fr === null) warn(`${file}: line ${lineNo}: malformed file:line skipped`);
        else {
          fr.file = intern(fr.file);
          frames.push(fr);
        }
        pending = null;
      } else if (pendingCreated !== null) {
        const fr = parseFileLine(line, { func: pendingCreated.func, args: "" });
        if (fr !== null) {
          pendingCreated.file = fr.file;
          pendingCreated.line = fr.line;
        }
        if (ancestor !== null) ancestor.createdBy = pendingCreated;
        else cur.createdBy = pendingCreated;
        pendingCreated = null;
      } else if (line.endsWith("goroutine running on other thread; stack unavailable")) {
        cur.stackUnavailable = true;
      }
      // other tab lines (e.g. "\t[recovered]") carry nothing we use
      continue;
    }
    if (pending !== null) {
      // A func line must be followed by its file line: this one is not part of the dump.
      warn(`${file}: line ${lineNo - 1}: frame "${clip(pending.func)}" has no file line`);
      pending = null;
    }
    if (c0 === 46 /* . */ && line.startsWith("...")) {
      const el = parseElided(line);
      if (el !== null) {
        if (ancestor !== null) ancestor.elided = true;
        else cur.elided = el;
        continue;
      }
    }
    if (line.startsWith("created by ")) {
      pendingCreated = parseCreatedBy(line);
      continue;
    }
    if (line.startsWith("[originating from goroutine ")) {
      const id = parseUint(line, 28, line.indexOf("]", 28));
      ancestor = { id: id ?? 0, frames: [], elided: false, createdBy: null };
      cur.ancestors.push(ancestor);
      frames = ancestor.frames;
      continue;
    }
    if (line === "goroutine running on other thread; stack unavailable") {
      cur.stackUnavailable = true;
      continue;
    }
    if (isGoroutineHeader(line)) {
      finish("without a blank line");
      cur = parseHeader(line, lineNo, intern);
      frames = cur?.frames ?? [];
      continue;
    }
    const call = parseCallLine(line);
    if (call !== null) {
      call.func = intern(call.func);
      pending = call;
      continue;
    }
    // Anything else ends the goroutine (the dump is followed by other output).
    finish("at a line that is not part of a goroutine");
  }
  if (cur !== null) {
    const truncated = pending !== null || pendingCreated !== null;
    if (truncated) warn(`${file}: input ends inside goroutine ${(cur as Goroutine).id}: the dump looks truncated`);
    pending = null;
    pendingCreated = null;
    finish("at the end of the input");
  }
  if (skippedWarnings > 0) warnings.push(`${file}: ${skippedWarnings} more warnings not shown`);
  if (goroutines.length === 0) {
    const first = text.slice(0, Math.min(text.indexOf("\n") >>> 0, 60));
    throw new InputError(file, `no goroutines found: not a goroutine dump (first line: ${JSON.stringify(printable(first))})`, undefined, 1);
  }
  return { format: crash ? "traceback" : "goroutine-debug2", goroutines, header, claimedTotal: null, warnings };
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
  const g: Goroutine = {
    id,
    state: "",
    flags: [],
    waitMinutes: 0,
    lockedToThread: false,
    frames: [],
    elided: 0,
    createdBy: null,
    ancestors: [],
    labels: {},
    count: 1,
    stackUnavailable: false,
    sourceLine: lineNo,
  };
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
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, "?");
}
