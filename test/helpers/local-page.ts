// One way to open a self-contained HTML file of ours in Chromium and watch it: console
// errors, uncaught page errors, and every request. The page may load only its own file;
// anything else is a network request a self-contained page must never make, so it is
// recorded and refused.

import type { Browser, Page } from "playwright-core";

export interface LocalPage {
  page: Page;
  /** console errors (and warnings when asked) and uncaught page errors */
  errors: string[];
  /** every request the page made, its own file first */
  requests: string[];
  /** the requests other than the file itself (all refused) */
  refused: string[];
}

export async function openLocalPage(
  browser: Browser,
  file: string,
  opts: { viewport?: { width: number; height: number }; warnings?: boolean } = {},
): Promise<LocalPage> {
  const page = await browser.newPage(opts.viewport ? { viewport: opts.viewport } : {});
  const self = "file://" + file;
  const out: LocalPage = { page, errors: [], requests: [], refused: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || (opts.warnings === true && m.type() === "warning")) out.errors.push(m.text());
  });
  page.on("pageerror", (e) => out.errors.push(String(e)));
  page.on("request", (r) => out.requests.push(r.url()));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url === self) return route.continue();
    out.refused.push(url);
    return route.abort();
  });
  await page.goto(self);
  return out;
}
