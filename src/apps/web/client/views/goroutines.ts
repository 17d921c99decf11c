// goroutines: the newest dump's buckets (godiag goroutines --json) and, with two or more
// dumps, the leak diff of the oldest against the newest (godiag goroutines --diff).

import { h } from "../dom.js";
import { getJson } from "../http.js";
import type { ViewContext } from "../context.js";

interface Frame {
  func: string;
  file: string;
  line: number;
}

interface Bucket {
  title: string;
  count: number;
  class: string;
  frames: Frame[];
}

interface Answer {
  latest: { source: string; total: number; buckets: Bucket[]; suspects: { title: string; reason: string }[] };
  diff: string | null;
}

export async function goroutinesView(v: ViewContext): Promise<void> {
  const a = await getJson<Answer | null>("/api/goroutines");
  if (a === null) {
    v.el.append(h("p", {}, "No goroutine dump (goroutine?debug=2) among the inputs."));
    return;
  }
  const l = a.latest;
  v.el.append(h("h3", {}, `${l.source}: ${l.total} goroutines in ${l.buckets.length} buckets`));
  for (const s of l.suspects) v.el.append(h("p", { class: "suspect" }, `suspect: ${s.title}: ${s.reason}`));
  const tbody = h("tbody");
  for (const b of l.buckets) {
    const frames = h("pre", {}, b.frames.map((f) => `${f.func}\n\t${f.file}:${f.line}`).join("\n"));
    tbody.append(h("tr", { class: "bucket" }, h("td", {}, String(b.count)), h("td", {}, b.class), h("td", { class: "name" }, h("details", {}, h("summary", {}, b.title), frames))));
  }
  v.el.append(h("table", { class: "buckets" }, h("thead", {}, h("tr", {}, h("th", {}, "count"), h("th", {}, "class"), h("th", { class: "name" }, "bucket"))), tbody));
  if (a.diff !== null) v.el.append(h("h3", {}, "leak diff (oldest dump to newest)"), h("pre", { class: "leakdiff" }, a.diff));
}
