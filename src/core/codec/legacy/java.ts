// Legacy Java profiles: "--- heapz 1 ---" / "--- contentionz 1 ---" text with
// "format = java", and the symbol table that follows Java binary CPU samples —
// pprof's legacy_java_profile.go. Locations come out symbolized, address 0.

import {
  LegacyParseError,
  LocationIndex,
  LProfile,
  Unrecognized,
  excerpt,
  parseHexAddresses,
  parseInt64,
  parseInt64Base0,
  trimSpace,
  type LFunction,
  type LSample,
} from "./common.js";
import { scaleHeapSample } from "./heap.js";
import { execAtRunStarts, isDigit } from "./regexp.js";
import { remapFunctionIDs, remapLocationIDs, remapMappingIDs } from "./memory-map.js";

// Java lines have no length limit, so the unanchored patterns are tried once
// per run (execAtRunStarts) and the backtracking-heavy ones are matched by hand.
// pprof: attributeRx `([\w ]+)=([\w ]+)`, javaSampleRx ` *(\d+) +(\d+) +@ +([ x0-9a-f]*)`.
const attributeRx = /([\w ]+)=([\w ]+)/y;
const isAttrChar = (c: number): boolean => c === 32 || c === 95 || (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);
const javaSampleRx = /(\d+) +(\d+) +@ +([ x0-9a-f]*)/y;
// Go's "." also matches "\r"; [^\n] does the same here.
const javaLocationRx = /^[\t\n\f\r ]*0x([0-9A-Fa-f]+)[\t\n\f\r ]+([^\n]*)[\t\n\f\r ]*$/;
const isGoSpace = (ch: string | undefined): boolean => ch === " " || ch === "\t" || ch === "\n" || ch === "\f" || ch === "\r";

/** The last "(" that has whitespace before it and lies in [1, maxOpen]; -1 if none. */
function lastSpacedParen(s: string, maxOpen: number): number {
  for (let o = s.lastIndexOf("(", maxOpen); o >= 1; o = s.lastIndexOf("(", o - 1)) {
    if (isGoSpace(s[o - 1])) return o;
  }
  return -1;
}

/** `^(.*)\s+\((.+):(-?\d+)\)$`: "func (file:line)". */
export function matchFileLine(s: string): [string, string, string] | null {
  const n = s.length;
  if (s[n - 1] !== ")") return null;
  let d = n - 1;
  while (d > 0 && isDigit(s.charCodeAt(d - 1))) d--;
  if (d === n - 1) return null;
  let c: number;
  if (s[d - 1] === "-" && s[d - 2] === ":") c = d - 2;
  else if (s[d - 1] === ":") c = d - 1;
  else return null;
  const o = lastSpacedParen(s, c - 2);
  if (o < 0) return null;
  return [s.slice(0, o - 1), s.slice(o + 1, c), s.slice(c + 1, n - 1)];
}

/** `^(.*)\s+\((.*)\)$`: "func (path)". */
export function matchPath(s: string): [string, string] | null {
  const n = s.length;
  if (s[n - 1] !== ")") return null;
  const o = lastSpacedParen(s, n - 2);
  if (o < 0) return null;
  return [s.slice(0, o - 1), s.slice(o + 1, n - 1)];
}

/** Lines of s that end in "\n" (a final unterminated line is not visited, as in pprof), with the rest after each. */
function* terminatedLines(s: string, from = 0): Generator<[line: string, start: number]> {
  let pos = from;
  for (let nl = s.indexOf("\n", pos); nl >= 0; nl = s.indexOf("\n", pos)) {
    yield [s.slice(pos, nl), pos];
    pos = nl + 1;
  }
}

/** pprof's parseJavaProfile (heapz / contentionz text). */
export function parseJavaProfile(src: string): LProfile {
  const nl = src.indexOf("\n");
  if (nl < 0) throw new Unrecognized();
  let pType: "heap" | "contention";
  switch (trimSpace(src.slice(0, nl))) {
    case "--- heapz 1 ---":
      pType = "heap";
      break;
    case "--- contentionz 1 ---":
      pType = "contention";
      break;
    default:
      throw new Unrecognized();
  }
  const p = new LProfile();
  p.periodType = { type: "", unit: "" };
  let pos = parseJavaHeader(pType, src, nl + 1, p);
  const res = parseJavaSamples(pType, src, pos, p);
  pos = res.pos;
  parseJavaLocations(src.slice(pos), res.locs, p);
  stripAddresses(p);
  return p;
}

