// flame graph: the existing viewer (pprof/flame/viewer, served as /assets/flame.js) fed
// with the payload the server built from the same state (level of detail done there).

import { h } from "../dom.js";
import { getJson, loadScript } from "../http.js";
import type { Warned } from "../meta.js";
import { apiQuery } from "../state.js";
import type { ViewContext } from "../context.js";

declare global {
  interface Window {
    godiagFlame?: (el: HTMLElement, payloadB64: string) => Promise<unknown>;
    godiagTimeline?: (el: HTMLElement, payloadB64: string) => Promise<unknown>;
  }
}

export async function flameView(v: ViewContext): Promise<void> {
  const [a] = await Promise.all([getJson<Warned & { payload: string }>("/api/flame?" + apiQuery(v.state)), loadScript("/assets/flame.js")]);
  for (const w of a.warnings) v.note(w);
  const el = h("div", { id: "godiag-flame" });
  v.el.append(el);
  await window.godiagFlame!(el, a.payload);
}
