// Dispatch a prepared report to its text (pprof-identical) or JSON rendering.

import { materialize } from "../../core/transform/index.js";
import { formatCallgrind } from "./callgrind.js";
import { formatDot } from "./dot.js";
import { formatList } from "./list.js";
import { formatRaw } from "./raw.js";
import { makeWebList } from "./weblist.js";
import { formatWebList } from "./weblist-html.js";
import type { Report } from "./report.js";
import { formatTags, tagItems } from "./tags.js";
import { formatText, textItems } from "./text.js";
import { formatTraces, traceItems } from "./traces.js";
import { formatTree, treeItems } from "./tree.js";

function pct(v: number, total: number): number {
  return total === 0 ? 0 : (v / total) * 100;
}

export function renderReport(rpt: Report, json: boolean): string {
  switch (rpt.kind) {
    case "top":
    case "text": {
      const items = textItems(rpt);
      if (!json) return formatText(rpt, items);
      return toJson(rpt, {
        labels: items.labels,
        rows: items.rows.map((r) => ({
          name: r.name,
          ...(r.file ? { file: r.file } : {}),
          ...(r.line ? { line: r.line } : {}),
          flat: r.flat,
          flatPct: pct(r.flat, rpt.total),
          cum: r.cum,
          cumPct: pct(r.cum, rpt.total),
          ...(r.inlineLabel ? { inline: r.inlineLabel.slice(1, -1) } : {}),
        })),
      });
    }
    case "tree":
    case "peek": {
      const tree = treeItems(rpt);
      if (!json) return formatTree(rpt, tree);
      return toJson(rpt, {
        labels: tree.labels,
        rows: tree.rows.map((r) => ({
          name: r.name,
          flat: r.flat,
          flatPct: pct(r.flat, rpt.total),
          cum: r.cum,
          cumPct: pct(r.cum, rpt.total),
          callers: r.callers.map((e) => ({ name: e.name, weight: e.weight, inline: e.inline })),
          callees: r.callees.map((e) => ({ name: e.name, weight: e.weight, inline: e.inline })),
        })),
      });
    }
    case "traces": {
      const t = traceItems(rpt);
      if (!json) return formatTraces(rpt, t);
      return toJson(rpt, { labels: t.labels, traces: t.traces });
    }
    case "tags": {
      const rows = tagItems(rpt);
      if (!json) return formatTags(rpt, rows);
      return toJson(rpt, { tags: rows });
    }
    case "comments": {
      // pprof's printComments: every comment, one per line
      const comments = rpt.view.p.comments;
      if (!json) return comments.map((c) => c + "\n").join("");
      return toJson(rpt, { comments });
    }
    case "dot": {
      const text = formatDot(rpt);
      if (!json) return text;
      return toJson(rpt, { dot: text });
    }
    case "list": {
      const text = formatList(rpt);
      if (!json) return text;
      return toJson(rpt, { list: text });
    }
    case "callgrind": {
      const text = formatCallgrind(rpt);
      if (!json) return text;
      return toJson(rpt, { callgrind: text });
    }
    case "weblist": {
      if (!json) return formatWebList(rpt);
      // raw values, like every --json report; the inlined calls as file:line chains
      const data = makeWebList(rpt);
      return toJson(rpt, {
        functions: data.funcs.map((f) => ({
          name: f.name,
          file: f.file,
          flat: f.flatValue,
          cum: f.cumValue,
          lines: f.lines.map((l) => ({
            line: l.line,
            text: l.srcLine,
            flat: l.flatValue,
            cum: l.cumValue,
            ...(l.instructions.length > 0
              ? { inlinedCalls: [...new Set(l.instructions.flatMap((i) => i.inlinedCalls.map((c) => `${c.fileBase}:${c.line}`)))] }
              : {}),
          })),
        })),
      });
    }
    case "raw": {
      const text = formatRaw(materialize(rpt.view));
      if (!json) return text;
      return toJson(rpt, { raw: text });
    }
  }
}

function toJson(rpt: Report, body: Record<string, unknown>): string {
  const doc = {
    report: rpt.kind,
    sampleType: rpt.sampleType,
    unit: rpt.sampleUnit,
    total: rpt.total,
    ...body,
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
