// What the view worker answers: the session's inventory (meta) and each view's JSON,
// by route. Runs inside the worker (worker.ts), where the decoded inputs live.

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

/** Top rows sent to the browser; the rest are counted, not sent. */
export const TOP_ROWS = 2000;
/** Flame frames sent (level of detail: narrower frames fold into "(other)" on the server). */
export const FLAME_FRAMES = 50_000;

/** The routes a view worker answers; their queries are validated on the HTTP thread. */
export const VIEW_ROUTES = ["/api/top", "/api/flame", "/api/dot", "/api/peek", "/api/source"] as const;
export const SESSION_ROUTES = ["/api/findings", "/api/goroutines", "/api/gc", "/api/trace"] as const;
export type ViewRoute = (typeof VIEW_ROUTES)[number] | (typeof SESSION_ROUTES)[number];

/** The inventory the page starts from (/api/meta and inlined into the page). */
export function sessionMeta(s: ServeSession): string {
  return JSON.stringify({
    inputs: s.inputs,
    profiles: s.profiles.map((p) => ({ id: p.id, name: p.name, kind: p.kind, sampleTypes: p.sampleTypes, defaultSampleType: p.defaultSampleType })),
    diffBase: s.diffBase,
    goroutineDumps: s.dumps.map((f) => f.path),
    gctraces: s.gctraces.map((f) => f.path),
    traces: s.traces.map((f) => f.path),
    sourceRoots: s.sourceRoots,
    warnings: s.warnings,
  });
}

/** A view's answer as JSON text. `q` is the validated query (a ViewState, or {t} for the trace). */
export function answerView(s: ServeSession, route: ViewRoute, q: Record<string, unknown>): string {
  const st = q as unknown as ViewState;
  switch (route) {
    case "/api/top":
      return JSON.stringify(topView(s, st, TOP_ROWS));
    case "/api/flame":
      return JSON.stringify(flameView(s, st, FLAME_FRAMES));
    case "/api/dot":
      return JSON.stringify(textView(s, st, "dot"));
    case "/api/peek":
      return JSON.stringify(st.fn === "" ? { text: "", warnings: ["peek: name a function (regexp)"] } : textView(s, st, "peek"));
    case "/api/source":
      return JSON.stringify(st.fn === "" ? { text: "", warnings: ["source: name a function (regexp)"] } : sourceView(s, st));
    case "/api/findings":
      return JSON.stringify(findingsView(s));
    case "/api/goroutines":
      return JSON.stringify(goroutinesView(s));
    case "/api/gc":
      return JSON.stringify(gcView(s));
    case "/api/trace":
      return JSON.stringify({ payload: traceView(s, q.t as number) });
  }
}
