// The one HTML page: a shell that loads the client bundle and the viewers' styles, all
// from this server (the CSP forbids anything else; no inline script).

export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>godiag</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<link rel="stylesheet" href="/assets/flame.css">
<link rel="stylesheet" href="/assets/timeline.css">
<script type="module" src="/assets/main.js"></script>
</head><body>
<header id="bar"></header>
<nav id="tabs"></nav>
<div id="notes"></div>
<main id="view"></main>
</body></html>
`;
