// Legacy Java profiles: "--- heapz 1 ---" / "--- contentionz 1 ---" text with
// "format = java", and the symbol table that follows Java binary CPU samples —
// pprof's legacy_java_profile.go. Locations come out symbolized, address 0.

import {
  LegacyParseError,
  LProfile,
  Unrecognized,
  excerpt,
  locationFor,
  parseHexAddresses,
  parseInt64,
  parseInt64Base0,
  trimSpace,
  type LFunction,
  type LLocation,
} from "./legacy-common.js";
import { scaleHeapSample } from "./legacy-heap.js";
import { remapFunctionIDs, remapLocationIDs, remapMappingIDs } from "./memory-map.js";

const attributeRx = /([\w ]+)=([\w ]+)/;
const javaSampleRx = / *(\d+) +(\d+) +@ +([ x0-9a-f]*)/;
// Go's "." also matches "\r"; [^\n] does the same here.
const javaLocationRx = /^[\t\n\f\r ]*0x([0-9A-Fa-f]+)[\t\n\f\r ]+([^\n]*)[\t\n\f\r ]*$/;
const javaLocationFileLineRx = /^([^\n]*)[\t\n\f\r ]+\(([^\n]+):(-?[0-9]+)\)$/;
const javaLocationPathRx = /^([^\n]*)[\t\n\f\r ]+\(([^\n]*)\)$/;

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
    const h = attributeRx.exec(line);
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
): { pos: number; locs: Map<bigint, LLocation> } {
  const locs = new Map<bigint, LLocation>();
  for (const [raw, start] of terminatedLines(s, from)) {
    const line = trimSpace(raw);
    if (line === "") continue;
    const m = javaSampleRx.exec(line);
    if (m === null) return { pos: start, locs };
    // Java puts the fields the other way round.
    let addrs: bigint[];
    try {
      addrs = parseHexAddresses(m[3]);
    } catch (e) {
      throw new LegacyParseError(`java profile: malformed sample ${excerpt(line)}: ${(e as Error).message}`);
    }
    const sloc = addrs.map((a) => locationFor(p, locs, a));
    const v0 = parseInt64Base0(m[2]);
    const v1 = parseInt64Base0(m[1]);
    if (v0 === null || v1 === null) throw new LegacyParseError(`java profile: parsing sample ${excerpt(line)}: value out of range`);
    const sample = { locs: sloc, values: [v0, v1], numLabels: undefined as Map<string, number[]> | undefined };
    if (pType === "heap") {
      const javaHeapzSamplingRate = 524288;
      if (v0 === 0) throw new LegacyParseError(`java profile: parsing sample ${excerpt(line)}: second value must be non-zero`);
      sample.numLabels = new Map([["bytes", [Math.trunc(v1 / v0)]]]);
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
export function parseJavaLocations(s: string, locs: Map<bigint, LLocation>, p: LProfile): void {
  const fns = new Map<string, LFunction>();
  for (const raw of s.split("\n")) {
    const line = trimSpace(raw);
    if (line === "") continue;
    const jloc = javaLocationRx.exec(line);
    if (jloc === null) continue;
    const addr = BigInt("0x" + jloc[1]);
    if (addr >> 64n !== 0n) throw new LegacyParseError(`java profile: parsing sample ${excerpt(line)}: value out of range`);
    const loc = locs.get(addr);
    if (loc === undefined) continue;
    let lineFunc: string;
    let lineFile = "";
    let lineNo = 0;
    const fl = javaLocationFileLineRx.exec(jloc[2]);
    const fp = fl ? null : javaLocationPathRx.exec(jloc[2]);
    if (fl) {
      [lineFunc, lineFile] = [fl[1], fl[2]];
      const n = parseInt64(fl[3]);
      if (n !== null && n > 0) lineNo = n;
    } else if (fp) {
      // A shared library path: only its base name is interesting.
      [lineFunc, lineFile] = [fp[1], baseName(fp[2])];
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
