// The `-raw` report: pprof's Profile.String() text dump.
//
// formatRaw(p) is String() of the profile as read. With {driver: true} it
// instead reproduces `go tool pprof -raw -symbolize=none FILE`, which first
// runs the driver's steps on a single local profile: a fake mapping when the
// profile has none (locateBinaries), and pruning by drop_frames/keep_frames
// (RemoveUninteresting). No merge or aggregation happens for -raw.

import type { Profile } from "../../core/model/index.js";
import { goRegExp, RegexError, type GoRegExp } from "../../core/go/index.js";

export interface RawOptions {
  /** emulate `go tool pprof -raw` (fake mapping + drop_frames pruning), not plain String() */
  driver?: boolean;
}

/** Go %d of an int64 held in a float64 (exact digits even above 2^53). */
function d(v: number): string {
  if (Number.isSafeInteger(v)) return String(v);
  if (!Number.isFinite(v)) return "0";
  return BigInt(Math.trunc(v)).toString();
}

function hex(v: bigint): string {
  return "0x" + v.toString(16);
}

/** Go's string order (bytes of UTF-8 = code points), not UTF-16 units. */
export function goStringCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

// fmtFrac / fmtInt of Go's time.Duration.String().
function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let s = "";
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print ||= digit !== 0n;
    if (print) s = digit.toString() + s;
    v /= 10n;
  }
  return [print ? "." + s : "", v];
}

/** Go's time.Duration(ns).String(). */
export function goDuration(ns: bigint): string {
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return "0s";
    let prec: number;
    let unit: string;
    if (u < 1000n) [prec, unit] = [0, "ns"];
    else if (u < 1_000_000n) [prec, unit] = [3, "µs"];
    else [prec, unit] = [6, "ms"];
    const [frac, rest] = fmtFrac(u, prec);
    out = rest.toString() + frac + unit;
  } else {
    const [frac, rest] = fmtFrac(u, 9);
    u = rest;
    out = (u % 60n).toString() + frac + "s";
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + "m" + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

/** The local zone's abbreviation at t, as Go would print it (best effort from Intl). */
function zoneName(t: Date, offsetMin: number): string {
  for (const locale of ["en-US", "en-GB"]) {
    const part = new Intl.DateTimeFormat(locale, { timeZoneName: "short" })
      .formatToParts(t)
      .find((x) => x.type === "timeZoneName")?.value;
    if (part && !/^(GMT|UTC)[+-]/.test(part)) return part;
  }
  // tzdata names zones without an abbreviation by their offset, e.g. "+03", "+0530".
  const sign = offsetMin < 0 ? "-" : "+";
  const a = Math.abs(offsetMin);
  const hh = String(Math.floor(a / 60)).padStart(2, "0");
  return sign + hh + (a % 60 ? String(a % 60).padStart(2, "0") : "");
}

/** Go's time.Unix(0, ns).String() in the local zone: "2006-01-02 15:04:05.999999999 -0700 MST". */
export function goTime(ns: bigint): string {
  let sec = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    sec -= 1n;
  }
  const t = new Date(Number(sec) * 1000);
  const offsetMin = -t.getTimezoneOffset();
  const local = new Date(t.getTime() + offsetMin * 60000);
  const p2 = (n: number): string => String(n).padStart(2, "0");
  const y = local.getUTCFullYear();
  const year = y < 0 ? "-" + String(-y).padStart(4, "0") : String(y).padStart(4, "0");
  let s = `${year}-${p2(local.getUTCMonth() + 1)}-${p2(local.getUTCDate())} ${p2(local.getUTCHours())}:${p2(local.getUTCMinutes())}:${p2(local.getUTCSeconds())}`;
  if (frac !== 0n) s += "." + frac.toString().padStart(9, "0").replace(/0+$/, "");
  const sign = offsetMin < 0 ? "-" : "+";
  const a = Math.abs(offsetMin);
  s += ` ${sign}${p2(Math.floor(a / 60))}${p2(a % 60)} ${zoneName(t, offsetMin)}`;
  return s;
}

