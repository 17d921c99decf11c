// The web UI (godiag serve): open the inputs once (profiles decoded once into the
// columnar model, dumps, gctrace logs, execution traces), then answer each view from
// them. Every view of a profile runs the same pipeline as the CLI's report of that
// name (prepareReport + the pprof report), so the numbers are the CLI's.

import { spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { resolve, sep } from "node:path";
import { openBundle, releaseDecodedBytes, type Bundle, type BundleFile } from "../bundle/index.js";
import { parseProfileData } from "../core/codec/index.js";
import { type ReadLimits, ReportError, textOf } from "../core/input/index.js";
import { percentage } from "../core/measure/index.js";
import type { Profile } from "../core/model/index.js";
import { combineSources } from "../core/transform/index.js";
import { diagnose, type Diagnosis } from "../diagnose/index.js";
import { parseGcTrace, type GcTrace } from "../gc/index.js";
import { analyzeDiff, analyzeDump, parseGoroutineData, renderDiffText, renderSingleJson, type GoroutineDump } from "../goroutines/index.js";
import {
  defaultConfig,
  encodeFlamePayload,
  flameTreeFromProfile,
  formatList,
  prepareReport,
  renderReport,
  type Granularity,
  type ReportConfig,
  type SourceGuard,
} from "../pprof/index.js";
import { encodeTimelinePayload, timelineFromBytes } from "../trace/index.js";
import type { GcSeries, TopRow, TopView } from "./serve-wire.js";
export type { GcSeries, TopRow, TopView } from "./serve-wire.js";

/** Profile kinds a bundle file can hold (proto, or the legacy debug=1 texts). */
const PROFILE_KINDS = new Set(["cpu", "heap", "allocs", "block", "mutex", "goroutine", "threadcreate", "heap-debug1", "goroutine-debug1"]);

export interface ServedProfile {
  id: number;
  /** the file as the user (or the bundle's manifest) names it */
  name: string;
  kind: string;
  profile: Profile;
  sampleTypes: string[];
  defaultSampleType: string;
}

export interface ServeSession {
  inputs: string[];
  bundle: Bundle;
  profiles: ServedProfile[];
  /** id of the --diff_base profile, or -1 */
  diffBase: number;
  dumps: BundleFile[];
  gctraces: BundleFile[];
  traces: BundleFile[];
  /** directories source files may come from (real paths) */
  sourceRoots: string[];
  sourcePath: string;
  trimPath: string;
  warnings: string[];
  cache: Map<string, unknown>;
}

export interface SessionOptions {
  diffBase: string[];
  sourcePath: string;
  trimPath: string;
  limits: ReadLimits;
}

function realOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** GOROOT and the module cache, from the machine's go command (none without Go). */
function goRoots(): string[] {
  const r = spawnSync("go", ["env", "GOROOT", "GOMODCACHE"], { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0 || typeof r.stdout !== "string") return [];
  return r.stdout.split("\n").filter((l) => l.trim() !== "");
}

/**
 * Where source listings may read: the --source_path entries (else the working directory,
 * pprof's default search path), GOROOT and the module cache. Real paths, so a symlink
 * inside a root that points outside it does not count as inside.
 */
export function sourceRoots(sourcePath: string, cwd = process.cwd()): string[] {
  const dirs = sourcePath === "" ? [cwd] : sourcePath.split(":").map((d) => resolve(cwd, d));
  const out: string[] = [];
  for (const d of [...dirs, ...goRoots()]) {
    const r = realOrNull(d);
    if (r !== null && !out.includes(r)) out.push(r);
  }
  return out;
}

/**
 * A guard admitting only files whose real path lies under one of the roots. A path that
 * does not exist is let through: opening it fails as it does for the CLI ("no such file").
 */
export function underRoots(roots: string[]): SourceGuard {
  return (path: string) => {
    const r = realOrNull(path);
    if (r === null) return true;
    return roots.some((root) => r === root || r.startsWith(root.endsWith(sep) ? root : root + sep));
  };
}

function profileOf(f: BundleFile, limits: ReadLimits): Profile | null {
  if (f.profile !== undefined) return f.profile;
  try {
    return parseProfileData(f.data, f.path, limits);
  } catch {
    return null;
  }
}

function servedProfile(id: number, name: string, kind: string, p: Profile): ServedProfile {
  return { id, name, kind, profile: p, sampleTypes: p.sampleTypes.map((t) => t.type), defaultSampleType: p.defaultSampleType };
}

/** Opens the inputs (profiles, bundle directories, .tar.gz, folders): decodes every profile once. */
export async function openServeSession(inputs: string[], o: SessionOptions): Promise<ServeSession> {
  const bundle = await openBundle(inputs, { ...o.limits, maxFiles: 10_000 });
  const profiles: ServedProfile[] = [];
  const warnings = [...bundle.warnings];
  const kinds = new Set(bundle.files.map((f) => f.kind));
  for (const f of bundle.files) {
    // the debug=1 text is the same profile as the proto one beside it
    if (f.kind === "heap-debug1" && kinds.has("heap")) continue;
    if (f.kind === "goroutine-debug1" && kinds.has("goroutine")) continue;
    if (!PROFILE_KINDS.has(f.kind) && f.kind !== "other") continue;
    const p = profileOf(f, o.limits);
    if (p === null) continue;
    if (p.extras.truncation !== undefined) warnings.push(p.extras.truncation);
    profiles.push(servedProfile(profiles.length, f.path, f.kind === "other" ? "profile" : f.kind, p));
  }
  // The session lives as long as the server: keep each profile once, decoded.
  releaseDecodedBytes(bundle);
  let diffBase = -1;
  if (o.diffBase.length > 0) {
    const b = await openBundle(o.diffBase, { ...o.limits, maxFiles: 10_000 });
    let found: [BundleFile, Profile] | undefined;
    for (const f of b.files) {
      const p = profileOf(f, o.limits);
      if (p !== null) {
        found = [f, p];
        break;
      }
    }
    if (found === undefined) throw new ReportError(`--diff_base ${o.diffBase.join(" ")}: no profile in it`);
    diffBase = profiles.length;
    profiles.push(servedProfile(diffBase, found[0].path, found[0].kind, found[1]));
  }
  return {
    inputs,
    bundle,
    profiles,
    diffBase,
    dumps: bundle.files.filter((f) => f.kind === "goroutine-debug2"),
    gctraces: bundle.files.filter((f) => f.kind === "gctrace"),
    traces: bundle.files.filter((f) => f.kind === "trace"),
    sourceRoots: sourceRoots(o.sourcePath),
    sourcePath: o.sourcePath,
    trimPath: o.trimPath,
    warnings,
    cache: new Map(),
  };
}

/** The state every profile view reads (the URL's state in the browser). */
export interface ViewState {
  /** profile id */
  p: number;
  si: string;
  focus: string;
  ignore: string;
  hide: string;
  show: string;
  show_from: string;
  tagfocus: string;
  tagignore: string;
  g: Granularity;
  /** diff base profile id, or -1 */
  base: number;
  sort: "flat" | "cum";
  /** function regexp of the source and peek views */
  fn: string;
}

function once<T>(s: ServeSession, key: string, make: () => T): T {
  if (s.cache.has(key)) return s.cache.get(key) as T;
  const v = make();
  // A few combined (diff) profiles and one diagnosis: small, bounded by the inputs.
  s.cache.set(key, v);
  return v;
}

/** The profile a view draws: the chosen one, or its diff against the base (pprof's -diff_base). */
function profileFor(s: ServeSession, st: ViewState): Profile {
  const sp = s.profiles[st.p];
  if (sp === undefined) throw new ReportError(`no profile ${st.p}: there are ${s.profiles.length}`);
  if (st.base < 0 || st.base === st.p) return sp.profile;
  const b = s.profiles[st.base];
  if (b === undefined) throw new ReportError(`no profile ${st.base} to diff against`);
  return once(s, `diff:${st.p}:${st.base}`, () => {
    try {
      return combineSources([sp.profile], [b.profile], { diffBase: true, normalize: false, fakeMappings: true });
    } catch (e) {
      throw new ReportError((e as Error).message);
    }
  });
}

function configOf(s: ServeSession, st: ViewState): ReportConfig {
  const c = defaultConfig();
  c.sampleIndex = st.si;
  c.focus = st.focus;
  c.ignore = st.ignore;
  c.hide = st.hide;
  c.show = st.show;
  c.showFrom = st.show_from;
  c.tagFocus = st.tagfocus;
  c.tagIgnore = st.tagignore;
  c.granularity = st.g;
  c.cum = st.sort === "cum";
  c.sourcePath = s.sourcePath;
  c.trimPath = s.trimPath;
  c.symbol = st.fn;
  return c;
}

/** The top table: `godiag top` (= go tool pprof -top), with its cells formatted as that text formats them. */
export function topView(s: ServeSession, st: ViewState, maxRows: number): TopView {
  const warnings: string[] = [];
  const rpt = prepareReport(profileFor(s, st), "top", configOf(s, st), (m) => warnings.push(m));
  const doc = JSON.parse(renderReport(rpt, true)) as { labels: string[]; rows: { name: string; flat: number; cum: number; inline?: string }[] };
  let sum = 0;
  const rows: TopRow[] = [];
  for (const r of doc.rows) {
    sum += r.flat;
    if (rows.length >= maxRows) continue;
    rows.push({
      name: r.name + (r.inline !== undefined ? ` (${r.inline})` : ""),
      flat: rpt.formatValue(r.flat),
      flatPct: percentage(r.flat, rpt.total).trim(),
      sumPct: percentage(sum, rpt.total).trim(),
      cum: rpt.formatValue(r.cum),
      cumPct: percentage(r.cum, rpt.total).trim(),
      flatValue: r.flat,
      cumValue: r.cum,
    });
  }
  return { labels: doc.labels, rows, more: doc.rows.length - rows.length, warnings };
}

/** The flame graph's payload (the viewer's base64 blob), level-of-detail capped at maxFrames. */
export function flameView(s: ServeSession, st: ViewState, maxFrames: number): { payload: string; warnings: string[] } {
  const warnings: string[] = [];
  const sp = s.profiles[st.p];
  const tree = flameTreeFromProfile(profileFor(s, st), configOf(s, st), { maxFrames }, (m) => warnings.push(m));
  const title = `${sp?.name ?? ""}: ${tree.sampleType}` + (st.base >= 0 && st.base !== st.p ? ` (diff against ${s.profiles[st.base]?.name ?? ""})` : "");
  return { payload: encodeFlamePayload(tree, { title }), warnings };
}

/** A text report of the CLI (dot, peek, tree, traces): the same bytes `godiag <kind>` prints. */
export function textView(s: ServeSession, st: ViewState, kind: "dot" | "peek" | "tree"): { text: string; warnings: string[] } {
  const warnings: string[] = [];
  const rpt = prepareReport(profileFor(s, st), kind, configOf(s, st), (m) => warnings.push(m));
  return { text: renderReport(rpt, false), warnings };
}

/** The source listing (`godiag list fn`), reading only files under the session's source roots. */
export function sourceView(s: ServeSession, st: ViewState): { text: string; warnings: string[] } {
  const warnings: string[] = [];
  const rpt = prepareReport(profileFor(s, st), "list", configOf(s, st), (m) => warnings.push(m));
  return { text: formatList(rpt, process.cwd(), underRoots(s.sourceRoots)), warnings };
}

/** The diagnosis of everything the session holds (computed once). */
export function findingsView(s: ServeSession): Diagnosis {
  return once(s, "diagnosis", () => diagnose(s.bundle));
}

export interface GoroutinesView {
  /** the newest dump's analysis (goroutines --json) */
  latest: unknown;
  /** the leak diff of the oldest against the newest (goroutines --diff), when there are two */
  diff: string | null;
}

export function goroutinesView(s: ServeSession): GoroutinesView | null {
  if (s.dumps.length === 0) return null;
  return once(s, "goroutines", () => {
    const limits = s.bundle.limits;
    const read = (f: BundleFile): GoroutineDump => parseGoroutineData(f.data, f.path, limits);
    const last = s.dumps[s.dumps.length - 1]!;
    const latest = JSON.parse(renderSingleJson(analyzeDump(read(last), last.path))) as unknown;
    let diff: string | null = null;
    if (s.dumps.length >= 2) {
      const first = s.dumps[0]!;
      const seconds = last.sincePrevious?.interval?.seconds ?? null;
      const r = analyzeDiff(read(first), read(last), [first.path, last.path], s.dumps.length === 2 ? seconds : null);
      diff = renderDiffText(r, { frames: 12, buckets: 20 });
    }
    return { latest, diff };
  });
}

export function gcView(s: ServeSession): GcSeries[] {
  return once(s, "gc", () =>
    s.gctraces.map((f) => {
      const t: GcTrace = parseGcTrace(textOf(f.data, f.path), f.path);
      const c = t.cycles;
      return {
        file: f.path,
        atSec: c.map((x) => x.atSec),
        pauseMs: c.map((x) => x.sweepTermMs + x.markTermMs),
        heapStartMB: c.map((x) => x.heapStartMB),
        heapEndMB: c.map((x) => x.heapEndMB),
        liveMB: c.map((x) => x.liveMB),
        goalMB: c.map((x) => x.goalMB),
        cpuPercent: c.map((x) => x.cpuPercent),
      };
    }),
  );
}

/** The execution-trace timeline's payload (the timeline viewer's base64 blob). */
export function traceView(s: ServeSession, i: number): string {
  const f = s.traces[i];
  if (f === undefined) throw new ReportError(`no execution trace ${i}`);
  return once(s, `trace:${i}`, () => encodeTimelinePayload(timelineFromBytes(f.data, f.path), { title: f.path }));
}
