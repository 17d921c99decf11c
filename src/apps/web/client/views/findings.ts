// findings: the diagnosis of everything served (godiag diagnose), each finding's
// evidence linked to the view that shows it (the profile's top with the function in
// focus, the source of a function, the goroutine buckets, the GC charts, the timeline).

import { h } from "../dom.js";
import { getJson } from "../http.js";
import type { Meta } from "../meta.js";
import { exactRegexp, type State } from "../state.js";
import type { ViewContext } from "../context.js";

interface Evidence {
  source: string;
  kind: string;
  numbers: Record<string, number>;
  functions?: string[];
  excerpt?: string;
}

interface Finding {
  id: string;
  severity: string;
  title: string;
  summary: string;
  recommendation: string;
  evidence: Evidence[];
  functions: string[];
}

interface Diagnosis {
  findings: Finding[];
  unreadable: { path: string; error: string }[];
}

/** Where a piece of evidence is shown, or null when no view holds its file. */
function evidenceTarget(meta: Meta, e: Evidence, fn: string | undefined): Partial<State> | null {
  const prof = meta.profiles.find((p) => p.name === e.source);
  if (prof !== undefined) return { view: "top", p: prof.id, base: -1, focus: fn !== undefined ? exactRegexp(fn) : "", si: "" };
  if (meta.goroutineDumps.includes(e.source)) return { view: "goroutines" };
  if (meta.gctraces.includes(e.source)) return { view: "gc" };
  const t = meta.traces.indexOf(e.source);
  if (t >= 0) return { view: "trace", t };
  return null;
}

function link(v: ViewContext, text: string, to: Partial<State>): HTMLElement {
  const a = h("a", { href: "#", class: "evidence-link" }, text);
  a.addEventListener("click", (ev) => {
    ev.preventDefault();
    v.go(to);
  });
  return a;
}

export async function findingsView(v: ViewContext): Promise<void> {
  const d = await getJson<Diagnosis>("/api/findings");
  if (d.findings.length === 0) v.el.append(h("p", { class: "none" }, "No findings: nothing in these inputs matched a diagnosis rule."));
  for (const u of d.unreadable) v.note(`unreadable: ${u.error}`);
  for (const f of d.findings) {
    const ev = h("ul", { class: "evidence" });
    for (const e of f.evidence) {
      const fn = e.functions?.[0] ?? f.functions[0];
      const to = evidenceTarget(v.meta, e, fn);
      const nums = Object.entries(e.numbers)
        .slice(0, 6)
        .map(([k, x]) => `${k}=${Number.isInteger(x) ? x : x.toFixed(3)}`)
        .join(", ");
      ev.append(h("li", {}, to !== null ? link(v, `${e.kind}: ${e.source}`, to) : `${e.kind}: ${e.source}`, nums !== "" ? ` (${nums})` : "", e.excerpt !== undefined ? h("pre", { class: "excerpt" }, e.excerpt) : null));
    }
    const fns = h("p", { class: "functions" });
    for (const fn of f.functions.slice(0, 5)) fns.append(link(v, fn, { view: "source", fn: exactRegexp(fn) }), " ");
    v.el.append(
      h(
        "section",
        { class: `finding ${f.severity}`, "data-id": f.id },
        h("h3", {}, h("span", { class: "sev" }, f.severity), " ", f.title),
        h("p", {}, f.summary),
        f.functions.length > 0 ? fns : null,
        ev,
        h("p", { class: "rec" }, f.recommendation),
      ),
    );
  }
}