/** A Go (RE2) pattern for whole-name matching, as RemoveUninteresting compiles it; null if it does not compile. */
function fullMatchRegExp(re: string): GoRegExp | null {
  try {
    return goRegExp(`^(${re})$`);
  } catch (e) {
    if (e instanceof RegexError) return null;
    throw e;
  }
}

const bracketRx = /\(anonymous namespace\)|operator\(\)|\(/g;

/** pprof's simplifyFunc: drop a leading "." and the argument list. */
function simplifyFunc(f: string): string {
  let name = f.startsWith(".") ? f.slice(1) : f;
  for (const m of name.matchAll(bracketRx)) {
    if (m[0] !== "(anonymous namespace)" && m[0] !== "operator()") {
      name = name.slice(0, m.index);
      break;
    }
  }
  return name;
}

/** Per-location result of pprof's Prune: which lines survive, and whether samples cut here. */
interface PruneInfo {
  /** first surviving line row per location (lineStart override) */
  lineFrom: Uint32Array;
  prune: Uint8Array;
  pruneBeneath: Uint8Array;
}

function computePrune(p: Profile): PruneInfo | null {
  if (p.dropFrames === "") return null;
  const drop = fullMatchRegExp(p.dropFrames);
  if (drop === null) return null;
  const keep = p.keepFrames !== "" ? fullMatchRegExp(p.keepFrames) : null;
  if (p.keepFrames !== "" && keep === null) return null;
  const cache = new Map<number, boolean>();
  const pruneFromHere = (nameIdx: number): boolean => {
    let r = cache.get(nameIdx);
    if (r === undefined) {
      const fn = simplifyFunc(p.str(nameIdx));
      r = drop.test(fn) && (keep === null || !keep.test(fn));
      cache.set(nameIdx, r);
    }
    return r;
  };
  const L = p.locations;
  const info: PruneInfo = {
    lineFrom: L.lineStart.slice(0, L.length),
    prune: new Uint8Array(L.length),
    pruneBeneath: new Uint8Array(L.length),
  };
  for (let l = 0; l < L.length; l++) {
    const a = L.lineStart[l];
    const b = L.lineStart[l + 1];
    let i: number;
    for (i = b - 1; i >= a; i--) {
      const f = p.lines.func[i];
      if (f >= 0 && p.functions.name[f] !== 0 && pruneFromHere(p.functions.name[f])) break;
    }
    if (i >= a) {
      info.pruneBeneath[l] = 1;
      if (i === b - 1) info.prune[l] = 1;
      else info.lineFrom[l] = i + 1;
    }
  }
  return info;
}

/** Label lines of sample i: string labels, then numeric ones, each sorted like pprof. */
function sampleLabels(p: Profile, i: number, out: string[]): void {
  const a = p.samples.labelStart[i];
  const b = p.samples.labelStart[i + 1];
  if (a === b) return;
  const strs = new Map<string, string[]>();
  const nums = new Map<string, { v: number[]; u: string[]; hasUnit: boolean }>();
  const T = p.labels;
  for (let j = a; j < b; j++) {
    const key = p.str(T.key[j]);
    if (T.str[j] !== 0) {
      const l = strs.get(key);
      if (l) l.push(p.str(T.str[j]));
      else strs.set(key, [p.str(T.str[j])]);
    } else {
      let e = nums.get(key);
      if (!e) nums.set(key, (e = { v: [], u: [], hasUnit: false }));
      e.v.push(T.num[j]);
      e.u.push(T.unit[j] ? p.str(T.unit[j]) : "");
      e.hasUnit ||= T.unit[j] !== 0;
    }
  }
  const header = "                ";
  if (strs.size > 0) {
    const ls = [...strs].map(([k, v]) => `${k}:[${v.join(" ")}]`).sort(goStringCompare);
    out.push(header + ls.join(" "));
  }
  if (nums.size > 0) {
    const ls = [...nums]
      .map(([k, e]) => `${k}:[${(e.hasUnit ? e.v.map((v, x) => `${d(v)} ${e.u[x]}`) : e.v.map(d)).join(" ")}]`)
      .sort(goStringCompare);
    out.push(header + ls.join(" "));
  }
}

/** The text of pprof's Profile.String() (the `-raw` report). */
export function formatRaw(p: Profile, opts: RawOptions = {}): string {
  const ss: string[] = [];
  const driver = opts.driver === true;
  for (const c of p.comments) ss.push("Comment: " + c);
  if (p.docUrl !== "") ss.push("Doc: " + p.docUrl);
  // Every parsed profile has a period type in pprof (possibly empty).
  ss.push(`PeriodType: ${p.periodType?.type ?? ""} ${p.periodType?.unit ?? ""}`);
  ss.push(`Period: ${d(p.period)}`);
  if (p.timeNanos !== 0n) ss.push(`Time: ${goTime(p.timeNanos)}`);
  if (p.durationNanos !== 0) ss.push(`Duration: ${[...goDuration(BigInt(Math.trunc(p.durationNanos)))].slice(0, 4).join("")}`);

  ss.push("Samples:");
  let sh = "";
  for (const t of p.sampleTypes) sh += `${t.type}/${t.unit}${t.type === p.defaultSampleType ? "[dflt]" : ""} `;
  ss.push(sh.trim());

  const prune = driver ? computePrune(p) : null;
  const S = p.samples;
  const L = p.locations;
  const nv = p.sampleTypes.length;
  for (let i = 0; i < S.length; i++) {
    let sv = "";
    for (let v = 0; v < nv; v++) sv += " " + d(S.values[i * nv + v]).padStart(10);
    sv += ": ";
    let from = S.stackStart[i];
    let to = S.stackStart[i + 1];
    if (prune) [from, to] = prunedRange(prune, S.stack, from, to);
    for (let k = from; k < to; k++) sv += d(L.id[S.stack[k]]) + " ";
    ss.push(sv);
    sampleLabels(p, i, ss);
  }

  // -raw: a profile with no mappings gets one fake mapping for everything.
  const fakeMapping = driver && p.mappings.length === 0;
  ss.push("Locations");
  for (let l = 0; l < L.length; l++) {
    let locStr = `${d(L.id[l]).padStart(6)}: ${hex(L.address[l])} `;
    const m = L.mapping[l];
    if (m >= 0) locStr += `M=${d(p.mappings[m].id)} `;
    else if (fakeMapping) locStr += "M=1 ";
    if (L.isFolded[l]) locStr += "[F] ";
    const a = prune ? prune.lineFrom[l] : L.lineStart[l];
    const b = L.lineStart[l + 1];
    if (a === b) ss.push(locStr);
    for (let j = a; j < b; j++) {
      const f = p.lines.func[j];
      let ln = "??";
      if (f >= 0) {
        const F = p.functions;
        const name = p.str(F.name[f]);
        const sys = p.str(F.systemName[f]);
        ln = `${name} ${p.str(F.filename[f])}:${d(p.lines.line[j])}:${d(p.lines.column[j])} s=${d(F.startLine[f])}`;
        if (name !== sys) ln += `(${sys})`;
      }
      ss.push(locStr + ln);
      locStr = "             ";
    }
  }

  ss.push("Mappings");
  for (const m of p.mappings) {
    const bits =
      (m.hasFunctions ? "[FN]" : "") +
      (m.hasFilenames ? "[FL]" : "") +
      (m.hasLineNumbers ? "[LN]" : "") +
      (m.hasInlineFrames ? "[IN]" : "");
    ss.push(`${d(m.id)}: ${hex(m.start)}/${hex(m.limit)}/${hex(m.offset)} ${m.file} ${m.buildId} ${bits}`);
  }
  if (fakeMapping) ss.push("1: 0x0/0x0/0x0   ");
  return ss.join("\n") + "\n";
}

/** Prune's cut of one sample stack: scan from the root, keep frames before the first user frame. */
function prunedRange(info: PruneInfo, stack: Uint32Array, from: number, to: number): [number, number] {
  let foundUser = false;
  for (let i = to - 1; i >= from; i--) {
    const l = stack[i];
    if (!info.prune[l] && !info.pruneBeneath[l]) {
      foundUser = true;
      continue;
    }
    if (!foundUser) continue;
    if (info.prune[l]) return [i + 1, to];
    return [i, to];
  }
  return [from, to];
}
