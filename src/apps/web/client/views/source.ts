// source listing (`godiag list fn`, = go tool pprof -list) and peek (`godiag peek fn`):
// the CLI's text, lines with samples marked. Only files under the server's source roots
// are read.

import { h } from "../dom.js";
import { getJson } from "../http.js";
import type { TextAnswer } from "../meta.js";
import { apiQuery } from "../state.js";
import type { ViewContext } from "../context.js";

function fnForm(v: ViewContext, what: string): HTMLElement {
  const input = h("input", { type: "text", name: "fn", size: "50", placeholder: "function regexp", value: v.state.fn });
  const form = h("form", { class: "fn-form" }, h("label", {}, `${what} of `, input), h("button", { type: "submit" }, "show"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    v.go({ fn: input.value });
  });
  return form;
}

/** -list lines: "      flat        cum   line:text"; a line with samples has a value that is not ".". */
function listing(text: string): HTMLElement {
  const pre = h("pre", { class: "listing" });
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    const m = /^\s*(\S+)\s+(\S+)\s+\d+:/.exec(line);
    const hot = m !== null && (m[1] !== "." || m[2] !== ".");
    pre.append(h("span", hot ? { class: "hot" } : {}, line + "\n"));
  }
  return pre;
}

export async function sourceView(v: ViewContext): Promise<void> {
  v.el.append(fnForm(v, "source listing"));
  if (v.state.fn === "") {
    v.el.append(h("p", {}, "Name a function (a regexp, as for godiag list), or pick one in the top table."));
    return;
  }
  const a = await getJson<TextAnswer>("/api/source?" + apiQuery(v.state));
  for (const w of a.warnings) v.note(w);
  v.el.append(listing(a.text));
}

export async function peekView(v: ViewContext): Promise<void> {
  v.el.append(fnForm(v, "callers and callees"));
  if (v.state.fn === "") {
    v.el.append(h("p", {}, "Name a function (a regexp, as for godiag peek)."));
    return;
  }
  const a = await getJson<TextAnswer>("/api/peek?" + apiQuery(v.state));
  for (const w of a.warnings) v.note(w);
  v.el.append(h("pre", { class: "peek" }, a.text));
}
