// benchstat's text and CSV output, byte for byte: per-table config headers,
// the │-ruled comparison table with "± CI%" and "vs base" columns, the geomean
// row, and numbered footnotes for warnings (CSV sends warnings to stderr with
// spreadsheet cell names).

import { classOf, commonScale, formatScaled, scale } from "../benchstat/units.js";
import { comparisonString, formatDelta, pctRangeString, signedPct, type Table, type Tables } from "../benchstat/tables.js";
import { keyHeader } from "../benchstat/projection.js";
import { fmtV } from "../../core/go/index.js";
import { TextTable } from "./texttab.js";

/** Walk the tables, emitting a config header line for each key field that changed. */
function printTables(t: Tables, hdr: (s: string) => void, body: (table: Table) => void): void {
  if (t.tables.length === 0) return;
  const fields = t.keys[0].proj.flattened();
  let prev: (typeof t.keys)[number] | null = null;
  t.tables.forEach((table, i) => {
    if (i > 0) hdr("");
    const key = t.keys[i];
    for (const f of fields) {
      if (f.name === ".unit") continue;
      const v = key.get(f);
      if (prev === null || v !== prev.get(f)) hdr(`${f.name}: ${v}`);
    }
    prev = key;
    body(table);
  });
}

const SUPER = [..."⁰¹²³⁴⁵⁶⁷⁸⁹"];
function superscript(i: number): string {
  if (i === 0) return SUPER[0];
  let s = "";
  while (i > 0) {
    s = SUPER[i % 10] + s;
    i = Math.floor(i / 10);
  }
  return s;
}

export function renderBenchstatText(t: Tables): string {
  let out = "";
  printTables(
    t,
    (h) => (out += h + "\n"),
    (table) => (out += tableText(table)),
  );
  return out;
}

function tableText(t: Table): string {
  const o = new TextTable();
  const labelCols = 1;
  const centerCols = 3; // <center ±> <CI> <warnings>
  const deltaCols = 3; // <P%> <(p=0.PPP n=N)> <warnings>
  const startCol = (exp: number) => (exp === 0 ? labelCols : labelCols + centerCols + (exp - 1) * (centerCols + deltaCols));
  const warningList: string[] = [];
  const warningSet = new Map<string, number>();
  const warn = (...lists: string[][]) => {
    const notes: string[] = [];
    for (const l of lists) {
      for (const m of l) {
        let i = warningSet.get(m);
        if (i === undefined) {
          i = warningList.length;
          warningSet.set(m, i);
          warningList.push(m);
        }
        notes.push(superscript(i + 1));
      }
    }
    o.cell(notes.join(" "));
  };

  const rEdge = startCol(t.cols.length + 1);
  let nodes = keyHeader(t.cols);
  while (nodes.length > 0) {
    const next: typeof nodes = [];
    o.row();
    for (const n of nodes) {
      const l = startCol(n.start);
      const r = startCol(n.start + n.len);
      o.col(l).span(r - l, n.value, { align: "center", leftMargin: " │ " });
      next.push(...n.children);
    }
    o.col(rEdge).cell("", { leftMargin: " │" });
    nodes = next;
  }
  o.row();
  t.cols.forEach((_, i) => {
    const l = startCol(i);
    o.col(l);
    o.span(centerCols, t.unit, { align: "center", leftMargin: " │ " });
    if (i > 0) o.span(deltaCols, "vs base", { align: "left", leftMargin: "  " });
    for (let j = l + 1; j < o.currentCol; j++) o.setShrink(j, true);
  });
  o.col(rEdge).cell("", { leftMargin: " │" });

  const cls = classOf(t.unit);
  for (const row of t.rows) {
    o.row();
    o.cell(row.stringValues());
    const centers: number[] = [];
    for (const col of t.cols) {
      const c = t.cell(row, col);
      if (c !== undefined) centers.push(c.summary.center);
    }
    const scaler = commonScale(centers, cls);
    t.cols.forEach((col, exp) => {
      const c = t.cell(row, col);
      if (c === undefined) return;
      o.col(startCol(exp));
      o.cell(formatScaled(scaler, c.summary.center), { align: "right" });
      o.cell(pctRangeString(c.summary), { align: "right", leftMargin: " ± " });
      warn(c.sampleWarnings, c.summary.warnings);
      if (exp > 0 && c.baseline !== null && c.comparison !== null) {
        o.cell(formatDelta(c.comparison, c.baseline.summary.center, c.summary.center), { align: "right" });
        o.cell("(" + comparisonString(c.comparison) + ")");
        warn(c.comparison.warnings);
      }
    });
  }
  if (t.rows.length > 1) {
    o.row();
    o.cell(t.summaryLabel);
    t.cols.forEach((col, exp) => {
      const s = t.summaries.get(col);
      if (s === undefined) return;
      if (s.hasSummary) {
        o.col(startCol(exp));
        o.cell(scale(s.summary, cls), { align: "right" });
      }
      if (exp > 0) {
        o.col(startCol(exp) + centerCols);
        if (s.hasRatio) o.cell(signedPct((s.ratio - 1) * 100), { align: "right" });
        else o.cell("?");
      }
      o.col(startCol(exp + 1) - 1);
      warn(s.warnings);
    });
  }
  let out = o.format();
  warningList.forEach((m, i) => (out += `${superscript(i + 1)} ${m}\n`));
  return out;
}

