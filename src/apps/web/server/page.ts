// The one HTML page: a shell that loads the client bundle and the viewers' styles, all
// from this server (the CSP forbids anything else; no inline script runs). The server's
// inventory (what /api/meta answers) travels in the page as a JSON data block, which
// the CSP does not execute: the page draws its bar without waiting for a request.

/** JSON inside <script type="application/json">: nothing in it may close the element. */
function dataBlock(json: string): string {
  return json.replace(/</g, "\\u003c");
}

export function page(metaJson: string, preload: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>godiag</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<link rel="stylesheet" href="/assets/flame.css">
<link rel="stylesheet" href="/assets/timeline.css">
${preload.map((f) => `<link rel="modulepreload" href="/assets/${f}">\n`).join("")}<script type="module" src="/assets/main.js"></script>
<script type="application/json" id="godiag-meta">${dataBlock(metaJson)}</script>
</head><body>
<header id="bar"></header>
<nav id="tabs"></nav>
<div id="notes"></div>
<main id="view"></main>
</body></html>
`;
}
