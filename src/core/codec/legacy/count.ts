// Go count profiles in debug=1 text: "goroutine profile: total N",
// "threadcreate profile: total N" (any "<name> profile: total N") — pprof's parseGoCount.
//
// Like pprof, every `#` line is skipped: the frame comments and also the
// `# labels: {...}` lines goroutine profiles carry, so labels are not read.

import {
  LegacyParseError,
  LineScanner,
  LocationIndex,
  LProfile,
  Unrecognized,
  excerpt,
  isSpaceOrComment,
  parseHexUint64,
  parseInt64Base0,
  type LLocation,
} from "./common.js";
import { parseAdditionalSections } from "./memory-map.js";

const countStartRE = /^([^\t\n\f\r ]+) profile: total \d+$/;
const countRE = /^(\d+) @((?: 0x[0-9a-f]+)+)$/;

/** pprof's parseGoCount. src is the input as latin1. Returns the profile and its type name. */
export function parseGoCount(src: string): { profile: LProfile; name: string } {
  const s = new LineScanner(src);
  // Skip comments at the beginning of the file.
  while (s.scan() && isSpaceOrComment(s.text())) {
    // skip
  }
  s.check();
  const m = countStartRE.exec(s.text());
  if (m === null) throw new Unrecognized();
  const name = m[1];
  const p = new LProfile();
  p.periodType = { type: name, unit: "count" };
  p.period = 1;
  p.sampleTypes = [{ type: name, unit: "count" }];

  const locs = new LocationIndex(p);
  while (s.scan()) {
    const line = s.text();
    if (isSpaceOrComment(line)) continue;
    if (line.startsWith("---")) break;
    const c = countRE.exec(line);
    const n = c ? parseInt64Base0(c[1]) : null;
    if (c === null || n === null) {
      throw new LegacyParseError(`${name} profile: malformed line ${excerpt(line)} (want "COUNT @ 0x... 0x...")`, s.lineNo);
    }
    const sloc: LLocation[] = [];
    for (const f of c[2].split(" ")) {
      if (f === "") continue;
      if (f.length > 18 && parseHexUint64(f) === null) {
        throw new LegacyParseError(`${name} profile: address out of range: ${f}`, s.lineNo);
      }
      // Adjust all frames by -1 to land on the call instruction.
      sloc.push(locs.hex(f, 1));
    }
    p.samples.push({ locs: sloc, values: [n] });
  }
  s.check();
  parseAdditionalSections(s, p);
  return { profile: p, name };
}
