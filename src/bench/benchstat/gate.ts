// CI gates over benchstat comparisons: `sec/op<=+5%` fails when a row's
// statistically significant change in sec/op is above +5%; `allocs/op<=0` fails
// on any significant increase; `B/s>=-3%` bounds a throughput drop. Changes
// benchstat shows as "~" (p > alpha) never break a gate.

import { tidyUnit } from "./units.js";
import type { Tables } from "./tables.js";

export interface Gate {
  spec: string;
  unit: string;
  op: "<=" | "<" | ">=" | ">";
  /** threshold as a percent change */
  percent: number;
}

export class GateSyntaxError extends Error {}

const GATE_RE = /^\s*(\S+?)\s*(<=|>=|<|>)\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*(%?)\s*$/;

/** Parse `unit<=+5%`. A bare number is a percent too (`allocs/op<=0` = no increase). */
export function parseGate(spec: string): Gate {
  const m = GATE_RE.exec(spec);
  if (!m) throw new GateSyntaxError(`bad --gate ${JSON.stringify(spec)}: want UNIT<=±N% (e.g. 'sec/op<=+5%', 'allocs/op<=0')`);
  return { spec, unit: tidyUnit(m[1]).unit, op: m[2] as Gate["op"], percent: Number(m[3]) };
}

export interface GateViolation {
  gate: string;
  table: string;
  row: string;
  column: string;
  deltaPercent: number;
  p: number;
}

export interface GateReport {
  checked: number;
  violations: GateViolation[];
}

function holds(op: Gate["op"], v: number, t: number): boolean {
  switch (op) {
    case "<=":
      return v <= t;
    case "<":
      return v < t;
    case ">=":
      return v >= t;
    case ">":
      return v > t;
  }
}

/** Check every significant comparison of a gated unit. */
export function checkGates(t: Tables, gates: Gate[]): GateReport {
  const rep: GateReport = { checked: 0, violations: [] };
  t.tables.forEach((table, ti) => {
    const gs = gates.filter((g) => g.unit === table.unit);
    if (gs.length === 0) return;
    const tableName = t.keys[ti].stringValues();
    for (const row of table.rows) {
      table.cols.forEach((col, exp) => {
        if (exp === 0) return;
        const c = table.cell(row, col);
        if (c === undefined || c.baseline === null || c.comparison === null) return;
        const old = c.baseline.summary.center;
        const now = c.summary.center;
        for (const g of gs) {
          rep.checked++;
          if (c.comparison.p > c.comparison.alpha) continue; // "~": not significant
          if (old === now) continue;
          const delta = old === 0 ? Infinity * Math.sign(now) : (now / old - 1) * 100;
          if (!holds(g.op, delta, g.percent)) {
            rep.violations.push({ gate: g.spec, table: tableName, row: row.stringValues(), column: col.stringValues(), deltaPercent: delta, p: c.comparison.p });
          }
        }
      });
    }
  });
  return rep;
}
