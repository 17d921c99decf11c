// Sample filters with pprof's semantics: focus/ignore/hide/show
// (FilterSamplesByName), show_from, prune_from, drop_frames pruning
// (RemoveUninteresting), tag filters and tagshow/taghide.

import { goRegExp, type GoRegExp } from "../go/index.js";
import { type ProfileView, rewriteLocationLines, rewriteSamples } from "./view.js";

/** Memoised "does function row f match re by name or file name". */
function functionMatcher(view: ProfileView, re: GoRegExp): (f: number) => boolean {
  const p = view.p;
  const memo = new Int8Array(p.functions.length); // 0 unknown, 1 yes, 2 no
  return (f: number) => {
    if (f < 0) return false;
    let m = memo[f];
    if (m === 0) {
      const hit = re.test(p.str(p.functions.name[f])) || re.test(p.str(p.functions.filename[f]));
      m = hit ? 1 : 2;
      memo[f] = m;
    }
    return m === 1;
  };
}

/** Memoised "does location loc's mapping file match re", once per mapping, not per location. */
function mappingMatcher(view: ProfileView, re: GoRegExp): (loc: number) => boolean {
  const p = view.p;
  const memo = new Int8Array(p.mappings.length); // 0 unknown, 1 yes, 2 no
  return (loc: number) => {
    const m = p.locations.mapping[loc];
    if (m < 0) return false;
    let r = memo[m];
    if (r === 0) {
      r = re.test(p.mappings[m].file) ? 1 : 2;
      memo[m] = r;
    }
    return r === 1;
  };
}

function locLines(view: ProfileView, loc: number): Uint32Array {
  return view.locLines.subarray(view.locLineStart[loc], view.locLineStart[loc + 1]);
}

export interface NameFilterResult {
  focusMatched: boolean;
  ignoreMatched: boolean;
  hideMatched: boolean;
  showMatched: boolean;
}

/** Keep samples with a frame matching focus and none matching ignore; strip hidden / unshown lines. */
export function filterSamplesByName(
  view: ProfileView,
  focus: GoRegExp | null,
  ignore: GoRegExp | null,
  hide: GoRegExp | null,
  show: GoRegExp | null,
): NameFilterResult {
  const res: NameFilterResult = { focusMatched: false, ignoreMatched: false, hideMatched: false, showMatched: false };
  if (!focus && !ignore && !hide && !show) {
    res.focusMatched = true;
    return res;
  }
  const p = view.p;
  const nLoc = p.locations.length;
  const lineFunc = p.lines.func;
  // 0: neither, 1: focused, 2: ignored
  const state = new Uint8Array(nLoc);
  const hidden = new Uint8Array(nLoc);
  let anyHidden = false;
  const matchIgnore = ignore ? functionMatcher(view, ignore) : null;
  const matchFocus = focus ? functionMatcher(view, focus) : null;
  const matchHide = hide ? functionMatcher(view, hide) : null;
  const matchShow = show ? functionMatcher(view, show) : null;
  const mapIgnore = ignore ? mappingMatcher(view, ignore) : null;
  const mapFocus = focus ? mappingMatcher(view, focus) : null;
  const mapHide = hide ? mappingMatcher(view, hide) : null;
  const mapShow = show ? mappingMatcher(view, show) : null;
  const locMatches = (loc: number, fm: (f: number) => boolean, mm: (loc: number) => boolean): boolean => {
    const lines = locLines(view, loc);
    for (let k = 0; k < lines.length; k++) if (fm(lineFunc[lines[k]])) return true;
    return mm(loc);
  };
  for (let l = 0; l < nLoc; l++) {
    if (matchIgnore && mapIgnore && locMatches(l, matchIgnore, mapIgnore)) {
      res.ignoreMatched = true;
      state[l] = 2;
    } else if (!focus || (matchFocus && mapFocus && locMatches(l, matchFocus, mapFocus))) {
      res.focusMatched = true;
      state[l] = 1;
    }
  }
  if (hide || show) {
    rewriteLocationLines(view, (l, lines) => {
      let cur = lines;
      if (matchHide && mapHide && locMatches(l, matchHide, mapHide)) {
        res.hideMatched = true;
        cur = mapHide(l) ? new Uint32Array(0) : cur.filter((ln) => !matchHide(lineFunc[ln]));
        if (cur.length === 0) hidden[l] = 1;
      }
      if (matchShow && mapShow) {
        if (!mapShow(l)) {
          // Lines without a function are kept, as pprof's matchedLines does.
          cur = cur.filter((ln) => lineFunc[ln] < 0 || matchShow(lineFunc[ln]));
        }
        if (cur.length === 0) hidden[l] = 1;
        else res.showMatched = true;
      }
      if (hidden[l]) anyHidden = true;
      return cur;
    });
  }
  rewriteSamples(view, (_i, stack) => {
    let focused = false;
    for (let k = 0; k < stack.length; k++) {
      const s = state[stack[k]];
      if (s === 2) return null;
      if (s === 1) focused = true;
    }
    if (!focused) return null;
    if (!anyHidden) return stack;
    const kept = stack.filter((loc) => hidden[loc] === 0);
    return kept.length === 0 ? null : kept;
  });
  return res;
}

