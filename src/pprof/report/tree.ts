// `tree` and `peek`: pprof's printTree: every node with its callers above and
// callees below, weights as a share of the node's cumulative value.

import { sortEdges } from "../graph/graph.js";
import { goRegExp, RegexError, type GoRegExp } from "../../core/go/index.js";
import { ReportError, type Report } from "./report.js";
import { graphReport } from "./trimmed-graph.js";
import { percentage } from "../../core/measure/index.js";

export interface TreeEdgeRow {
  name: string;
  weight: number;
  inline: boolean;
}

export interface TreeRow {
  name: string;
  flat: number;
  cum: number;
  callers: TreeEdgeRow[];
  callees: TreeEdgeRow[];
}

export interface TreeReport {
  labels: string[];
  rows: TreeRow[];
  /** whether the graph had any node (pprof prints a closing separator then) */
  nonEmpty: boolean;
}

/** peek's regexp; bad syntax is a user error in pprof's words (exit 2), not an internal one. */
export function symbolRegExp(symbol: string): GoRegExp {
  try {
    return goRegExp(symbol);
  } catch (e) {
    if (e instanceof RegexError) throw new ReportError(`parsing argument regexp ${symbol}: ${e.message}`);
    throw e;
  }
}

export function treeItems(rpt: Report): TreeReport {
  const { t, g, labels } = graphReport(rpt);
  const rx = rpt.kind === "peek" && rpt.cfg.symbol !== "" ? symbolRegExp(rpt.cfg.symbol) : null;
  const rows: TreeRow[] = [];
  for (const n of g.nodes) {
    const name = t.names.name(n);
    if (rx !== null && !rx.test(name)) continue;
    rows.push({
      name,
      flat: g.flat[n],
      cum: g.cum[n],
      callers: sortEdges(g.inEdges(n), t.names).map((e) => ({
        name: t.names.name(e.src),
        weight: e.weight,
        inline: e.inline,
      })),
      callees: sortEdges(g.outEdges(n), t.names).map((e) => ({
        name: t.names.name(e.dst),
        weight: e.weight,
        inline: e.inline,
      })),
    });
  }
  if (rx !== null && rows.length === 0) throw new ReportError(`no matches found for regexp: ${rpt.cfg.symbol}`);
  return { labels, rows, nonEmpty: g.nodes.length > 0 };
}

const SEPARATOR = "----------------------------------------------------------+-------------";
const LEGEND = "      flat  flat%   sum%        cum   cum%   calls calls% + context 	 	 ";

export function formatTree(rpt: Report, tree: TreeReport): string {
  const out: string[] = [tree.labels.join("\n"), SEPARATOR, LEGEND];
  let flatSum = 0;
  const edgeLine = (e: TreeEdgeRow, cum: number) =>
    `${rpt.formatValue(e.weight).padStart(50)} ${percentage(e.weight, cum)} |   ${e.name}${e.inline ? " (inline)" : ""}`;
  for (const row of tree.rows) {
    out.push(SEPARATOR);
    for (const e of row.callers) out.push(edgeLine(e, row.cum));
    flatSum += row.flat;
    out.push(
      `${rpt.formatValue(row.flat).padStart(10)} ${percentage(row.flat, rpt.total)} ${percentage(flatSum, rpt.total)} ${rpt
        .formatValue(row.cum)
        .padStart(10)} ${percentage(row.cum, rpt.total)}                | ${row.name}`,
    );
    for (const e of row.callees) out.push(edgeLine(e, row.cum));
  }
  if (tree.nonEmpty) out.push(SEPARATOR);
  return out.join("\n") + "\n";
}
