// Search: a regexp (case-insensitive when all lower case; a literal when it does not
// compile) highlights matching frames, reports their share of the total (outermost
// matches only, as pprof's --focus) and filters the top table.

import { drawPane } from "./draw.js";
import { pct } from "./format.js";
import type { ViewerState } from "./state.js";
import { fillTable } from "./table.js";

export function compileSearch(q: string): RegExp | null {
  if (q === "") return null;
  const flags = q === q.toLowerCase() ? "i" : "";
  try {
    return new RegExp(q, flags);
  } catch {
    return new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), flags);
  }
}

export function doSearch(s: ViewerState, q: string): { matched: number; percent: string } {
  const { meta, ui } = s;
  const re = compileSearch(q);
  if (re === null) {
    s.matchFrame = null;
    ui.match.textContent = "";
  } else {
    const m = new Uint8Array(meta.names.length);
    for (let f = 1; f < meta.names.length; f++) if (re.test(meta.names[f])) m[f] = 1;
    s.matchFrame = m;
  }
  let matched = 0;
  const t = s.panes[0].tree;
  const matchFrame = s.matchFrame;
  if (matchFrame !== null) {
    for (let i = 0; i < t.n; ) {
      if (matchFrame[t.frame[i]] === 1) {
        matched += t.totA[i] + t.totB[i];
        i = t.end[i];
      } else i++;
    }
    ui.match.textContent = `matched ${pct(matched, t.totA[0] + t.totB[0])} of total`;
  }
  for (const p of s.panes) drawPane(s, p);
  fillTable(s, re);
  return { matched, percent: pct(matched, t.totA[0] + t.totB[0]) };
}
