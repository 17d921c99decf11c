// Legacy contention profiles: C++ "--- contentionz 1 ---" and Go's debug=1
// mutex/block text ("--- mutex:", "--- contention:") — pprof's parseContention.
// Header "key = value" lines set the period and clock rate used to unsample.

import {
  LegacyParseError,
  LineScanner,
  LocationIndex,
  LProfile,
  Unrecognized,
  excerpt,
  isSpaceOrComment,
  parseHexAddresses,
  parseInt64,
  parseInt64Base0,
  trimSpace,
} from "./common.js";
import { isDigit } from "./regexp.js";
import { parseAdditionalSections } from "./memory-map.js";

/**
 * pprof's contentionSampleRE `(\d+) *(\d+) @([ x0-9a-f]*)`, unanchored, matched
 * by hand: V8 backtracks cubically on long digit runs. From a digit run
 * [r,e) the regex either takes the whole run, spaces and a second run before
 * " @", or — when the run itself is followed by " @" — splits its last digit
 * off as the second number (e.g. "12 @" gives 1 and 2).
 */
export function matchContentionSample(s: string): [string, string, string] | null {
  const n = s.length;
  const tail = (p: number): string => {
    let q = p;
    while (q < n && /[ x0-9a-f]/.test(s[q])) q++;
    return s.slice(p, q);
  };
  let i = 0;
  while (i < n) {
    if (!isDigit(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const r = i;
    let e = r;
    while (e < n && isDigit(s.charCodeAt(e))) e++;
    let k = e;
    while (k < n && s[k] === " ") k++;
    if (k > e && k < n && isDigit(s.charCodeAt(k))) {
      let e2 = k;
      while (e2 < n && isDigit(s.charCodeAt(e2))) e2++;
      if (s[e2] === " " && s[e2 + 1] === "@") return [s.slice(r, e), s.slice(k, e2), tail(e2 + 2)];
    }
    if (e - r >= 2 && s[e] === " " && s[e + 1] === "@") return [s.slice(r, e - 1), s.slice(e - 1, e), tail(e + 2)];
    i = e;
  }
  return null;
}

/** pprof's parseContention. src is the input as latin1. */
export function parseContention(src: string): LProfile {
  const s = new LineScanner(src);
  if (!s.scan()) {
    s.check();
    throw new Unrecognized();
  }
  const first = s.text();
  if (!first.startsWith("--- contentionz ") && !first.startsWith("--- mutex:") && !first.startsWith("--- contention:")) {
    throw new Unrecognized();
  }
  const p = new LProfile();
  p.periodType = { type: "contentions", unit: "count" };
  p.period = 1;
  p.sampleTypes = [
    { type: "contentions", unit: "count" },
    { type: "delay", unit: "nanoseconds" },
  ];

  let cpuHz = 0;
  // "attribute = value" lines before the samples.
  while (s.scan()) {
    const line = trimSpace(s.text());
    if (isSpaceOrComment(line)) continue;
    if (line.startsWith("---")) break;
    const eq = line.indexOf("=");
    if (eq < 0) break;
    const key = trimSpace(line.slice(0, eq));
    const val = trimSpace(line.slice(eq + 1));
    switch (key) {
      case "cycles/second": {
        const v = parseInt64Base0(val);
        if (v === null) throw new Unrecognized();
        cpuHz = v;
        break;
      }
      case "sampling period": {
        const v = parseInt64Base0(val);
        if (v === null) throw new Unrecognized();
        p.period = v;
        break;
      }
      case "ms since reset": {
        const v = parseInt64Base0(val);
        if (v === null) throw new Unrecognized();
        p.durationNanos = v * 1000 * 1000;
        break;
      }
      case "discarded samples":
        break;
      default:
        // includes "format" and "resolution", which only Java writes
        throw new Unrecognized();
    }
  }
  s.check();

  const locs = new LocationIndex(p);
  for (;;) {
    const line = trimSpace(s.text());
    if (line.startsWith("---")) break;
    if (!isSpaceOrComment(line)) {
      const { value, addrs } = parseContentionSample(line, s.lineNo, p.period, cpuHz);
      // Return addresses: step back onto the call.
      const sloc = addrs.map((a) => locs.hex(a, 1));
      p.samples.push({ locs: sloc, values: value });
    }
    if (!s.scan()) break;
  }
  s.check();
  parseAdditionalSections(s, p);
  return p;
}

function parseContentionSample(
  line: string,
  lineNo: number,
  period: number,
  cpuHz: number,
): { value: number[]; addrs: string[] } {
  const m = matchContentionSample(line);
  // pprof gives up on this format here and tries the next one.
  if (m === null) throw new Unrecognized();
  let v1 = parseInt64(m[0]);
  let v2 = parseInt64(m[1]);
  if (v1 === null || v2 === null) {
    throw new LegacyParseError(`contention profile: malformed sample ${excerpt(line)}: value out of range`, lineNo);
  }
  // Unsample: delays from cycles to nanoseconds, counts by the sampling period.
  if (period > 0) {
    if (cpuHz > 0) {
      const cpuGHz = cpuHz / 1e9;
      v1 = Math.trunc((v1 * period) / cpuGHz);
    }
    v2 = v2 * period;
  }
  let addrs: string[];
  try {
    addrs = parseHexAddresses(m[2]);
  } catch (e) {
    throw new LegacyParseError(`contention profile: malformed sample ${excerpt(line)}: ${(e as Error).message}`, lineNo);
  }
  return { value: [v2, v1], addrs };
}
