// benchstat's table builder (cmd/benchstat/internal/benchtab): results are
// projected into tables (by config and unit), rows and columns; each cell is
// summarised, compared with the first column, and each column gets a geomean.

import type { BenchResult, UnitMetadataMap } from "../read/benchfmt.js";
import { fmtF, fmtV } from "../../core/go/index.js";
import { geoMean } from "./mathx.js";
import { type Field, Key, nonSingularFields, type Projection, sortKeys } from "./projection.js";
import { type Assumption, compare, type Comparison, summarize, type Summary } from "./stats.js";

export interface TableCell {
  /** sorted values */
  values: number[];
  sampleWarnings: string[];
  summary: Summary;
  baseline: TableCell | null;
  comparison: Comparison | null;
}

export interface ColumnSummary {
  hasSummary: boolean;
  summary: number;
  hasRatio: boolean;
  ratio: number;
  warnings: string[];
}

export interface Table {
  unit: string;
  assumption: Assumption;
  alpha: number;
  rows: Key[];
  cols: Key[];
  cell(row: Key, col: Key): TableCell | undefined;
  summaries: Map<Key, ColumnSummary>;
  summaryLabel: string;
}

export interface Tables {
  tables: Table[];
  keys: Key[];
}

export interface TableOpts {
  confidence: number;
  alpha: number;
  units: UnitMetadataMap;
}

interface BuilderCell {
  values: number[];
  residue: Set<Key>;
}

interface BuilderTable {
  rows: Set<Key>;
  cols: Set<Key>;
  cells: Map<Key, Map<Key, BuilderCell>>; // row → col → cell
}

export class TableBuilder {
  private readonly tables = new Map<Key, BuilderTable>();
  private readonly unitField: Field;

  constructor(
    readonly tableBy: Projection,
    readonly rowBy: Projection,
    readonly colBy: Projection,
    readonly residue: Projection,
  ) {
    const fields = tableBy.fields();
    this.unitField = fields[fields.length - 1];
    if (this.unitField.name !== ".unit") throw new Error("tableBy projection missing .unit field");
  }

  // The previous result's keys and cells: runs of one benchmark arrive one after
  // another, and then the cells (and their residue sets) are already in place.
  private last: { tableKeys: readonly Key[]; row: Key; col: Key; residue: Key; cells: BuilderCell[] } | null = null;

  add(r: BenchResult): void {
    const tableKeys = this.tableBy.projectValues(r);
    const rowKey = this.rowBy.projectKey(r);
    const colKey = this.colBy.projectKey(r);
    const residueKey = this.residue.projectKey(r);
    const last = this.last;
    if (last !== null && last.tableKeys === tableKeys && last.row === rowKey && last.col === colKey && last.residue === residueKey) {
      for (let i = 0; i < tableKeys.length; i++) last.cells[i].values.push(r.values[i].value);
      return;
    }
    const cells: BuilderCell[] = [];
    for (let i = 0; i < tableKeys.length; i++) {
      const tk = tableKeys[i];
      let t = this.tables.get(tk);
      if (t === undefined) {
        t = { rows: new Set(), cols: new Set(), cells: new Map() };
        this.tables.set(tk, t);
      }
      let byCol = t.cells.get(rowKey);
      if (byCol === undefined) t.cells.set(rowKey, (byCol = new Map()));
      let c = byCol.get(colKey);
      if (c === undefined) {
        c = { values: [], residue: new Set() };
        byCol.set(colKey, c);
        t.rows.add(rowKey);
        t.cols.add(colKey);
      }
      c.values.push(r.values[i].value);
      c.residue.add(residueKey);
      cells.push(c);
    }
    this.last = { tableKeys, row: rowKey, col: colKey, residue: residueKey, cells };
  }

