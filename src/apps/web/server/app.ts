// The HTTP API and the page (hono). Each view is one GET answered from the session's
// decoded inputs (api/serve.ts); the browser receives only what it draws.

import { Hono, type Context } from "hono";
import type { z } from "zod";
import { InputError, ReportError } from "../../../api/errors.js";
import {
  findingsView,
  flameView,
  gcView,
  goroutinesView,
  sourceView,
  textView,
  topView,
  traceView,
  type ServeSession,
  type ViewState,
} from "../../../api/serve.js";
import { asset, mainImports } from "./assets.js";
import { AnswerCache } from "./cache.js";
import { page } from "./page.js";
import { noQuery, queryError, traceQuery, viewQuery } from "./query.js";

/** Top rows sent to the browser; the rest are counted, not sent. */
export const TOP_ROWS = 2000;
/** Flame frames sent (level of detail: narrower frames fold into "(other)" on the server). */
export const FLAME_FRAMES = 50_000;

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
  session: ServeSession;
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
  const s = o.session;
  const cache = new AnswerCache(256 << 20);
  const app = new Hono();
  const answers = new Map<string, (st: ViewState) => unknown>();
  const answer = (path: string, st: ViewState): string => {
    const key = path + "?" + JSON.stringify(st);
    let body = cache.get(key);
    if (body === undefined) {
      body = JSON.stringify(answers.get(path)!(st));
      cache.set(key, body);
    }
    return body;
  };
  app.use("*", o.securityHeaders);
  for (const g of o.guards) app.use("*", g);

  app.onError((e, c) => {
    if (e instanceof BadQuery || e instanceof ReportError || e instanceof InputError) return c.json({ error: e.message }, 400);
    return c.json({ error: `internal error: ${e.message}` }, 500);
  });

  const meta = JSON.stringify({
    inputs: s.inputs,
    profiles: s.profiles.map((p) => ({ id: p.id, name: p.name, kind: p.kind, sampleTypes: p.sampleTypes, defaultSampleType: p.defaultSampleType })),
    diffBase: s.diffBase,
    goroutineDumps: s.dumps.map((f) => f.path),
    gctraces: s.gctraces.map((f) => f.path),
    traces: s.traces.map((f) => f.path),
    sourceRoots: s.sourceRoots,
    warnings: s.warnings,
  });
  const html = page(meta, mainImports());
  app.get("/", (c) => c.html(html, 200, { "Cache-Control": "no-store" }));
  app.get("/assets/:name", (c) => {
    const a = asset(c.req.param("name"));
    if (a === undefined) return c.text("not found\n", 404);
    return c.body(a.body, 200, { "Content-Type": a.type, "Cache-Control": "no-cache" });
  });

  /** A cached JSON answer for a validated view state. */
  const view = (path: string, make: (st: ViewState) => unknown) => {
    answers.set(path, make);
    app.get(path, (c) => json(c, answer(path, parse(viewQuery, c) as ViewState)));
  };

  app.get("/api/meta", (c) => {
    parse(noQuery, c);
    return json(c, meta);
  });
  view("/api/top", (st) => topView(s, st, TOP_ROWS));
  view("/api/flame", (st) => flameView(s, st, FLAME_FRAMES));
  view("/api/dot", (st) => textView(s, st, "dot"));
  view("/api/peek", (st) => (st.fn === "" ? { text: "", warnings: ["peek: name a function (regexp)"] } : textView(s, st, "peek")));
  view("/api/source", (st) => (st.fn === "" ? { text: "", warnings: ["source: name a function (regexp)"] } : sourceView(s, st)));
  app.get("/api/findings", (c) => {
    parse(noQuery, c);
    return c.json(findingsView(s));
  });
  app.get("/api/goroutines", (c) => {
    parse(noQuery, c);
    return c.json(goroutinesView(s));
  });
  app.get("/api/gc", (c) => {
    parse(noQuery, c);
    return c.json(gcView(s));
  });
  app.get("/api/trace", (c) => {
    const q = parse(traceQuery, c);
    return c.json({ payload: traceView(s, q.t) });
  });
  app.notFound((c) => c.text("not found\n", 404));
  const warm = async (origin: string, headers: Record<string, string>) => {
    // the query main.ts sends for its first view (state.ts apiQuery of the default state)
    const first = s.profiles.length > 0 ? [`/api/top?p=0&base=${s.diffBase}`] : [];
    for (const path of ["/", "/assets/main.js", ...first]) {
      // an error here is the page's to show when it asks
      await app.fetch(new Request(origin + path, { headers }));
    }
  };
  return { app, warm };
}
