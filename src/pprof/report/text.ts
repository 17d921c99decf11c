// `top` / `text`: pprof's flat text report (report.TextItems + printText).

import { percentage } from "../../core/measure/index.js";
import type { Report } from "./report.js";
import { graphReport } from "./trimmed-graph.js";

export interface TextRow {
  name: string;
  file: string;
  line: number;
  inlineLabel: string;
  flat: number;
  cum: number;
}

export interface TextReport {
  labels: string[];
  rows: TextRow[];
}

export function textItems(rpt: Report): TextReport {
  const { t, g, labels } = graphReport(rpt);
  const rows: TextRow[] = [];
  const inl = g.inlineState();
  for (const n of g.nodes) {
    const inline = (inl[n] & 1) !== 0;
    const noinline = (inl[n] & 2) !== 0;
    const info = t.index.infos[n];
    rows.push({
      name: t.names.name(n),
      file: info.file,
      line: info.lineno,
      inlineLabel: inline ? (noinline ? "(partial-inline)" : "(inline)") : "",
      flat: g.flat[n],
      cum: g.cum[n],
    });
  }
  return { labels, rows };
}

export function formatText(rpt: Report, items: TextReport): string {
  const out: string[] = [];
  out.push(items.labels.join("\n"));
  out.push(`${"flat".padStart(10)} ${"flat".padStart(5)}% ${"sum".padStart(5)}% ${"cum".padStart(10)} ${"cum".padStart(5)}%`);
  let flatSum = 0;
  for (const it of items.rows) {
    flatSum += it.flat;
    const inl = it.inlineLabel !== "" ? " " + it.inlineLabel : "";
    out.push(
      `${rpt.formatValue(it.flat).padStart(10)} ${percentage(it.flat, rpt.total)} ${percentage(flatSum, rpt.total)} ${rpt
        .formatValue(it.cum)
        .padStart(10)} ${percentage(it.cum, rpt.total)}  ${it.name}${inl}`,
    );
  }
  return out.join("\n") + "\n";
}
