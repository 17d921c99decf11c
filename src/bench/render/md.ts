// `godiag bench --md`: benchstat's comparison as GitHub-flavoured markdown for
// a pull-request comment (same numbers and scaling as the text table).

import { classOf, commonScale, formatScaled, scale } from "../benchstat/units.js";
import { comparisonString, formatDelta, pctRangeString, signedPct, type Tables } from "../benchstat/tables.js";
import type { GateReport } from "../benchstat/gate.js";

const esc = (s: string) => s.replace(/\|/g, "\\|");

export function renderBenchstatMarkdown(t: Tables, gates: GateReport | null): string {
  let out = "";
  t.tables.forEach((table, i) => {
    const key = t.keys[i];
    const cfg: string[] = [];
    for (const f of key.proj.flattened()) if (f.name !== ".unit" && key.get(f) !== "") cfg.push(`${f.name}: ${key.get(f)}`);
    out += `#### ${esc(table.unit)}${cfg.length > 0 ? ` (${esc(cfg.join(", "))})` : ""}\n\n`;
    const head = ["benchmark"];
    const align = ["---"];
    table.cols.forEach((c, exp) => {
      head.push(esc(c.stringValues() || "(all)"));
      align.push("---:");
      if (exp > 0) {
        head.push("vs base", "p");
        align.push("---:", "---");
      }
    });
    out += `| ${head.join(" | ")} |\n| ${align.join(" | ")} |\n`;
    const cls = classOf(table.unit);
    const warnings = new Set<string>();
    for (const row of table.rows) {
      const centers = table.cols.flatMap((c) => {
        const cell = table.cell(row, c);
        return cell === undefined ? [] : [cell.summary.center];
      });
      const sc = commonScale(centers, cls);
      const cells = [esc(row.stringValues())];
      table.cols.forEach((col, exp) => {
        const c = table.cell(row, col);
        if (c === undefined) {
          cells.push("");
          if (exp > 0) cells.push("", "");
          return;
        }
        [...c.sampleWarnings, ...c.summary.warnings].forEach((w) => warnings.add(w));
        cells.push(`${formatScaled(sc, c.summary.center)} ± ${pctRangeString(c.summary)}`);
        if (exp > 0) {
          if (c.baseline !== null && c.comparison !== null) {
            c.comparison.warnings.forEach((w) => warnings.add(w));
            const d = formatDelta(c.comparison, c.baseline.summary.center, c.summary.center);
            cells.push(d === "~" ? "~" : `**${d}**`, comparisonString(c.comparison));
          } else cells.push("", "");
        }
      });
      out += `| ${cells.join(" | ")} |\n`;
    }
    if (table.rows.length > 1) {
      const cells = ["**geomean**"];
      table.cols.forEach((col, exp) => {
        const s = table.summaries.get(col)!;
        s.warnings.forEach((w) => warnings.add(w));
        cells.push(s.hasSummary ? scale(s.summary, cls) : "");
        if (exp > 0) cells.push(s.hasRatio ? signedPct((s.ratio - 1) * 100) : "?", "");
      });
      out += `| ${cells.join(" | ")} |\n`;
    }
    if (warnings.size > 0) out += "\n" + [...warnings].map((w) => `> ${esc(w)}`).join("\n") + "\n";
    out += "\n";
  });
  if (gates !== null) {
    if (gates.violations.length === 0) out += `**Gates passed** (${gates.checked} checks).\n`;
    else {
      out += `**Gates failed:**\n\n`;
      for (const v of gates.violations) out += `- \`${v.gate}\`: ${esc(v.row)} ${signedPct(v.deltaPercent)} (p=${v.p.toFixed(3)})\n`;
    }
  }
  return out;
}
