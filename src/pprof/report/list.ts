// `list`: pprof's printSource. For each function matching the regexp, and each of
// its source files, the lines from the function's start to 5 lines past its last
// sampled line, each with its flat and cum value (weblist without assembly).

import { buildGraph } from "../graph/graph.js";
import { buildNodeIndex } from "../graph/nodes.js";
import { groupStacks } from "../graph/stack-groups.js";
import { percentage } from "../../core/measure/index.js";
import { ReportError, type Report } from "./report.js";
import { SourceReader, type SourceGuard } from "./source-reader.js";
import { symbolRegExp } from "./tree.js";

/** Lines shown before the first and after the last sampled line. */
const MARGIN = 5;

interface LineNode {
  startLine: number;
  lineno: number;
  flat: number;
  cum: number;
}

/** getSourceFromFile's line range and per-line sums. */
interface SourceRow {
  lineno: number;
  text: string;
  flat: number;
  cum: number;
}

function sourceLines(file: string, reader: SourceReader, fns: LineNode[]): { rows: SourceRow[]; error?: string } {
  let start = fns[0].startLine !== 0 ? fns[0].startLine : fns[0].lineno - MARGIN;
  let end = fns[0].lineno + MARGIN;
  const byLine = new Map<number, [number, number]>();
  for (const n of fns) {
    const nodeStart = n.startLine !== 0 ? n.startLine : n.lineno - MARGIN;
    const nodeEnd = n.lineno + MARGIN;
    // pprof widens one side per node (else-if); with equal margins that is the same range
    if (nodeStart < start) start = nodeStart;
    else if (nodeEnd > end) end = nodeEnd;
    const s = byLine.get(n.lineno) ?? [0, 0];
    byLine.set(n.lineno, [s[0] + n.flat, s[1] + n.cum]);
  }
  if (start < 1) start = 1;
  const rows: SourceRow[] = [];
  for (let lineno = start; lineno <= end; lineno++) {
    const text = reader.line(file, lineno);
    if (text === null) break;
    const [flat, cum] = byLine.get(lineno) ?? [0, 0];
    rows.push({ lineno, text, flat, cum });
  }
  const error = reader.error(file);
  return error !== undefined ? { rows: [], error } : { rows };
}

/** `allow`: when given, only the source files it admits are read (the web UI's source roots). */
export function formatList(rpt: Report, cwd: string = process.cwd(), allow?: SourceGuard): string {
  const cfg = rpt.cfg;
  const rx = symbolRegExp(cfg.symbol);
  // list keeps binary names and start lines on nodes (pprof's ObjNames for List)
  const index = buildNodeIndex(rpt.view, { objNames: true, trimPath: cfg.trimPath, sourcePath: cfg.sourcePath });
  const g = buildGraph(rpt.view, index, groupStacks(rpt.view), { dropNegative: cfg.dropNegative });
  const byFunction = new Map<string, number[]>();
  for (const n of g.nodes) {
    const name = index.infos[n].name;
    if (!rx.test(name)) continue;
    let a = byFunction.get(name);
    if (a === undefined) byFunction.set(name, (a = []));
    a.push(n);
  }
  if (byFunction.size === 0) throw new ReportError(`no matches found for regexp: ${cfg.symbol}`);
  const reader = new SourceReader(cfg.sourcePath !== "" ? cfg.sourcePath : cwd, cfg.trimPath, allow);
  const fv = (v: number) => (v === 0 ? "." : rpt.formatValue(v));
  const out: string[] = [`Total: ${rpt.formatValue(rpt.total)}`];
  const functions = [...byFunction.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of functions) {
    const byFile = new Map<string, number[]>();
    for (const n of byFunction.get(name) as number[]) {
      const file = index.infos[n].file;
      if (file === "") continue;
      let a = byFile.get(file);
      if (a === undefined) byFile.set(file, (a = []));
      a.push(n);
    }
    if (byFile.size === 0) {
      out.push(`No source information for ${name}`);
      continue;
    }
    // FileOrder: by file name (one entry per file here)
    const files = [...byFile.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const file of files) {
      const ns = byFile.get(file) as number[];
      let flatSum = 0;
      let cumSum = 0;
      for (const n of ns) {
        flatSum += g.flat[n];
        cumSum += g.cum[n];
      }
      const fns: LineNode[] = ns.map((n) => ({ startLine: index.infos[n].startLine, lineno: index.infos[n].lineno, flat: g.flat[n], cum: g.cum[n] }));
      const src = sourceLines(file, reader, fns);
      out.push(`ROUTINE ======================== ${name} in ${file}`);
      out.push(`${rpt.formatValue(flatSum).padStart(10)} ${rpt.formatValue(cumSum).padStart(10)} (flat, cum) ${percentage(cumSum, rpt.total)} of Total`);
      if (src.error !== undefined) {
        out.push(` Error: ${src.error}`);
        continue;
      }
      for (const r of src.rows) out.push(`${fv(r.flat).padStart(10)} ${fv(r.cum).padStart(10)} ${String(r.lineno).padStart(6)}:${r.text}`);
    }
  }
  return out.join("\n") + "\n";
}