  toTables(opts: TableOpts): Tables {
    const keys = sortKeys([...this.tables.keys()]);
    const tables: Table[] = [];
    for (const k of keys) {
      const bt = this.tables.get(k)!;
      const unit = k.get(this.unitField);
      const assumption = opts.units.assumption(unit);
      const rows = sortKeys([...bt.rows]);
      const cols = sortKeys([...bt.cols]);
      const cells = new Map<Key, Map<Key, TableCell>>();
      const baseCol = cols[0];
      // Summaries first, then comparisons against the baseline column.
      for (const [row, byCol] of bt.cells) {
        const out = new Map<Key, TableCell>();
        cells.set(row, out);
        for (const [col, bc] of byCol) {
          const values = Float64Array.from(bc.values).sort();
          const vals = Array.from(values);
          const warnings: string[] = [];
          // One residue key (the usual case) cannot vary: skip sorting a one-element set.
          const nsk = bc.residue.size <= 1 ? [] : nonSingularFields(sortKeys([...bc.residue]));
          if (nsk.length > 0) warnings.push("benchmarks vary in " + nsk.map((f) => f.name).join(", "));
          out.set(col, {
            values: vals,
            sampleWarnings: warnings,
            summary: summarize(vals, assumption, opts.confidence, fmtV),
            baseline: null,
            comparison: null,
          });
        }
      }
      for (const out of cells.values()) {
        const base = out.get(baseCol);
        for (const [col, cell] of out) {
          if (col === baseCol || base === undefined) continue;
          cell.baseline = base;
          cell.comparison = compare(base.values, cell.values, assumption, opts.alpha, fmtV);
        }
      }
      const cell = (row: Key, col: Key) => cells.get(row)?.get(col);
      const table: Table = { unit, assumption, alpha: opts.alpha, rows, cols, cell, summaries: new Map(), summaryLabel: "geomean" };
      let nBase = 0;
      for (const row of rows) if (cell(row, baseCol) !== undefined) nBase++;
      cols.forEach((col, i) => table.summaries.set(col, summarizeCol(table, col, nBase, i === 0)));
      tables.push(table);
    }
    return { tables, keys };
  }
}

function summarizeCol(table: Table, col: Key, nBase: number, isBase: boolean): ColumnSummary {
  const s: ColumnSummary = { hasSummary: false, summary: 0, hasRatio: false, ratio: 0, warnings: [] };
  const summaries: number[] = [];
  const ratios: number[] = [];
  let badRatio = false;
  for (const row of table.rows) {
    const c = table.cell(row, col);
    if (c === undefined) continue;
    summaries.push(c.summary.center);
    if (c.baseline !== null) {
      const a = c.summary.center;
      const b = c.baseline.summary.center;
      if (a === b) ratios.push(1);
      else if (b === 0) {
        badRatio = true;
        ratios.push(0);
      } else ratios.push(a / b);
    }
  }
  if (!isBase && nBase !== ratios.length) s.warnings.push("benchmark set differs from baseline; geomeans may not be comparable");
  const gm = geoMean(summaries);
  if (Number.isNaN(gm)) s.warnings.push("summaries must be >0 to compute geomean");
  else {
    s.hasSummary = true;
    s.summary = gm;
  }
  if (!isBase && !badRatio) {
    const gr = geoMean(ratios);
    if (Number.isNaN(gr)) s.warnings.push("ratios must be >0 to compute geomean");
    else {
      s.hasRatio = true;
      s.ratio = gr;
    }
  }
  return s;
}

/** The ± column: the larger relative distance from the center to the interval's ends. */
export function pctRangeString(s: Summary): string {
  if (!Number.isFinite(s.lo) || !Number.isFinite(s.hi)) return "∞";
  const cs = Math.sign(s.center);
  if (cs !== Math.sign(s.lo) || cs !== Math.sign(s.hi)) return "?";
  if (s.center === 0) return "0%";
  const v = Math.max(s.hi / s.center - 1, 1 - s.lo / s.center);
  return fmtPct0(100 * v);
}

function fmtPct0(x: number): string {
  return fmtF(x, 0) + "%";
}

/** "(p=0.008 n=10)" body: p omitted when 0 (exact), n1+n2 when they differ. */
export function comparisonString(c: Comparison): string {
  const p = c.p !== 0 ? `p=${fmtF(c.p, 3)} ` : "";
  return c.n1 === c.n2 ? `${p}n=${c.n1}` : `${p}n=${c.n1}+${c.n2}`;
}

/** The "vs base" cell: "~" when not significant, else the signed percent change. */
export function formatDelta(c: Comparison, oldV: number, newV: number): string {
  if (c.p > c.alpha) return "~";
  if (oldV === newV) return "0.00%";
  if (oldV === 0) return "?";
  return signedPct((newV / oldV - 1) * 100);
}

/** Go's %+.2f%%. */
export function signedPct(x: number): string {
  const s = fmtF(x, 2);
  return (s.startsWith("-") ? s : "+" + s) + "%";
}

export { Key };