/** encoding/csv's quoting: fields with , " \r \n or a leading space are quoted. */
function csvField(f: string): string {
  if (f === "") return f;
  if (f === "\\." || /[",\r\n]/.test(f) || f[0] === " " || f[0] === "\t") return '"' + f.replace(/"/g, '""') + '"';
  return f;
}

export function renderBenchstatCSV(t: Tables): { stdout: string; stderr: string } {
  let out = "";
  let err = "";
  const write = (row: string[]) => (out += row.map(csvField).join(",") + "\n");
  let rowNo = 1;
  printTables(
    t,
    (h) => {
      write([h]);
      rowNo++;
    },
    (table) => {
      rowNo += tableCSV(table, rowNo, write, (s) => (err += s));
    },
  );
  return { stdout: out, stderr: err };
}

function tableCSV(t: Table, startRow: number, write: (r: string[]) => void, warnOut: (s: string) => void): number {
  const labelCols = 1;
  const centerCols = 2;
  const deltaCols = 2;
  const startCol = (exp: number) => (exp === 0 ? labelCols : labelCols + centerCols + (exp - 1) * (centerCols + deltaCols));
  let row: string[] = [];
  let rowCount = 0;
  const clearTo = (c: number) => {
    while (row.length < c) row.push("");
  };
  const emit = () => {
    write(row);
    row = [];
    rowCount++;
  };
  const warn = (msgs: string[]) => {
    // Spreadsheet column name of the next cell, as benchstat computes it.
    let name = "";
    for (let x = row.length; x > 0; x = Math.floor(x / 26)) name = String.fromCharCode(65 + (x % 26)) + name;
    if (name === "") name = "A";
    for (const m of msgs) warnOut(`${name}${startRow + rowCount}: ${m}\n`);
  };
  for (const f of t.cols[0].proj.flattened()) {
    t.cols.forEach((k, exp) => {
      clearTo(startCol(exp));
      row.push(k.get(f));
    });
    clearTo(startCol(t.cols.length));
    emit();
  }
  t.cols.forEach((_, exp) => {
    clearTo(startCol(exp));
    row.push(t.unit, "CI");
    if (exp > 0) row.push("vs base", "P");
  });
  emit();
  for (const rk of t.rows) {
    row.push(rk.stringValues());
    t.cols.forEach((ck, exp) => {
      const c = t.cell(rk, ck);
      if (c === undefined) return;
      clearTo(startCol(exp));
      warn(c.sampleWarnings);
      warn(c.summary.warnings);
      row.push(fmtV(c.summary.center), pctRangeString(c.summary));
      if (exp > 0 && c.baseline !== null && c.comparison !== null) {
        warn(c.comparison.warnings);
        row.push(formatDelta(c.comparison, c.baseline.summary.center, c.summary.center), comparisonString(c.comparison));
      }
    });
    emit();
  }
  row.push(t.summaryLabel);
  t.cols.forEach((k, exp) => {
    const s = t.summaries.get(k);
    if (s === undefined) return;
    clearTo(startCol(exp));
    warn(s.warnings);
    if (s.hasSummary) row.push(fmtV(s.summary));
    if (exp > 0) {
      clearTo(startCol(exp) + centerCols);
      row.push(s.hasRatio ? signedPct((s.ratio - 1) * 100) : "?");
    }
  });
  clearTo(startCol(t.cols.length));
  emit();
  return rowCount;
}
