// JSON rendering of `godiag gc` (docs/JSON.md): the GcReport, indented, with one
// line per GC cycle (a log can hold thousands). Infinity (no GC / unbounded
// goal) is written as null.

import type { GcReport } from "../analyze/analyze.js";

const PLACEHOLDER = "\u0000cycles\u0000";

const finite = (_k: string, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v);

export function renderGcJson(r: GcReport): string {
  const cycles = r.gctrace?.cycles;
  const doc = cycles ? { ...r, gctrace: { ...r.gctrace!, cycles: PLACEHOLDER } } : r;
  let s = JSON.stringify(doc, finite, 2);
  if (cycles) {
    const rows = cycles.map((c) => "      " + JSON.stringify(c, finite));
    s = s.replace(JSON.stringify(PLACEHOLDER), rows.length ? "[\n" + rows.join(",\n") + "\n    ]" : "[]");
  }
  return s + "\n";
}
