// Read any goroutine dump, recognised by content: gzip is unwrapped, a protobuf
// goroutine profile (debug=0) goes through the pprof decoder, text is debug=1
// ("goroutine profile: total N") or debug=2/traceback ("goroutine N [...]:"),
// whichever appears first. Text around the dump is skipped.

import type { GoFrame, Goroutine, GoroutineDump } from "../model.js";
import type { Profile } from "../../core/model/index.js";
import { InputError, type ReadLimits, maybeGunzip, readFileCapped, textOf } from "../../core/input/index.js";
import { findDebug1Start, parseGoroutineDebug1 } from "./debug1.js";
import { parseGoroutineBytes } from "./text.js";
import { decodeProfile, isProbablyProto } from "../../core/codec/index.js";
import { looksBinary } from "../../core/kinds/index.js";

export function readGoroutineFile(path: string, limits: ReadLimits): GoroutineDump {
  return parseGoroutineData(readFileCapped(path, limits), path, limits);
}

export function parseGoroutineData(data: Uint8Array, file: string, limits: ReadLimits): GoroutineDump {
  if (data.length === 0) throw new InputError(file, "empty input file", 0);
  const raw = maybeGunzip(data, file, limits);
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
  if (d1 >= 0) {
    const text = textOf(raw, file);
    return parseGoroutineDebug1(text, file, findDebug1Start(text));
  }
  return parseGoroutineBytes(raw, file);
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
