// `godiag bench --json`: every number behind benchstat's table (schema in docs/JSON.md#bench).

import { comparisonString, formatDelta, pctRangeString, type Tables } from "../benchstat/tables.js";
import type { GateReport } from "../benchstat/gate.js";

const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function benchstatJSON(t: Tables, diagnostics: string[], gates: GateReport | null): object {
  return {
    tables: t.tables.map((table, i) => {
      const key = t.keys[i];
      const config: Record<string, string> = {};
      for (const f of key.proj.flattened()) if (f.name !== ".unit" && key.get(f) !== "") config[f.name] = key.get(f);
      return {
        config,
        unit: table.unit,
        assumption: table.assumption,
        columns: table.cols.map((c) => c.stringValues()),
        rows: table.rows.map((row) => ({
          name: row.stringValues(),
          cells: table.cols.flatMap((col) => {
            const c = table.cell(row, col);
            if (c === undefined) return [];
            return [
              {
                column: col.stringValues(),
                n: c.values.length,
                values: c.values,
                center: c.summary.center,
                lo: num(c.summary.lo),
                hi: num(c.summary.hi),
                confidence: c.summary.confidence,
                range: pctRangeString(c.summary),
                warnings: [...c.sampleWarnings, ...c.summary.warnings],
                comparison:
                  c.baseline !== null && c.comparison !== null
                    ? {
                        p: c.comparison.p,
                        n1: c.comparison.n1,
                        n2: c.comparison.n2,
                        alpha: c.comparison.alpha,
                        significant: c.comparison.p <= c.comparison.alpha,
                        ratio: c.baseline.summary.center === 0 ? null : c.summary.center / c.baseline.summary.center,
                        delta: formatDelta(c.comparison, c.baseline.summary.center, c.summary.center),
                        text: comparisonString(c.comparison),
                        warnings: c.comparison.warnings,
                      }
                    : null,
              },
            ];
          }),
        })),
        geomean: table.cols.map((col) => {
          const s = table.summaries.get(col)!;
          return {
            column: col.stringValues(),
            value: s.hasSummary ? s.summary : null,
            ratio: s.hasRatio ? s.ratio : null,
            warnings: s.warnings,
          };
        }),
      };
    }),
    diagnostics,
    gates,
  };
}
