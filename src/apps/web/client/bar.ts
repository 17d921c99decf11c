// The bar above every view: which profile, sample index, diff base, granularity and the
// filters; and the tabs of the views the inputs allow. Submitting changes the URL state.

import { clear, h } from "./dom.js";
import type { Meta } from "./meta.js";
import { FILTERS, type State, type View } from "./state.js";

const GRANULARITIES = ["", "functions", "filefunctions", "files", "lines", "addresses"];

function select(name: string, options: [string, string][], value: string): HTMLSelectElement {
  const s = h("select", { name });
  for (const [v, label] of options) s.append(h("option", v === value ? { value: v, selected: "" } : { value: v }, label));
  return s;
}

/** The views these inputs have something for. */
export function viewsOf(meta: Meta): View[] {
  const v: View[] = ["findings"];
  if (meta.profiles.length > 0) v.push("flame", "top", "graph", "source", "peek");
  if (meta.goroutineDumps.length > 0) v.push("goroutines");
  if (meta.gctraces.length > 0) v.push("gc");
  if (meta.traces.length > 0) v.push("trace");
  return v;
}

export function drawBar(bar: HTMLElement, tabs: HTMLElement, meta: Meta, st: State, go: (p: Partial<State>) => void): void {
  clear(bar);
  clear(tabs);
  const prof = meta.profiles[st.p];
  const form = h("form", { id: "state" });
  if (meta.profiles.length > 0) {
    const p = select("p", meta.profiles.map((x) => [String(x.id), `${x.name} (${x.kind})`]), String(st.p));
    const si = select("si", [["", `default (${prof?.defaultSampleType || (prof?.sampleTypes.at(-1) ?? "")})`], ...(prof?.sampleTypes ?? []).map((t): [string, string] => [t, t])], st.si);
    const base = select("base", [["-1", "no diff"], ...meta.profiles.map((x): [string, string] => [String(x.id), `diff against ${x.name}`])], String(st.base));
    const g = select("g", GRANULARITIES.map((x) => [x, x === "" ? "functions (default)" : x]), st.g);
    // Another profile's sample types differ: its default index then.
    p.addEventListener("change", () => go({ p: Number(p.value), si: "" }));
    for (const [el, key] of [[si, "si"], [base, "base"], [g, "g"]] as const) {
      el.addEventListener("change", () => go({ [key]: key === "base" ? Number(el.value) : el.value }));
    }
    form.append(h("label", {}, "profile ", p), h("label", {}, "sample ", si), h("label", {}, "", base), h("label", {}, "granularity ", g));
    const inputs = new Map<string, HTMLInputElement>();
    for (const k of FILTERS) {
      const i = h("input", { type: "text", name: k, size: "14", value: st[k] });
      inputs.set(k, i);
      form.append(h("label", {}, `${k} `, i));
    }
    form.append(h("button", { type: "submit" }, "apply"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const patch: Partial<State> = {};
      for (const k of FILTERS) patch[k] = inputs.get(k)!.value;
      go(patch);
    });
  }
  bar.append(h("strong", { class: "brand" }, "godiag"), form);
  for (const v of viewsOf(meta)) {
    const a = h("a", { href: "#", "data-view": v, class: v === st.view ? "tab active" : "tab" }, v);
    a.addEventListener("click", (e) => {
      e.preventDefault();
      go({ view: v });
    });
    tabs.append(a);
  }
}
