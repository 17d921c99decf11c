// Bench ratios: the decrease of allocs/op, B/op and sec/op from the
// first column to each other column, per benchmark and as a geomean, taken from
// benchstat's medians (1 − new/old; positive = fewer allocations / less time).

import type { Tables } from "./tables.js";

export const SEED_UNITS = ["sec/op", "B/op", "allocs/op"];

export interface UnitDecrease {
  unit: string;
  column: string;
  /** 1 − geomean(new/old); null when the geomean ratio is undefined */
  geomeanDecrease: number | null;
  rows: { name: string; old: number; new: number; decrease: number | null; significant: boolean }[];
}

export function seedRatios(t: Tables): UnitDecrease[] {
  const out: UnitDecrease[] = [];
  for (const table of t.tables) {
    if (!SEED_UNITS.includes(table.unit)) continue;
    table.cols.forEach((col, exp) => {
      if (exp === 0) return;
      const s = table.summaries.get(col);
      const rows: UnitDecrease["rows"] = [];
      for (const row of table.rows) {
        const c = table.cell(row, col);
        if (c === undefined || c.baseline === null || c.comparison === null) continue;
        const o = c.baseline.summary.center;
        const n = c.summary.center;
        rows.push({
          name: row.stringValues(),
          old: o,
          new: n,
          decrease: o === n ? 0 : o === 0 ? null : 1 - n / o,
          significant: c.comparison.p <= c.comparison.alpha,
        });
      }
      out.push({ unit: table.unit, column: col.stringValues(), geomeanDecrease: s?.hasRatio ? 1 - s.ratio : null, rows });
    });
  }
  return out;
}
