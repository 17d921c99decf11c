// Read any goroutine dump, recognised by content: gzip is unwrapped, a protobuf
// goroutine profile (debug=0) goes through the pprof decoder, text is debug=1
// ("goroutine profile: total N") or debug=2/traceback ("goroutine N [...]:"),
// whichever appears first. Text around the dump is skipped.

import type { GoFrame, Goroutine, GoroutineDump } from "../model.js";
import type { Profile } from "../../core/model/index.js";
import { InputError, type ReadLimits, fromUtf16, maybeGunzip, readFileCapped, stripLogPrefixes, textOf } from "../../core/input/index.js";
import { findDebug1Start, parseGoroutineDebug1 } from "./debug1.js";
import { parseGoroutineBytes } from "./text.js";
import { decodeProfile, isProbablyProto } from "../../core/codec/index.js";
import { looksBinary } from "../../core/kinds/index.js";

export function readGoroutineFile(path: string, limits: ReadLimits): GoroutineDump {
  return parseGoroutineData(readFileCapped(path, limits), path, limits);
}

export function parseGoroutineData(data: Uint8Array, file: string, limits: ReadLimits): GoroutineDump {
  if (data.length === 0) throw new InputError(file, "empty input file", 0);
  const unzipped = fromUtf16(maybeGunzip(data, file, limits));
  // a traceback in a log as kubectl, docker or journalctl print it: lines behind a prefix
  const raw = looksBinary(unzipped) ? unzipped : stripLogPrefixes(unzipped);
  if (isProbablyProto(raw)) {
    let p: Profile | null = null;
    try {
      p = decodeProfile(raw, file);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
    if (p !== null) return profileToGoroutines(p, file);
  }
  if (looksBinary(raw)) {
    throw new InputError(file, "binary data that is neither a goroutine dump nor a goroutine profile", 0);
  }
  // debug=1 text is one record per distinct stack (small): it is read as a string.
  // debug=2 dumps can be 30 MB: they are parsed as bytes, never decoded whole.
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const d1 = findDebug1StartBytes(buf, firstHeader(buf));
  let dump: GoroutineDump;
  if (d1 >= 0) {
    const text = textOf(raw, file);
    dump = parseGoroutineDebug1(text, file, findDebug1Start(text));
  } else {
    dump = parseGoroutineBytes(raw, file);
  }
  const cut = truncation(dump, buf, file);
  if (cut !== undefined) {
    dump.truncation = cut;
    dump.warnings.unshift(cut);
  }
  return dump;
}

/**
 * Where a dump that should go on stops. debug=1 says its total ("goroutine profile:
 * total N"), so fewer goroutines in its records is a cut. debug=2 has no total: a dump
 * cut mid-line, or after a function line whose "\tfile:line" never came, is cut.
 * A cut exactly between two goroutines cannot be seen.
 */
function truncation(d: GoroutineDump, buf: Buffer, file: string): string | undefined {
  const n = buf.length;
  const where = `at byte ${n}`;
  if (d.format === "goroutine-debug1" && d.claimedTotal !== null) {
    let got = 0;
    for (const g of d.goroutines) got += g.count;
    if (got < d.claimedTotal) return `${file}: truncated ${where}: its records hold ${got} of the ${d.claimedTotal} goroutines its header counts`;
    return undefined;
  }
  if (d.format !== "goroutine-debug2" || n === 0) return undefined;
  if (buf[n - 1] !== 10) return `${file}: truncated ${where}: the dump ends mid-line; the last goroutine (${d.goroutines.length} read) is incomplete`;
  const prev = buf.lastIndexOf(10, n - 2);
  const last = buf.toString("latin1", prev + 1, n - 1).replace(/\r$/, "");
  // A frame is two lines, "pkg.fn(args)" then "\t/path/file.go:N +0x..": ending on the first is a cut.
  if (last !== "" && last[0] !== "\t" && /\)$/.test(last) && !last.startsWith("goroutine ")) {
    return `${file}: truncated ${where}: the last frame has no file:line; the last goroutine (${d.goroutines.length} read) is incomplete`;
  }
  return undefined;
}

const TOTAL = "goroutine profile: total ";

/** Byte offset of a "goroutine profile: total N" line before byte end, or -1. */
function findDebug1StartBytes(buf: Buffer, end: number): number {
  if (buf.length >= TOTAL.length && buf.toString("latin1", 0, TOTAL.length) === TOTAL) return 0;
  const i = buf.subarray(0, Math.min(end + TOTAL.length + 1, buf.length)).indexOf("\n" + TOTAL);
  return i < 0 || i + 1 > end ? -1 : i + 1;
}

/** Byte offset of the first debug=2 header line ("goroutine N "), or the length. */
function firstHeader(buf: Buffer): number {
  for (let i = buf.indexOf("goroutine ", 0); i >= 0; i = buf.indexOf("goroutine ", i + 1)) {
    if (i > 0 && buf[i - 1] !== 10) continue;
    const c = buf[i + 10];
    if (c !== undefined && c >= 48 && c <= 57) return i;
  }
  return buf.length;
}

/** A goroutine profile (proto): one record per sample, its count as value, frames from the symbolized lines. */
export function profileToGoroutines(p: Profile, file: string): GoroutineDump {
  const st = p.sampleTypes;
  if (st.length === 0 || st[0]!.type !== "goroutine") {
    const kind = st.map((t) => t.type).join("/") || "unknown";
    throw new InputError(file, `a ${kind} profile, not a goroutine dump or goroutine profile`);
  }
  const nv = st.length;
  const S = p.samples;
  const L = p.locations;
  const goroutines: Goroutine[] = [];
  let unsymbolized = 0;
  for (let s = 0; s < S.length; s++) {
    const frames: GoFrame[] = [];
    for (let k = S.stackStart[s]!; k < S.stackStart[s + 1]!; k++) {
      const loc = S.stack[k]!;
      const a = L.lineStart[loc]!;
      const b = L.lineStart[loc + 1]!;
      if (a === b) {
        unsymbolized++;
        frames.push({ func: `0x${L.address[loc]!.toString(16)}`, args: "", file: "", line: 0, offset: -1 });
      }
      for (let j = a; j < b; j++) {
        const fn = p.lines.func[j]!;
        frames.push({
          func: fn >= 0 ? p.str(p.functions.name[fn]!) : "?",
          args: "",
          file: fn >= 0 ? p.str(p.functions.filename[fn]!) : "",
          line: p.lines.line[j]!,
          offset: -1,
        });
      }
    }
    const labels: Record<string, string> = {};
    for (let k = S.labelStart[s]!; k < S.labelStart[s + 1]!; k++) {
      const str = p.labels.str[k]!;
      if (str !== 0) labels[p.str(p.labels.key[k]!)] = p.str(str);
    }
    goroutines.push({
      id: 0,
      state: "",
      flags: [],
      waitMinutes: 0,
      lockedToThread: false,
      frames,
      elided: 0,
      createdBy: null,
      ancestors: [],
      labels,
      count: S.values[s * nv]!,
      stackUnavailable: false,
      sourceLine: 0,
    });
  }
  const warnings = unsymbolized > 0 ? [`${file}: ${unsymbolized} unsymbolized frames shown as addresses`] : [];
  return { format: "goroutine-proto", goroutines, header: [], claimedTotal: null, warnings };
}
