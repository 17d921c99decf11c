// goroutine?debug=1 text (runtime/pprof printCountProfile):
//
//   goroutine profile: total 14
//   4 @ 0x48a10e 0x48e185 0x6c87ce 0x491981
//   # labels: {"handler":"order"}
//   #	0x48e184	time.Sleep+0x164	/usr/local/go/src/runtime/time.go:363
//
// The pprof-compatible legacy reader (legacy-count.ts) deliberately skips every
// `#` line as pprof does, losing the labels and the symbolized frames this
// analysis needs, so goroutine records are read here, in one linear pass.

import { newGoroutine, type GoFrame, type Goroutine, type GoroutineDump } from "../model.js";
import { InputError } from "../../core/input/index.js";
import { MAX_LINE, parseQuotedMap } from "./text.js";

const TOTAL = "goroutine profile: total ";

/** Index of the "goroutine profile: total N" line, or -1. */
export function findDebug1Start(text: string): number {
  if (text.startsWith(TOTAL)) return 0;
  const i = text.indexOf("\n" + TOTAL);
  return i < 0 ? -1 : i + 1;
}

export function parseGoroutineDebug1(text: string, file: string, start: number): GoroutineDump {
  const warnings: string[] = [];
  const goroutines: Goroutine[] = [];
  let pos = start;
  let lineNo = countLines(text, start);
  let cur: Goroutine | null = null;
  // the record's "@ addresses" and the pc of its first printed frame, to find the hidden ones
  let pcs: number[] = [];
  let firstPc = -1;
  const finish = () => {
    if (cur !== null && firstPc >= 0) {
      // A printed frame shows pc-1 (the call instruction); "@" lists return addresses.
      const i = pcs.indexOf(firstPc + 1);
      if (i > 0) cur.hiddenPcs = pcs.slice(0, i);
    }
    cur = null;
    pcs = [];
    firstPc = -1;
  };
  let claimed: number | null = null;
  const n = text.length;
  while (pos < n) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = n;
    lineNo++;
    if (nl - pos > MAX_LINE) {
      warnings.push(`${file}: line ${lineNo}: ${nl - pos}-byte line skipped`);
      pos = nl + 1;
      cur = null;
      continue;
    }
    let line = text.slice(pos, nl);
    pos = nl + 1;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (claimed === null) {
      claimed = Number(line.slice(TOTAL.length));
      if (!Number.isInteger(claimed)) throw new InputError(file, "malformed goroutine profile header", undefined, lineNo);
      continue;
    }
    if (line === "") {
      finish();
      continue;
    }
    if (line.charCodeAt(0) === 35 /* # */) {
      if (cur === null) continue;
      if (line.startsWith("# labels: ")) {
        cur.labels = parseQuotedMap(line.slice(10));
        continue;
      }
      const fr = parseCommentFrame(line);
      if (fr !== null) {
        if (cur.frames.length === 0) firstPc = framePc(line);
        cur.frames.push(fr);
      }
      continue;
    }
    const at = line.indexOf(" @ ");
    const count = at > 0 ? Number(line.slice(0, at)) : NaN;
    if (!Number.isInteger(count) || count < 0) {
      // The profile ends here (other output follows); keep what we have.
      if (goroutines.length === 0) throw new InputError(file, "malformed goroutine profile record", undefined, lineNo);
      warnings.push(`${file}: line ${lineNo}: text after the goroutine profile skipped`);
      break;
    }
    finish();
    cur = newGoroutine(0, count, lineNo);
    goroutines.push(cur);
    pcs = line
      .slice(at + 3)
      .split(" ")
      .map((x) => parseInt(x, 16))
      .filter((x) => Number.isFinite(x));
  }
  finish();
  if (claimed === null) throw new InputError(file, "no goroutine profile header", undefined, lineNo);
  return { format: "goroutine-debug1", goroutines, header: [], claimedTotal: claimed, warnings };
}

/** "#\t0x48e184\ttime.Sleep+0x164\t/usr/local/go/src/runtime/time.go:363" (tabs repeated for alignment). */
function parseCommentFrame(line: string): GoFrame | null {
  const f = line.split("\t").filter((x) => x !== "");
  if (f.length < 4) return null;
  const fn = f[2]!;
  const plus = fn.lastIndexOf("+0x");
  const func = plus > 0 ? fn.slice(0, plus) : fn;
  const offset = plus > 0 ? parseInt(fn.slice(plus + 3), 16) : -1;
  const loc = f.slice(3).join("\t");
  const colon = loc.lastIndexOf(":");
  const ln = colon > 0 ? Number(loc.slice(colon + 1)) : NaN;
  return {
    func,
    args: "",
    file: colon > 0 ? loc.slice(0, colon) : loc,
    line: Number.isInteger(ln) ? ln : 0,
    offset: Number.isFinite(offset) ? offset : -1,
  };
}

/** The pc printed in a frame line ("#\t0x48e184\t..."), -1 when unreadable. */
function framePc(line: string): number {
  const f = line.split("\t").filter((x) => x !== "");
  const pc = f.length > 1 ? parseInt(f[1]!, 16) : NaN;
  return Number.isFinite(pc) ? pc : -1;
}

function countLines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
