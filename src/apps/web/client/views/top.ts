// top: the CLI's `godiag top` as a table (same cells). flat/cum headers re-sort on the
// server (pprof -cum: the sum% column follows the order); name sorts here.

import { h } from "../dom.js";
import { getJson } from "../http.js";
import type { TopAnswer } from "../meta.js";
import { apiQuery, exactRegexp } from "../state.js";
import type { ViewContext } from "../context.js";

export async function topView(v: ViewContext): Promise<void> {
  const a = await getJson<TopAnswer>("/api/top?" + apiQuery(v.state));
  for (const w of a.warnings) v.note(w);
  const diff = v.state.base >= 0 && v.state.base !== v.state.p;
  const head = (label: string, key: "flat" | "cum" | null) => {
    const th = h("th", key !== null ? { "data-sort": key, class: v.state.sort === key ? "sorted" : "" } : {}, label);
    if (key !== null) th.addEventListener("click", () => v.go({ sort: key }));
    return th;
  };
  const nameTh = h("th", { class: "name" }, "name");
  const tbody = h("tbody");
  const rows = a.rows.map((r) => {
    const link = h("a", { href: "#", class: "fn" }, r.name);
    link.addEventListener("click", (e) => {
      e.preventDefault();
      v.go({ view: "source", fn: exactRegexp(r.name.replace(/ \((partial-)?inline\)$/, "")) });
    });
    const cls = diff ? (r.flatValue > 0 ? "grew" : r.flatValue < 0 ? "shrank" : "") : "";
    return h("tr", cls !== "" ? { class: cls } : {}, h("td", {}, r.flat), h("td", {}, r.flatPct), h("td", {}, r.sumPct), h("td", {}, r.cum), h("td", {}, r.cumPct), h("td", { class: "name" }, link));
  });
  tbody.append(...rows);
  let byName = 0;
  nameTh.addEventListener("click", () => {
    byName = byName === 1 ? -1 : 1;
    const sorted = [...rows].sort((x, y) => byName * (x.lastChild!.textContent! < y.lastChild!.textContent! ? -1 : 1));
    tbody.append(...sorted);
  });
  v.el.append(
    h("pre", { class: "labels" }, a.labels.join("\n")),
    h("table", { class: "top" }, h("thead", {}, h("tr", {}, head("flat", "flat"), head("flat%", null), head("sum%", null), head("cum", "cum"), head("cum%", null), nameTh)), tbody),
    ...(a.more > 0 ? [h("p", { class: "more" }, `${a.more} more rows not shown (narrow with focus or ignore)`)] : []),
  );
}
