// The web UI's entry (bundled by scripts/build.mjs, served by apps/web/server). One state
// in the URL; each change is a history entry and redraws the bar and the view. When a view
// has drawn, body[data-ready] names it (the acceptance tests wait for it).

import { drawBar, viewsOf } from "./bar.js";
import type { ViewContext } from "./context.js";
import { clear, h } from "./dom.js";
import { getJson } from "./http.js";
import type { Meta } from "./meta.js";
import { readState, stateQuery, type State, type View } from "./state.js";
import { findingsView } from "./views/findings.js";
import { flameView } from "./views/flame.js";
import { gcView } from "./views/gc.js";
import { goroutinesView } from "./views/goroutines.js";
import { graphView } from "./views/graph.js";
import { peekView, sourceView } from "./views/source.js";
import { topView } from "./views/top.js";
import { traceView } from "./views/trace.js";

const DRAW: Record<View, (v: ViewContext) => Promise<void>> = {
  findings: findingsView,
  flame: flameView,
  top: topView,
  graph: graphView,
  source: sourceView,
  peek: peekView,
  goroutines: goroutinesView,
  gc: gcView,
  trace: traceView,
};

const byId = (id: string) => document.getElementById(id) as HTMLElement;

async function boot(): Promise<void> {
  // The page carries the inventory (server/page.ts); /api/meta answers the same.
  const inline = document.getElementById("godiag-meta")?.textContent;
  const meta = inline ? (JSON.parse(inline) as Meta) : await getJson<Meta>("/api/meta");
  const defaults = { view: (meta.profiles.length > 0 ? "top" : "findings") as View, base: meta.diffBase };
  let drawing = 0;
  const draw = async () => {
    const n = ++drawing;
    const st = readState(location.search, defaults);
    if (!viewsOf(meta).includes(st.view)) st.view = "findings";
    document.body.removeAttribute("data-ready");
    const notes = byId("notes");
    const el = byId("view");
    clear(notes);
    clear(el);
    for (const w of meta.warnings) notes.append(h("div", { class: "note" }, w));
    drawBar(byId("bar"), byId("tabs"), meta, st, go);
    const ctx: ViewContext = { meta, state: st, go, el, note: (m) => notes.append(h("div", { class: "note" }, m)) };
    document.title = `godiag: ${st.view}`;
    // A big profile's graph can take a while on the server: say that it is coming.
    const busy = h("div", { class: "busy" }, `computing ${st.view} …`);
    notes.append(busy);
    try {
      await DRAW[st.view](ctx);
    } catch (e) {
      if (n !== drawing) return;
      el.append(h("div", { class: "error" }, String((e as Error).message)));
    }
    busy.remove();
    if (n === drawing) document.body.dataset.ready = st.view;
  };
  const go = (patch: Partial<State>) => {
    const st = { ...readState(location.search, defaults), ...patch };
    history.pushState(null, "", stateQuery(st));
    void draw();
  };
  addEventListener("popstate", () => void draw());
  await draw();
}

boot().catch((e: unknown) => {
  document.body.append(h("div", { class: "error" }, `godiag: ${(e as Error).message}`));
  document.body.dataset.ready = "error";
});
