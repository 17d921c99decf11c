// The HTTP API and the page (hono). Each view is one GET, validated here and computed
// on the view worker (worker.ts), which holds the decoded inputs: this thread only
// routes, caches and serves the page and its assets, so it stays responsive while a
// big view computes. The browser receives only what it draws.

import { Hono, type Context } from "hono";
import type { z } from "zod";
import { InputError, ReportError } from "../../../api/errors.js";
import type { ViewRoute } from "./answers.js";
import { asset, mainImports } from "./assets.js";
import { AnswerCache } from "./cache.js";
import { page } from "./page.js";
import { noQuery, queryError, traceQuery, viewQuery } from "./query.js";
import type { ViewWorker } from "./worker.js";

class BadQuery extends Error {}

function parse<T extends z.ZodType>(schema: T, c: Context): z.infer<T> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) throw new BadQuery(`bad query: ${queryError(r.error)}`);
  return r.data;
}

function json(c: Context, body: string): Response {
  return c.body(body, 200, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
}

export interface AppOptions {
  views: ViewWorker;
  /** middleware run before every route (host check, token) */
  guards: Parameters<Hono["use"]>[1][];
  securityHeaders: Parameters<Hono["use"]>[1];
}

export interface App {
  app: Hono;
  /**
   * Answers, once, what the page asks for first (the page, its script and the top of the
   * first profile in the default state), through the routes and guards a
   * browser meets: the first paint then waits neither for the report nor for a cold
   * server. Called before the URL is printed; `headers` pass the guards.
   */
  warm(origin: string, headers: Record<string, string>): Promise<void>;
}

export function createApp(o: AppOptions): App {
  const views = o.views;
  const cache = new AnswerCache(256 << 20);
  // the same question asked twice while it computes is computed once
  const computing = new Map<string, Promise<string>>();
  const answer = async (route: ViewRoute, q: Record<string, unknown>): Promise<string> => {
    const key = route + "?" + JSON.stringify(q);
    const hit = cache.get(key) ?? computing.get(key);
    if (hit !== undefined) return hit;
    const p = views.ask(route, q);
    computing.set(key, p);
    try {
      const body = await p;
      cache.set(key, body);
      return body;
    } finally {
      computing.delete(key);
    }
  };
  const app = new Hono();
  app.use("*", o.securityHeaders);
  for (const g of o.guards) app.use("*", g);

  app.onError((e, c) => {
    if (e instanceof BadQuery || e instanceof ReportError || e instanceof InputError) return c.json({ error: e.message }, 400);
    return c.json({ error: `internal error: ${e.message}` }, 500);
  });

  const meta = views.meta;
  const html = page(meta, mainImports());
  app.get("/", (c) => c.html(html, 200, { "Cache-Control": "no-store" }));
  app.get("/assets/:name", (c) => {
    const a = asset(c.req.param("name"));
    if (a === undefined) return c.text("not found\n", 404);
    return c.body(a.body, 200, { "Content-Type": a.type, "Cache-Control": "no-cache" });
  });
  app.get("/api/meta", (c) => {
    parse(noQuery, c);
    return json(c, meta);
  });
  for (const route of ["/api/top", "/api/flame", "/api/dot", "/api/peek", "/api/source"] as const) {
    app.get(route, async (c) => json(c, await answer(route, parse(viewQuery, c))));
  }
  for (const route of ["/api/findings", "/api/goroutines", "/api/gc"] as const) {
    app.get(route, async (c) => json(c, await answer(route, parse(noQuery, c))));
  }
  app.get("/api/trace", async (c) => json(c, await answer("/api/trace", parse(traceQuery, c))));
  app.notFound((c) => c.text("not found\n", 404));
  const warm = async (origin: string, headers: Record<string, string>) => {
    const m = JSON.parse(meta) as { profiles: unknown[]; diffBase: number };
    // the query main.ts sends for its first view (state.ts apiQuery of the default state)
    const first = m.profiles.length > 0 ? [`/api/top?p=0&base=${m.diffBase}`] : [];
    for (const path of ["/", "/assets/main.js", ...first]) {
      // an error here is the page's to show when it asks
      await app.fetch(new Request(origin + path, { headers }));
    }
  };
  return { app, warm };
}
