// The self-contained HTML timeline of an execution trace: one file, no network (a
// Content-Security-Policy forbids any), opens from disk. Like the flame graph page
// (pprof/flame/html.ts): the viewer is the browser bundle of viewer/main.ts (minified by
// scripts/build.mjs into viewer/bundle.generated.ts), inlined once per page; the data is
// payload.ts's gzip'd blob in base64.
//
// For host pages (the diagnose report): timelineAssets() once per page, then
// timelineFragment(data, id) wherever a timeline goes.

import { escapeHtml, offlinePage } from "../../core/html/index.js";
import type { TimelineData } from "./model.js";
import { encodeTimelinePayload, type TimelinePageOptions } from "./payload.js";
import { TIMELINE_JS } from "./viewer/bundle.generated.js";

const CSS = `
.gdt{font:13px/1.35 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;position:relative}
.gdt-bar{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline;padding:4px 0}
.gdt-title{font-weight:600}
.gdt-sub,.gdt-help{color:#555;font-size:12px}
.gdt-btn{font:inherit;padding:1px 8px}
.gdt-legend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;color:#444;padding:2px 0 4px}
.gdt-key i{display:inline-block;width:10px;height:10px;margin-right:4px;border:1px solid #0002;vertical-align:-1px}
.gdt-holder{position:relative;border:1px solid #ddd}
.gdt-canvas{display:block;cursor:grab;touch-action:none}
.gdt-canvas:active{cursor:grabbing}
.gdt-tip{position:absolute;z-index:10;pointer-events:none;background:#fffffe;border:1px solid #999;box-shadow:0 2px 8px #0003;padding:6px 8px;max-width:560px;font-size:12px;word-break:break-all;display:none}
.gdt-mono{font-family:ui-monospace,Menlo,Consolas,monospace;color:#555}
`;

/** CSS and script to include once in a page hosting timelines (defines window.godiagTimeline). */
export function timelineAssets(): { css: string; script: string } {
  return { css: CSS, script: TIMELINE_JS };
}

/** A timeline element for a host page that already includes timelineAssets(); `id` unique in the page. */
export function timelineFragment(data: TimelineData, id: string, opts: TimelinePageOptions = {}): string {
  const payload = encodeTimelinePayload(data, opts);
  const sid = JSON.stringify(id);
  return (
    `<div id="${escapeHtml(id)}" class="gdt"></div>\n` +
    `<script type="application/octet-stream" id="${escapeHtml(id)}-data">${payload}</script>\n` +
    `<script>window.godiagTimeline(document.getElementById(${sid}),` +
    `document.getElementById(${JSON.stringify(id + "-data")}).textContent.trim())` +
    `.catch(function(e){document.getElementById(${sid}).textContent="timeline failed: "+e;});</script>\n`
  );
}

/** A complete, self-contained HTML page. */
export function renderTimelineHtml(data: TimelineData, opts: TimelinePageOptions = {}): string {
  const { css, script } = timelineAssets();
  const title = opts.title ?? "execution trace timeline";
  return offlinePage(title, `${css}body{margin:8px 12px}`, [script], timelineFragment(data, "godiag-timeline", opts));
}
