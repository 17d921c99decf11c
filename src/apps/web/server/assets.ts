// The static files the page loads: the client bundle (scripts/build.mjs writes it into
// assets.generated.ts: main.js, its lazily loaded chunks for Graphviz and uPlot, app.css)
// and the flame and timeline viewers' own bundles, served as they are inlined elsewhere.

import { flameAssets } from "../../../api/flame.js";
import { timelineAssets } from "../../../api/trace.js";
import { CLIENT_ASSETS } from "./assets.generated.js";

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

export interface Asset {
  type: string;
  body: string;
}

let all: Map<string, Asset> | undefined;

function assets(): Map<string, Asset> {
  if (all !== undefined) return all;
  all = new Map();
  for (const [name, body] of Object.entries(CLIENT_ASSETS)) all.set(name, { type: TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream", body });
  const f = flameAssets();
  const t = timelineAssets();
  all.set("flame.js", { type: TYPES.js!, body: f.script });
  all.set("flame.css", { type: TYPES.css!, body: f.css });
  all.set("timeline.js", { type: TYPES.js!, body: t.script });
  all.set("timeline.css", { type: TYPES.css!, body: t.css });
  return all;
}

export function asset(name: string): Asset | undefined {
  return assets().get(name);
}

/** The chunks main.js imports statically: the page preloads them with it (one round trip, not two). */
export function mainImports(): string[] {
  const main = asset("main.js")?.body ?? "";
  return [...main.matchAll(/(?:import|from)\s*"\.\/(chunk-[\w-]+\.js)"/g)].map((m) => m[1]!);
}