/** Drop every frame above (rootward of) the highest frame matching re. */
export function showFrom(view: ProfileView, re: GoRegExp): boolean {
  const p = view.p;
  const fm = functionMatcher(view, re);
  const mm = mappingMatcher(view, re);
  const nLoc = p.locations.length;
  const matchedLoc = new Uint8Array(nLoc);
  let matched = false;
  rewriteLocationLines(view, (l, lines) => {
    if (mm(l)) {
      matchedLoc[l] = 1;
      matched = true;
      return lines;
    }
    for (let k = lines.length - 1; k >= 0; k--) {
      if (fm(p.lines.func[lines[k]])) {
        matchedLoc[l] = 1;
        matched = true;
        return k === lines.length - 1 ? lines : lines.subarray(0, k + 1);
      }
    }
    return lines;
  });
  rewriteSamples(view, (_i, stack) => {
    for (let k = stack.length - 1; k >= 0; k--) {
      if (matchedLoc[stack[k]]) return stack.subarray(0, k + 1);
    }
    return null;
  });
  return matched;
}

/** pprof's simplifyFunc: strip a leading '.' and an argument list, keeping reserved names with '('. */
function simplifyFunc(name: string): string {
  let f = name.startsWith(".") ? name.slice(1) : name;
  const re = /\(anonymous namespace\)|operator\(\)|\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(f)) !== null) {
    if (m[0] === "(") {
      f = f.slice(0, m.index);
      break;
    }
  }
  return f;
}

/** Memoised prune decision per function row. */
function pruneMatcher(view: ProfileView, drop: GoRegExp, keep: GoRegExp | null): (f: number) => boolean {
  const p = view.p;
  const memo = new Map<number, boolean>(); // by name string index
  return (f: number) => {
    if (f < 0) return false;
    const nameIdx = p.functions.name[f];
    if (nameIdx === 0) return false;
    let r = memo.get(nameIdx);
    if (r === undefined) {
      const simple = simplifyFunc(p.str(nameIdx));
      r = drop.test(simple) && (keep === null || !keep.test(simple));
      memo.set(nameIdx, r);
    }
    return r;
  };
}

/** pprof's Prune: remove frames from the first (rootmost) user-visible frame matching drop and below. */
export function prune(view: ProfileView, drop: GoRegExp, keep: GoRegExp | null): void {
  const p = view.p;
  const nLoc = p.locations.length;
  const pruneLoc = new Uint8Array(nLoc);
  const pruneBeneath = new Uint8Array(nLoc);
  const fm = pruneMatcher(view, drop, keep);
  rewriteLocationLines(view, (l, lines) => {
    let i = lines.length - 1;
    for (; i >= 0; i--) if (fm(p.lines.func[lines[i]])) break;
    if (i < 0) return lines;
    pruneBeneath[l] = 1;
    if (i === lines.length - 1) {
      pruneLoc[l] = 1;
      return lines;
    }
    return lines.subarray(i + 1);
  });
  rewriteSamples(view, (_i, stack) => {
    let foundUser = false;
    for (let k = stack.length - 1; k >= 0; k--) {
      const loc = stack[k];
      if (!pruneLoc[loc] && !pruneBeneath[loc]) {
        foundUser = true;
        continue;
      }
      if (!foundUser) continue;
      if (pruneLoc[loc]) return stack.subarray(k + 1);
      return stack.subarray(k);
    }
    return stack;
  });
}

