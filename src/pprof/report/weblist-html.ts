// The weblist page: one self-contained HTML file (no external request; a CSP says so)
// listing each function's source with per-line flat and cum, as pprof's weblist
// (internal/driver/html/source.html) lays it out: one row per source line, and under a
// line that inlined calls, the chain of inlined callees, shown by clicking the line.
// The styling and the script are our own.

import { escapeHtml } from "../../core/html/index.js";
import { profileLabels } from "./header.js";
import type { Report } from "./report.js";
import { makeWebList, type WebListLine } from "./weblist.js";

const CSS = `body { font-family: sans-serif; margin: 1em 2em; }
.legend { font-size: 1.1em; margin-bottom: 1em; }
h2 { font-size: 1.2em; margin: 1.5em 0 0.2em; }
p.filename { margin: 0; color: #555; font-family: monospace; }
pre { font-size: 12px; line-height: 1.35; }
.line, .nop, .unimportant { color: #999; }
.deadsrc { color: #000; }
.livesrc { color: #000; cursor: pointer; background: #f4f8ff; }
.livesrc:hover { background: #e4ecfa; }
.inlinesrc { color: #004; }
.asm { display: none; color: #060; }
.asm.open { display: block; }`;

// A click on a line with inlined calls shows or hides the calls listed after it.
const JS = `document.addEventListener("click", function (ev) {
  var t = ev.target;
  while (t && t.nodeType === 1 && !(t.classList && t.classList.contains("livesrc"))) t = t.parentNode;
  if (!t || t.nodeType !== 1) return;
  var next = t.nextElementSibling;
  if (next && next.classList.contains("asm")) next.classList.toggle("open");
});`;

function pad(s: string, n: number): string {
  // fmt's %Ns counts code points
  const len = [...s].length;
  return len >= n ? s : " ".repeat(n - len) + s;
}

function lineRow(l: WebListLine): string {
  let row =
    `<span class=line> ${pad(String(l.line), 6)}</span> ` +
    `<span class=${l.htmlClass}>${escapeHtml(`  ${pad(l.flat, 10)} ${pad(l.cum, 10)} ${pad("", 8)}  ${l.srcLine} `)}</span>`;
  if (l.instructions.length === 0) return row;
  row += "<span class=asm>";
  for (const inst of l.instructions) {
    if (inst.newBlock) row += ` ${pad("", 8)} ${pad("⋮", 28)}\n`;
    for (const c of inst.inlinedCalls) {
      row += ` ${pad("", 8)} ${pad("", 10)} ${pad("", 10)} ${pad("", 8)}  `;
      row += `<span class=inlinesrc>${escapeHtml(c.srcLine)}</span> <span class=unimportant>${escapeHtml(`${c.fileBase}:${c.line}`)}</span>\n`;
    }
  }
  return row + "</span>";
}

export function formatWebList(rpt: Report): string {
  const data = makeWebList(rpt);
  const legend = profileLabels(rpt);
  const pick = (prefix: string) => legend.find((s) => s.startsWith(prefix))?.slice(prefix.length) ?? "unknown";
  const out: string[] = [
    "<!DOCTYPE html>",
    "<html>",
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`,
    `<title>${escapeHtml(pick("File: ") + " " + pick("Type: "))}</title>`,
    `<style>\n${CSS}\n</style>`,
    "</head>",
    "<body>",
    `<div class="legend">${legend.map(escapeHtml).join("<br>\n")}<br>Total: ${escapeHtml(data.total)}</div>`,
  ];
  for (const fn of data.funcs) {
    out.push(`<h2>${escapeHtml(fn.name)}</h2><p class="filename">${escapeHtml(fn.file)}</p>`);
    let pre = `<pre>\n  Total:  ${pad(fn.flat, 10)} ${pad(fn.cum, 10)} (flat, cum) ${fn.percent}`;
    for (const l of fn.lines) pre += "\n" + lineRow(l);
    out.push(pre + "\n</pre>");
  }
  out.push(`<script>\n${JS}\n</script>`, "</body>", "</html>");
  return out.join("\n") + "\n";
}
