// tagfocus / tagignore expressions, as pprof's compileTagFilter reads them:
// `key=regexp,regexp`, bare regexps matched against "key:value", or numeric
// ranges with units such as `1mb:2gb`, `:64kb`, `400kb:` or `32kb`.

import { scaleValue } from "../measure/index.js";
import type { SampleMatch } from "./filter.js";
import { goRegExp } from "../go/index.js";
import type { ProfileView } from "./view.js";

type RangeTest = (v: number, unit: string) => boolean;

/** pprof's parseTagFilterRange; null when the text is not a range. */
export function parseTagFilterRange(filter: string): RangeTest | null {
  const rx = /([+-]?[0-9]+)([A-Za-z]+)?/g;
  const ranges: RegExpExecArray[] = [];
  let m: RegExpExecArray | null;
  while (ranges.length < 2 && (m = rx.exec(filter)) !== null) ranges.push(m);
  if (ranges.length === 0) return null;
  const [scaled, unit] = scaleValue(parseInt(ranges[0][1], 10), ranges[0][2] ?? "", ranges[0][2] ?? "");
  const inUnit = (v: number, u: string): number | null => {
    const [sv, su] = scaleValue(v, u, unit);
    return su === unit ? sv : null;
  };
  if (ranges.length === 1) {
    const match = ranges[0][0];
    if (filter === match) return (v, u) => inUnit(v, u) === scaled;
    if (filter === match + ":") return (v, u) => { const s = inUnit(v, u); return s !== null && s >= scaled; };
    if (filter === ":" + match) return (v, u) => { const s = inUnit(v, u); return s !== null && s <= scaled; };
    return null;
  }
  if (filter !== ranges[0][0] + ":" + ranges[1][0]) return null;
  const [scaled2, unit2] = scaleValue(parseInt(ranges[1][1], 10), ranges[1][2] ?? "", unit);
  if (unit2 !== unit) return null;
  return (v, u) => {
    const s = inUnit(v, u);
    return s !== null && s >= scaled && s <= scaled2;
  };
}

/**
 * Compile a tag filter. `warn` receives pprof's notice when a value is read as a range.
 * numLabelUnits maps numeric label keys to their units (pprof's NumLabelUnits).
 */
export function compileTagFilter(
  name: string,
  value: string,
  numLabelUnits: Map<string, string>,
  warn: (msg: string) => void,
): SampleMatch {
  let wantKey = "";
  const eq = value.indexOf("=");
  if (eq >= 0) {
    wantKey = value.slice(0, eq);
    value = value.slice(eq + 1);
  }
  const range = parseTagFilterRange(value);
  if (range !== null) {
    warn(`${name}:Interpreted '${value}' as range, not regexp`);
    return (view: ProfileView, i: number) => {
      const p = view.p;
      let hit = false;
      view.forEachLabel(i, (r) => {
        if (hit || p.labels.str[r] !== 0) return;
        const key = p.str(p.labels.key[r]);
        if (wantKey !== "" && key !== wantKey) return;
        if (range(p.labels.num[r], numLabelUnits.get(key) ?? "")) hit = true;
      });
      return hit;
    };
  }
  const rxs = value.split(",").map((s) => goRegExp(s));
  // The regexps run once per distinct label (string indices of the profile in hand), not once per sample.
  let memoOf: unknown = null;
  if (wantKey === "") {
    // Every regexp must match some "key:value" of the sample's string labels.
    const memo = new Map<number, Map<number, boolean[]>>(); // key index -> value index -> which rxs match
    return (view: ProfileView, i: number) => {
      const p = view.p;
      if (p !== memoOf) {
        memo.clear();
        memoOf = p;
      }
      const pairs: boolean[][] = [];
      view.forEachLabel(i, (r) => {
        const k = p.labels.key[r];
        const v = p.labels.str[r];
        if (v === 0) return;
        let byValue = memo.get(k);
        if (byValue === undefined) memo.set(k, (byValue = new Map()));
        let hits = byValue.get(v);
        if (hits === undefined) {
          const kv = p.str(k) + ":" + p.str(v);
          byValue.set(v, (hits = rxs.map((rx) => rx.test(kv))));
        }
        pairs.push(hits);
      });
      return rxs.every((_rx, j) => pairs.some((hits) => hits[j]));
    };
  }
  const memo = new Map<number, boolean>(); // value index -> some rx matches
  return (view: ProfileView, i: number) => {
    const p = view.p;
    if (p !== memoOf) {
      memo.clear();
      memoOf = p;
    }
    let hit = false;
    view.forEachLabel(i, (r) => {
      if (hit || p.labels.str[r] === 0) return;
      if (p.str(p.labels.key[r]) !== wantKey) return;
      const v = p.labels.str[r];
      let m = memo.get(v);
      if (m === undefined) {
        const s = p.str(v);
        memo.set(v, (m = rxs.some((rx) => rx.test(s))));
      }
      if (m) hit = true;
    });
    return hit;
  };
}

/** pprof's Profile.NumLabelUnits: the unit of each numeric label key (first seen, else inferred). */
export function numLabelUnits(view: ProfileView): { units: Map<string, string>; ignored: Map<string, string[]> } {
  const p = view.p;
  const units = new Map<string, string>();
  const ignored = new Map<string, Set<string>>();
  const keys = new Set<string>();
  const L = p.labels;
  for (let r = 0; r < L.length; r++) {
    if (L.str[r] !== 0) continue;
    const key = p.str(L.key[r]);
    keys.add(key);
    const unit = p.str(L.unit[r]);
    if (unit === "") continue;
    const want = units.get(key);
    if (want === undefined) units.set(key, unit);
    else if (want !== unit) {
      let s = ignored.get(key);
      if (!s) ignored.set(key, (s = new Set()));
      s.add(unit);
    }
  }
  for (const key of keys) {
    if ((units.get(key) ?? "") === "") units.set(key, key === "alignment" || key === "request" ? "bytes" : key);
  }
  const out = new Map<string, string[]>();
  for (const [k, s] of ignored) out.set(k, [...s].sort());
  return { units, ignored: out };
}
