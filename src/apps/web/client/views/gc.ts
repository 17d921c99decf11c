// GC charts from gctrace logs (uPlot, in a chunk of our own bundle): STW pause per cycle,
// heap (start, end, live, goal), and the GC's CPU share since start, over time.

import { h } from "../dom.js";
import { getJson } from "../http.js";
import type { ViewContext } from "../context.js";
import type { GcSeries as Series } from "../../../../api/serve-wire.js";

const COLORS = ["#c0392b", "#2471a3", "#27ae60", "#8e44ad"];

export async function gcView(v: ViewContext): Promise<void> {
  const [all, mod] = await Promise.all([getJson<Series[]>("/api/gc"), import("uplot")]);
  const UPlot = mod.default;
  if (all.length === 0) {
    v.el.append(h("p", {}, "No gctrace log (GODEBUG=gctrace=1 output) among the inputs."));
    return;
  }
  const width = Math.max(400, Math.min(1200, v.el.clientWidth - 20));
  for (const s of all) {
    v.el.append(h("h3", {}, `${s.file}: ${s.atSec.length} GC cycles`));
    const chart = (title: string, unit: string, names: string[], ys: number[][]) => {
      const box = h("div", { class: "chart", "data-title": title });
      v.el.append(box);
      new UPlot(
        {
          title,
          width,
          height: 220,
          scales: { x: { time: false } },
          axes: [{ label: "seconds since start" }, { label: unit }],
          series: [{ label: "s" }, ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5 }))],
        },
        [s.atSec, ...ys],
        box,
      );
    };
    chart("STW pause per cycle", "ms", ["pause"], [s.pauseMs]);
    chart("heap", "MB", ["at start", "at end", "live", "goal"], [s.heapStartMB, s.heapEndMB, s.liveMB, s.goalMB]);
    chart("GC CPU since start", "%", ["GC CPU"], [s.cpuPercent]);
  }
}
