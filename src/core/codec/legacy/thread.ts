// Legacy C++ thread dumps ("--- threadz 1 ---" then "--- Thread ... stack: ---"
// blocks) — pprof's parseThread. One sample per thread; "[same as previous
// thread]" bumps the previous sample's count.

import {
  LegacyParseError,
  LineScanner,
  LocationIndex,
  LProfile,
  Unrecognized,
  cleanupDuplicateLocations,
  excerpt,
  isSpaceOrComment,
  parseHexAddresses,
  trimSpace,
} from "./common.js";
import { GuardedRegExp } from "./regexp.js";
import { isMemoryMapSentinel, parseAdditionalSections } from "./memory-map.js";

const threadzStartRE = /--- threadz \d+ ---/;
const threadStartRE = new GuardedRegExp(
  /--- Thread ([0-9A-Fa-f]+) \(name: ([^\n]*)\/(\d+)\) stack: ---/,
  String.raw`--- Thread ([[:xdigit:]]+) \(name: (.*)/(\d+)\) stack: ---`,
);

/** pprof's parseThread. src is the input as latin1. */
export function parseThread(src: string): LProfile {
  const s = new LineScanner(src);
  while (s.scan() && isSpaceOrComment(s.text())) {
    // skip
  }
  let line = s.text();
  if (threadzStartRE.test(line)) {
    // Advance over comments to the first stack trace.
    while (s.scan()) {
      line = s.text();
      if (isMemoryMapSentinel(line) || line.startsWith("-")) break;
    }
  } else if (!threadStartRE.test(line)) {
    throw new Unrecognized();
  }
  // pprof reads on after a scanner error here; we stop with it instead.
  s.check();

  const p = new LProfile();
  p.sampleTypes = [{ type: "thread", unit: "count" }];
  p.periodType = { type: "thread", unit: "count" };
  p.period = 1;
  const locs = new LocationIndex(p);
  while (!isMemoryMapSentinel(line)) {
    if (line.startsWith("---- no stack trace for")) break;
    if (!threadStartRE.test(line)) throw new Unrecognized();
    let addrs: string[] | null;
    [line, addrs] = parseThreadSample(s);
    if (addrs === null || addrs.length === 0) {
      // "[same as previous thread]": count it on the previous sample.
      if (p.samples.length > 0) p.samples[p.samples.length - 1].values[0]++;
      continue;
    }
    // Non-leaf PCs are return addresses: step back onto the call.
    const sloc = addrs.map((a, i) => locs.hex(a, i > 0 ? 1 : 0));
    p.samples.push({ locs: sloc, values: [1] });
  }
  parseAdditionalSections(s, p);
  cleanupDuplicateLocations(p);
  return p;
}

/** The addresses of one thread's stack (null for "same as previous"), and the line after it. */
function parseThreadSample(s: LineScanner): [string, string[] | null] {
  let line = "";
  let same = false;
  const addrs: string[] = [];
  while (s.scan()) {
    line = trimSpace(s.text());
    if (line === "") continue;
    if (line.startsWith("---")) break;
    if (line.includes("same as previous thread")) {
      same = true;
      continue;
    }
    try {
      addrs.push(...parseHexAddresses(line));
    } catch (e) {
      throw new LegacyParseError(`thread profile: malformed sample ${excerpt(line)}: ${(e as Error).message}`, s.lineNo);
    }
  }
  s.check();
  return [line, same ? null : addrs];
}
