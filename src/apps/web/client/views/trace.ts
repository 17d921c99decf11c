// execution trace timeline: the existing timeline viewer (trace/timeline/viewer, served
// as /assets/timeline.js), fed with the payload the server built once per trace.

import { h } from "../dom.js";
import { getJson, loadScript } from "../http.js";
import type { ViewContext } from "../context.js";

export async function traceView(v: ViewContext): Promise<void> {
  if (v.meta.traces.length === 0) {
    v.el.append(h("p", {}, "No execution trace (trace.out) among the inputs."));
    return;
  }
  if (v.meta.traces.length > 1) {
    const sel = h("select", { name: "t" });
    v.meta.traces.forEach((t, i) => sel.append(h("option", i === v.state.t ? { value: String(i), selected: "" } : { value: String(i) }, t)));
    sel.addEventListener("change", () => v.go({ t: Number(sel.value) }));
    v.el.append(h("label", {}, "trace ", sel));
  }
  const [a] = await Promise.all([getJson<{ payload: string }>(`/api/trace?t=${v.state.t}`), loadScript("/assets/timeline.js")]);
  const el = h("div", { id: "godiag-timeline", class: "gdt" });
  v.el.append(el);
  await window.godiagTimeline!(el, a.payload);
}
