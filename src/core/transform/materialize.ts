// Turn a filtered view back into a standalone Profile (for -raw after filters,
// and for writing filtered profiles). Functions, mappings and strings are shared
// with the source; samples, labels and location line lists are rebuilt. Like
// pprof, unused locations are kept (no compaction).

import { copyHeader, Profile } from "../model/index.js";
import type { ProfileView } from "./view.js";

export function materialize(view: ProfileView): Profile {
  const p = view.p;
  const nt = p.sampleTypes.length;
  const n = view.sampleCount;
  const values = new Float64Array(n * nt);
  const labelStart = new Uint32Array(n + 1);
  const lk: number[] = [];
  const ls: number[] = [];
  const ln: number[] = [];
  const lu: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = view.sampleRow[i];
    values.set(p.samples.values.subarray(row * nt, row * nt + nt), i * nt);
    labelStart[i] = lk.length;
    view.forEachLabel(i, (r) => {
      lk.push(p.labels.key[r]);
      ls.push(p.labels.str[r]);
      ln.push(p.labels.num[r]);
      lu.push(p.labels.unit[r]);
    });
  }
  labelStart[n] = lk.length;

  // Location lines: copy the selected line rows into a fresh line table.
  const nLoc = p.locations.length;
  const lineStart = new Uint32Array(nLoc + 1);
  const total = view.locLineStart[nLoc];
  const func = new Int32Array(total);
  const line = new Float64Array(total);
  const column = new Float64Array(total);
  for (let k = 0; k < total; k++) {
    const src = view.locLines[k];
    func[k] = p.lines.func[src];
    line[k] = p.lines.line[src];
    column[k] = p.lines.column[src];
  }
  lineStart.set(view.locLineStart);

  const out = new Profile({
    strings: p.strings,
    functions: p.functions,
    locations: { ...p.locations, lineStart },
    lines: { length: total, func, line, column },
    samples: {
      length: n,
      values,
      stackStart: view.stackStart.slice(),
      stack: view.stack.slice(0, view.stackStart[n]),
      labelStart,
    },
    labels: {
      length: lk.length,
      key: Uint32Array.from(lk),
      str: Uint32Array.from(ls),
      num: Float64Array.from(ln),
      unit: Uint32Array.from(lu),
    },
  });
  copyHeader(out, p);
  out.extras = p.extras;
  return out;
}
