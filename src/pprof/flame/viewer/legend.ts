// The colour legend under the tool bar, for the current colour mode.

import { escapeHtml } from "../../../core/html/index.js";
import { diffColor } from "../colors.js";
import { pct } from "./format.js";
import type { ViewerState } from "./state.js";

export function setLegend(s: ViewerState): void {
  const { meta, ui } = s;
  if (s.colorMode === "wait") {
    const t = s.main;
    const share = new Float64Array(meta.waitClasses.length + 1);
    // A stack's wait is the class of its leafmost classified frame: sum selfs by the class on the path.
    for (let i = 1; i < t.n; i++) {
      if (t.selfA[i] === 0 && t.selfB[i] === 0) continue;
      let c = 0;
      for (let a = i; a > 0 && c === 0; a = t.parent[a]) c = t.cls[a];
      share[c] += t.selfA[i] + t.selfB[i];
    }
    const total = t.totA[0] + t.totB[0];
    const items: string[] = [];
    for (let c = 1; c < share.length; c++) {
      if (share[c] === 0) continue;
      items.push(`<span class="gdf-key"><i style="background:${meta.waitColors[c - 1]}"></i>${escapeHtml(meta.waitClasses[c - 1])} ${pct(share[c], total)}</span>`);
    }
    items.push(`<span class="gdf-key"><i style="background:${meta.notWaiting}"></i>not waiting ${pct(share[0], total)}</span>`);
    ui.legend.innerHTML = items.join("");
  } else if (s.colorMode === "diff") {
    ui.legend.innerHTML = `<span class="gdf-key"><i style="background:${diffColor(1, 0)}"></i>grew</span><span class="gdf-key"><i style="background:${diffColor(0, 1)}"></i>shrank</span><span class="gdf-key">width = base + new</span>`;
  } else {
    ui.legend.innerHTML = `<span class="gdf-key"><i style="background:hsl(35,88%,63%)"></i>user code</span><span class="gdf-key"><i style="background:hsl(205,62%,66%)"></i>standard library</span><span class="gdf-key"><i style="background:hsl(265,24%,73%)"></i>runtime</span>`;
  }
}
