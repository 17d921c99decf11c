// The one state every view reads, carried in the URL's query (like pprof -http): a
// reload, a bookmark or a shared link shows the same view with the same filters.

export const VIEWS = ["findings", "flame", "top", "graph", "source", "peek", "goroutines", "gc", "trace"] as const;
export type View = (typeof VIEWS)[number];

export interface State {
  view: View;
  /** profile id */
  p: number;
  /** sample index (name or number; "" = the profile's default) */
  si: string;
  focus: string;
  ignore: string;
  hide: string;
  show: string;
  show_from: string;
  tagfocus: string;
  tagignore: string;
  /** granularity */
  g: string;
  /** diff base profile id; -1 = none */
  base: number;
  sort: "flat" | "cum";
  /** function regexp of the source and peek views */
  fn: string;
  /** execution trace index */
  t: number;
}

export const FILTERS = ["focus", "ignore", "hide", "show", "show_from", "tagfocus", "tagignore"] as const;

/** The parameters the server's profile views take (api/serve.ts ViewState). */
const VIEW_KEYS = ["p", "si", ...FILTERS, "g", "base", "sort", "fn"] as const;

function int(v: string | null, dflt: number): number {
  if (v === null || !/^-?\d+$/.test(v)) return dflt;
  return parseInt(v, 10);
}

export function readState(search: string, defaults: { view: View; base: number }): State {
  const q = new URLSearchParams(search);
  const s = (k: string) => q.get(k) ?? "";
  const view = (VIEWS as readonly string[]).includes(s("view")) ? (s("view") as View) : defaults.view;
  return {
    view,
    p: int(q.get("p"), 0),
    si: s("si"),
    focus: s("focus"),
    ignore: s("ignore"),
    hide: s("hide"),
    show: s("show"),
    show_from: s("show_from"),
    tagfocus: s("tagfocus"),
    tagignore: s("tagignore"),
    g: s("g"),
    base: int(q.get("base"), defaults.base),
    sort: s("sort") === "cum" ? "cum" : "flat",
    fn: s("fn"),
    t: int(q.get("t"), 0),
  };
}

/** The URL query of a state: only what differs from empty, so links stay short. */
export function stateQuery(st: State): string {
  const q = new URLSearchParams();
  q.set("view", st.view);
  for (const k of [...VIEW_KEYS, "t"] as const) {
    const v = st[k];
    if (v === "" || (k === "sort" && v === "flat") || (k === "t" && v === 0)) continue;
    q.set(k, String(v));
  }
  return "?" + q.toString();
}

/** The query of a profile view's API call (the server refuses unknown parameters). */
export function apiQuery(st: State): string {
  const q = new URLSearchParams();
  for (const k of VIEW_KEYS) {
    const v = st[k];
    if (v === "" || (k === "sort" && v === "flat")) continue;
    q.set(k, String(v));
  }
  return q.toString();
}

/** A Go regexp matching exactly this name (RE2 metacharacters escaped). */
export function exactRegexp(name: string): string {
  return "^" + name.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&") + "$";
}
