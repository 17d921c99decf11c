// The shell of every self-contained page godiag writes (flame graph, timeline,
// diagnosis): one definition, so all of them keep the same promise — the page loads
// nothing. The CSP admits only inline scripts and styles and data: images.

import { escapeHtml } from "./escape.js";

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/** A complete page: its title, inline CSS, inline scripts (each its own element) and body. */
export function offlinePage(title: string, css: string, scripts: string[], body: string): string {
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n` +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(title)}</title>\n<style>${css}</style>\n</head><body>\n` +
    scripts.map((s) => `<script>${s}</script>\n`).join("") +
    body +
    `</body></html>\n`
  );
}
