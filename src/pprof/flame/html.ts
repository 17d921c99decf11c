// The self-contained HTML flame graph: one file, no network (a Content-Security-Policy
// forbids any), opens from disk. The viewer is the browser bundle of viewer/main.ts
// (minified by scripts/build.mjs into viewer/bundle.generated.ts), inlined once per page; the tree
// travels as one gzip'd blob (JSON frame table + typed-array columns), base64 in a
// <script type="application/octet-stream">, inflated by the browser's
// DecompressionStream. gzip keeps the page within 2x the gzipped profile.
//
// For host pages (the diagnose report): flameAssets() once per page, then
// flameFragment(tree, {id}) wherever a flame graph goes.

import { gzipSync } from "node:zlib";
import { WAIT_CLASSES } from "../../core/go/index.js";
import { escapeHtml, offlinePage } from "../../core/html/index.js";
import { NOT_WAITING_COLOR, packageColor, WAIT_CLASS_COLORS } from "./colors.js";
import type { FlameTree } from "./tree.js";
import { VIEWER_JS } from "./viewer/bundle.generated.js";

export type ColorMode = "package" | "wait" | "diff";

export interface FlameHtmlOptions {
  title?: string;
  /** one line under the title: inputs, sample type, filters */
  subtitle?: string;
  colorMode?: ColorMode;
}

/** Sample types whose stacks are waits: wait-reason colours by default. */
function isWaitProfile(tree: FlameTree): boolean {
  return /^(goroutine|contentions|delay)$/.test(tree.sampleType);
}

export function defaultColorMode(tree: FlameTree): ColorMode {
  if (tree.diff) return "diff";
  return isWaitProfile(tree) ? "wait" : "package";
}

/** The tree as the viewer's gzip'd payload, base64. */
export function encodeFlamePayload(tree: FlameTree, opts: FlameHtmlOptions = {}): string {
  const hasWait = tree.waitClass.some((c) => c !== 0);
  const meta = {
    title: opts.title ?? "flame graph",
    subtitle: opts.subtitle ?? "",
    sampleType: tree.sampleType,
    unit: tree.unit,
    diff: tree.diff,
    count: tree.count,
    maxDepth: tree.maxDepth,
    names: tree.frames.map((f) => f.name),
    files: tree.frames.map((f) => f.file),
    lines: tree.frames.map((f) => f.line),
    colors: tree.frames.map((f) => packageColor(f.origin, f.pkg)),
    labels: tree.frames.map((f) => (f.origin === "label" ? 1 : 0)),
    waitClasses: [...WAIT_CLASSES],
    waitColors: WAIT_CLASSES.map((c) => WAIT_CLASS_COLORS[c]),
    notWaiting: NOT_WAITING_COLOR,
    colorMode: opts.colorMode ?? defaultColorMode(tree),
    hasWait,
  };
  const json = Buffer.from(JSON.stringify(meta), "utf8");
  const parts: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    size += b.length;
    const pad = (8 - (size % 8)) % 8;
    if (pad > 0) {
      parts.push(new Uint8Array(pad));
      size += pad;
    }
  };
  const head = Buffer.alloc(4);
  head.writeUInt32LE(json.length, 0);
  parts.push(head, json);
  size = 4 + json.length;
  const pad0 = (8 - (size % 8)) % 8;
  parts.push(new Uint8Array(pad0));
  size += pad0;
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  push(bytes(tree.selfPos));
  if (tree.diff) push(bytes(tree.selfNeg));
  push(bytes(tree.frame));
  push(bytes(tree.depth));
  push(bytes(tree.waitClass));
  // Large trees: gzip level 1 is 3-4x faster than 6 for ~1.5x the bytes, still far under the size bound.
  const raw = Buffer.concat(parts);
  return gzipSync(raw, { level: raw.length > 4 << 20 ? 1 : 6 }).toString("base64");
}

const CSS = `
.gdf{font:13px/1.35 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;position:relative}
.gdf-bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;padding:6px 0}
.gdf-title{font-weight:600;margin-right:8px;max-width:40em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.gdf-search{width:18em;padding:3px 6px;font:inherit}
.gdf-match{color:#7a1f8c;min-width:12em}
.gdf-btn,.gdf-color{font:inherit;padding:2px 8px}
.gdf-legend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;color:#444;padding:2px 0 4px}
.gdf-key i{display:inline-block;width:10px;height:10px;margin-right:4px;border:1px solid #0002;vertical-align:-1px}
.gdf-crumbs{font-size:12px;padding:3px 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.gdf-crumb{color:#1a5fb4;cursor:pointer;text-decoration:underline}
.gdf-body{display:flex;gap:10px;align-items:flex-start}
.gdf-panes{flex:1 1 auto;min-width:0}
.gdf-pane-title{font-size:12px;color:#555;padding:6px 0 2px}
.gdf-holder{position:relative}
.gdf-canvas{display:block;cursor:pointer}
.gdf-overlay{position:absolute;left:0;top:0;pointer-events:none}
.gdf-side{flex:0 0 34%;max-height:80vh;overflow:auto;font-size:12px}
.gdf-top{border-collapse:collapse;width:100%}
.gdf-top th{position:sticky;top:0;background:#f3f3f3;text-align:right;padding:2px 6px}
.gdf-top td{text-align:right;padding:1px 6px;white-space:nowrap;font-variant-numeric:tabular-nums}
.gdf-top td.gdf-fn,.gdf-top th:last-child{text-align:left;font-family:ui-monospace,Menlo,Consolas,monospace}
.gdf-top tr[data-frame]{cursor:pointer}.gdf-top tr[data-frame]:hover{background:#fff3c4}
.gdf-tip{position:absolute;z-index:10;pointer-events:none;background:#fffffe;border:1px solid #999;box-shadow:0 2px 8px #0003;padding:6px 8px;max-width:560px;font-size:12px;word-break:break-all}
.gdf-file{color:#555;font-family:ui-monospace,Menlo,Consolas,monospace}
`;

/** CSS and script to include once in a page hosting flame graphs (defines window.godiagFlame). */
export function flameAssets(): { css: string; script: string } {
  return { css: CSS, script: VIEWER_JS };
}

/**
 * A flame graph element for a host page that already includes flameAssets():
 * a container div, its data, and the call that starts it. `id` must be unique in the page.
 */
export function flameFragment(tree: FlameTree, id: string, opts: FlameHtmlOptions = {}): string {
  const data = encodeFlamePayload(tree, opts);
  return (
    `<div id="${escapeHtml(id)}"></div>\n` +
    `<script type="application/octet-stream" id="${escapeHtml(id)}-data">${data}</script>\n` +
    `<script>window.godiagFlame(document.getElementById(${JSON.stringify(id)}),` +
    `document.getElementById(${JSON.stringify(id + "-data")}).textContent.trim())` +
    `.catch(function(e){document.getElementById(${JSON.stringify(id)}).textContent="flame graph failed: "+e;});</script>\n`
  );
}

/** A complete, self-contained HTML page. */
export function renderFlameHtml(tree: FlameTree, opts: FlameHtmlOptions = {}): string {
  const { css, script } = flameAssets();
  const title = opts.title ?? "flame graph";
  return offlinePage(title, `${css}body{margin:8px 12px}`, [script], flameFragment(tree, "godiag-flame", opts));
}