/** RemoveUninteresting: prune with the profile's own drop_frames / keep_frames. */
export function removeUninteresting(view: ProfileView): void {
  const p = view.p;
  if (p.dropFrames === "") return;
  const drop = goRegExp(`^(${p.dropFrames})$`);
  const keep = p.keepFrames !== "" ? goRegExp(`^(${p.keepFrames})$`) : null;
  prune(view, drop, keep);
}

/** pprof's PruneFrom: remove all frames beneath (leafward of) the lowest frame matching re. */
export function pruneFrom(view: ProfileView, re: GoRegExp): void {
  const p = view.p;
  const nLoc = p.locations.length;
  const beneath = new Uint8Array(nLoc);
  const memo = new Map<number, boolean>(); // by name string index: once per name, not per location
  rewriteLocationLines(view, (l, lines) => {
    for (let k = 0; k < lines.length; k++) {
      const f = p.lines.func[lines[k]];
      if (f < 0) continue;
      const nameIdx = p.functions.name[f];
      if (nameIdx === 0) continue;
      let hit = memo.get(nameIdx);
      if (hit === undefined) memo.set(nameIdx, (hit = re.test(simplifyFunc(p.str(nameIdx)))));
      if (hit) {
        beneath[l] = 1;
        return k === 0 ? lines : lines.subarray(k);
      }
    }
    return lines;
  });
  rewriteSamples(view, (_i, stack) => {
    for (let k = 0; k < stack.length; k++) if (beneath[stack[k]]) return k === 0 ? stack : stack.subarray(k);
    return stack;
  });
}

/** Predicate over a selected sample (index into the view's selection). */
export type SampleMatch = (view: ProfileView, i: number) => boolean;

export function filterSamplesByTag(
  view: ProfileView,
  focus: SampleMatch | null,
  ignore: SampleMatch | null,
): { focusMatched: boolean; ignoreMatched: boolean } {
  let fm = false;
  let im = false;
  const keep = new Uint8Array(view.sampleCount);
  for (let i = 0; i < view.sampleCount; i++) {
    const focused = focus ? focus(view, i) : true;
    const ignored = ignore ? ignore(view, i) : false;
    fm ||= focused;
    im ||= ignored;
    keep[i] = focused && !ignored ? 1 : 0;
  }
  rewriteSamples(view, (i, stack) => (keep[i] ? stack : null));
  return { focusMatched: fm, ignoreMatched: im };
}

/** tagshow / taghide: drop label keys not matching show or matching hide. */
export function filterTagsByName(
  view: ProfileView,
  show: GoRegExp | null,
  hide: GoRegExp | null,
): { showMatched: boolean; hideMatched: boolean } {
  let sm = false;
  let hm = false;
  const p = view.p;
  const memo = new Map<number, number>(); // by key string index: 1 show matches | 2 hide matches
  for (let i = 0; i < view.sampleCount; i++) {
    view.forEachLabel(i, (r) => {
      const key = p.labels.key[r];
      let m = memo.get(key);
      if (m === undefined) {
        const name = p.str(key);
        m = (show === null || show.test(name) ? 1 : 0) | (hide !== null && hide.test(name) ? 2 : 0);
        memo.set(key, m);
      }
      if (m & 1) sm = true;
      if (m & 2) hm = true;
      if (!(m & 1) || m & 2) view.hideLabel(r);
    });
  }
  return { showMatched: sm, hideMatched: hm };
}