/** The "attribute = value" lines; returns the offset of the first other line. */
function parseJavaHeader(pType: string, s: string, from: number, p: LProfile): number {
  for (const [raw, start] of terminatedLines(s, from)) {
    const line = trimSpace(raw);
    if (line === "") continue;
    const h = execAtRunStarts(attributeRx, line, isAttrChar);
    if (h === null) return start;
    const attribute = trimSpace(h[1]);
    const value = trimSpace(h[2]);
    switch (`${pType}/${attribute}`) {
      case "heap/format":
      case "cpu/format":
      case "contention/format":
        if (value !== "java") throw new Unrecognized();
        break;
      case "heap/resolution":
        p.sampleTypes = [
          { type: "inuse_objects", unit: "count" },
          { type: "inuse_space", unit: value },
        ];
        break;
      case "contention/resolution":
        p.sampleTypes = [
          { type: "contentions", unit: "count" },
          { type: "delay", unit: value },
        ];
        break;
      case "contention/sampling period": {
        p.periodType = { type: "contentions", unit: "count" };
        const v = parseInt64Base0(value);
        if (v === null) throw new LegacyParseError(`java profile: failed to parse attribute ${excerpt(line)}`);
        p.period = v;
        break;
      }
      case "contention/ms since reset": {
        const v = parseInt64Base0(value);
        if (v === null) throw new LegacyParseError(`java profile: failed to parse attribute ${excerpt(line)}`);
        p.durationNanos = v * 1000 * 1000;
        break;
      }
      default:
        throw new Unrecognized();
    }
  }
  return Math.max(from, s.lastIndexOf("\n") + 1);
}

function parseJavaSamples(
  pType: string,
  s: string,
  from: number,
  p: LProfile,
): { pos: number; locs: LocationIndex } {
  const locs = new LocationIndex(p);
  for (const [raw, start] of terminatedLines(s, from)) {
    const line = trimSpace(raw);
    if (line === "") continue;
    const m = execAtRunStarts(javaSampleRx, line, isDigit);
    if (m === null) return { pos: start, locs };
    // Java puts the fields the other way round.
    let addrs: string[];
    try {
      addrs = parseHexAddresses(m[3]);
    } catch (e) {
      throw new LegacyParseError(`java profile: malformed sample ${excerpt(line)}: ${(e as Error).message}`);
    }
    const sloc = addrs.map((a) => locs.hex(a, 0));
    const v0 = parseInt64Base0(m[2]);
    const v1 = parseInt64Base0(m[1]);
    if (v0 === null || v1 === null) throw new LegacyParseError(`java profile: parsing sample ${excerpt(line)}: value out of range`);
    const sample: LSample = { locs: sloc, values: [v0, v1] };
    if (pType === "heap") {
      const javaHeapzSamplingRate = 524288;
      if (v0 === 0) throw new LegacyParseError(`java profile: parsing sample ${excerpt(line)}: second value must be non-zero`);
      sample.numLabels = [["bytes", [Math.trunc(v1 / v0)]]];
      sample.values = scaleHeapSample(v0, v1, javaHeapzSamplingRate);
    } else if (p.period !== 0) {
      sample.values = [v0 * p.period, v1 * p.period];
    }
    p.samples.push(sample);
  }
  return { pos: Math.max(from, s.lastIndexOf("\n") + 1), locs };
}

/** filepath.Base on a slash path. */
function baseName(path: string): string {
  if (path === "") return ".";
  const t = path.replace(/\/+$/, "");
  if (t === "") return "/";
  return t.slice(t.lastIndexOf("/") + 1);
}

/** "0xADDR function (file:line)" lines name the sampled addresses. */
export function parseJavaLocations(s: string, locs: LocationIndex, p: LProfile): void {
  const fns = new Map<string, LFunction>();
  for (const raw of s.split("\n")) {
    const line = trimSpace(raw);
    if (line === "") continue;
    const jloc = javaLocationRx.exec(line);
    if (jloc === null) continue;
    const addr = BigInt("0x" + jloc[1]);
    if (addr >> 64n !== 0n) throw new LegacyParseError(`java profile: parsing sample ${excerpt(line)}: value out of range`);
    const loc = locs.lookup(addr);
    if (loc === undefined) continue;
    let lineFunc: string;
    let lineFile = "";
    let lineNo = 0;
    const fl = matchFileLine(jloc[2]);
    const fp = fl ? null : matchPath(jloc[2]);
    if (fl) {
      [lineFunc, lineFile] = [fl[0], fl[1]];
      const n = parseInt64(fl[2]);
      if (n !== null && n > 0) lineNo = n;
    } else if (fp) {
      // A shared library path: only its base name is interesting.
      [lineFunc, lineFile] = [fp[0], baseName(fp[1])];
    } else if (jloc[2].includes("generated stub/JIT")) {
      lineFunc = "STUB";
    } else {
      // Internal states such as "GC" or "VM".
      lineFunc = jloc[2];
    }
    let fn = fns.get(lineFunc);
    if (fn === undefined) {
      fn = { id: 0, name: lineFunc, systemName: lineFunc, filename: lineFile, startLine: 0 };
      fns.set(lineFunc, fn);
      p.functions.push(fn);
    }
    loc.lines = [{ fn, line: lineNo, column: 0 }];
    loc.address = 0n;
  }
  remapLocationIDs(p);
  remapFunctionIDs(p);
  remapMappingIDs(p);
}

/** Aggregate(inline, function, filename, linenumber, !column, !address): drop addresses for better merging. */
export function stripAddresses(p: LProfile): void {
  for (const l of p.locations) {
    l.address = 0n;
    for (const ln of l.lines) ln.column = 0;
  }
}
