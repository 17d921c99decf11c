// `godiag capture` as a function: discover what /debug/pprof/ offers, fetch it
// in the order plan.ts lays out, check and write each file as it arrives, and
// finish with manifest.json. Failures are per file (recorded in the manifest's
// `error`), so a service that hangs or breaks one endpoint still yields a
// useful partial bundle. Optional endpoints (/debug/vars; nopprof.ts has the
// rule) that are not served are recorded as not offered, which is no failure.
// A URL with no /debug/pprof at all is no capture: one error line, no bundle.
// Every request has a timeout, so the whole capture is bounded: index + proc,
// then ceil(snapshots / concurrency) snapshot timeouts, then the window (CPU +
// trace seconds, each plus its slack).

import { rmSync } from "node:fs";
import { DEFAULT_LIMITS } from "../core/input/index.js";
import { type FileKind, type Manifest, type ManifestFile, type NotOffered, MANIFEST_VERSION, finishBundle, createBundle, writeBundleFile, writeManifest } from "../bundle/index.js";
import { checkContent, emptyProfileWarning } from "./content.js";
import { absentStatus, noPprofMessage, notIndexPage } from "./nopprof.js";
import { parsePprofIndex, type IndexEntry } from "./sources/discover.js";
import { DEFAULT_FETCH_LIMITS, fetchCapped, FetchError, INTERRUPTED } from "./sources/http.js";
import { customProfileCount, debug2PauseWarning, DEFAULT_INDEX, MAX_CUSTOM_PROFILES, planCapture, type FetchTask } from "./plan.js";
import { collectProcFacts, findListeningPid, isLocalUrl } from "./sources/proc.js";
import { Redactor, type RedactOptions } from "./redact.js";
import { abortableSleep, DEFAULT_RETRY, fetchWithRetry, type RetryOptions } from "./sources/retry.js";

export interface CaptureOptions {
  /** bundle directory or .tar.gz; undefined = a new temporary directory (returned as dir) */
  out?: string;
  /** CPU profile seconds (0 = none) */
  seconds: number;
  /** seconds between the two goroutine debug=2 snapshots (0 = one snapshot); default = seconds */
  interval?: number;
  /** execution trace seconds (0 = none) */
  traceSeconds?: number;
  /** heap?gc=1 */
  gc?: boolean;
  /** --only names (plan.ts SELECTABLE); [] = everything */
  only?: string[];
  /** per-request timeout for instantaneous fetches, ms */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** body size cap per fetch */
  maxBytes?: number;
  /** most custom profiles fetched from the index (plan.ts MAX_CUSTOM_PROFILES) */
  maxProfiles?: number;
  /** largest decompressed size of one fetched profile (the content check inflates it) */
  maxDecompressed?: number;
  /** snapshot fetches in flight at once */
  concurrency?: number;
  /** local process to read /proc facts from; undefined = find it by the URL's port when local; null = none */
  pid?: number | null;
  redact?: RedactOptions;
  /** a redactor shared with the caller (godiag run sweeps the program's stderr log with the same tokens); wins over redact */
  redactor?: Redactor;
  /** extra manifest env facts (godiag run adds GODEBUG and the command) */
  env?: Record<string, string>;
  /** write into this directory (godiag run owns it, and packs it), instead of opening out */
  dir?: string;
  /** Ctrl-C: abort what is in flight, skip the rest, still write the (partial) bundle */
  signal?: AbortSignal;
  /** work running alongside the window (CPU profile, trace): e.g. tcpdump (godiag capture --pcap) */
  sidecars?: CaptureSidecar[];
}

/** Something recorded during the capture window, by a domain the capture does not import (api composes it). */
export interface CaptureSidecar {
  label: string;
  /** just before the window starts */
  start(dir: string): Promise<void>;
  /** just after it ends: the files it wrote into dir, as manifest entries (error set on failure) */
  stop(): Promise<ManifestFile[]>;
}

export interface CaptureFailure {
  /** bundle file that is missing, or undefined for the index page */
  file?: string;
  url: string;
  error: string;
}

export interface CaptureResult {
  /** the bundle: directory, or the .tar.gz when out named one */
  dir: string;
  manifest: Manifest;
  failures: CaptureFailure[];
  warnings: string[];
  /** nothing answered at all (connection refused / no such host): exit code 2 */
  unreachable: boolean;
  /** options.signal aborted the capture: the bundle holds what arrived before */
  interrupted?: boolean;
}

export type CaptureEvent =
  | { type: "start"; label: string; seconds?: number }
  | { type: "retry"; label: string; attempt: number; error: string }
  /** notOffered: an optional endpoint is not served (why, e.g. "HTTP 404"); neither a file nor an error */
  | { type: "done"; label: string; file?: string; bytes?: number; error?: string; warnings?: string[]; notOffered?: string; ms: number }
  | { type: "note"; text: string }
  /** said before the fetches it is about (the summary lists it again at the end) */
  | { type: "warning"; text: string };

export type CaptureProgress = (e: CaptureEvent) => void;

// Failures of the index page that every other request would repeat: the capture stops
// at once (exit 2) instead of failing each file and waiting out the CPU window. A
// blocked port (fetch refuses :9, :6000, ...), https spoken to plain HTTP, and a
// certificate Node does not trust or that names another host included.
const UNREACHABLE = /connection refused|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|getaddrinfo|blocked port|wrong version number|EPROTO|ERR_SSL|certificate/i;

/** Normalise a target to its root URL (http://host:port); accepts .../debug/pprof/ too. */
export function targetRoot(url: string): string {
  let u: URL;
  try {
    u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`);
  } catch {
    throw new Error(`invalid target URL "${url}"`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`target URL must be http(s): "${url}"`);
  const path = u.pathname.replace(/\/debug\/pprof\/?.*$/, "").replace(/\/+$/, "");
  return `${u.protocol}//${u.host}${path}`;
}

/**
 * Capture url into a bundle. Throws an Error with a one-line message, before any
 * bundle is created, when url serves no /debug/pprof (naming where the same local
 * process serves it, when it does).
 */
export async function captureBundle(url: string, options: CaptureOptions, progress: CaptureProgress = () => {}): Promise<CaptureResult> {
  const root = targetRoot(url);
  const o = {
    interval: options.interval ?? options.seconds,
    traceSeconds: options.traceSeconds ?? 0,
    gc: options.gc ?? false,
    only: options.only ?? [],
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: options.retry ?? DEFAULT_RETRY,
    maxBytes: options.maxBytes ?? DEFAULT_FETCH_LIMITS.maxBytes,
    concurrency: Math.max(1, options.concurrency ?? 3),
  };
  const captureTime = new Date().toISOString();
  const files: ManifestFile[] = [];
  const notOffered: NotOffered[] = [];
  const failures: CaptureFailure[] = [];
  const warnings: string[] = [];
  const redactor = options.redactor ?? (options.redact ? new Redactor(options.redact) : null);
  const env: Record<string, string> = { ...(options.env ?? {}) };
  let goVersion: string | undefined;

  // The index page: what to fetch, and whether anything is there at all.
  progress({ type: "start", label: "index" });
  let index: IndexEntry[] = DEFAULT_INDEX;
  let unreachable = false;
  const indexUrl = `${root}/debug/pprof/`;
  const t0 = Date.now();
  // --only vars,proc needs no profile: then only reachability matters here.
  const wantsPprof = o.only.length === 0 || o.only.some((n) => n !== "vars" && n !== "proc");
  let absent: string | undefined; // the answer said nothing is served there
  let indexError: string | undefined;
  try {
    const res = await fetchWithRetry(indexUrl, { timeoutMs: o.timeoutMs, maxBytes: 1 << 20, signal: options.signal }, o.retry, (attempt, e) =>
      progress({ type: "retry", label: "index", attempt, error: e.message }),
    );
    const found = parsePprofIndex(res.body.toString("utf8"));
    if (found.length > 0) index = found;
    else absent = notIndexPage(res);
  } catch (e) {
    absent = absentStatus(e);
    if (absent === undefined) {
      indexError = (e as Error).message;
      unreachable = UNREACHABLE.test(indexError);
    }
  }
  if (absent !== undefined && wantsPprof) {
    // No index page. Profiles mounted one by one (pprof.Handler without pprof.Index) still
    // answer; a service without pprof (or its catch-all page) does not: that is no capture.
    if (!(await servesGoroutines(root, o.timeoutMs, options.signal))) {
      progress({ type: "done", label: "index", ms: Date.now() - t0 });
      throw new Error(await noPprofMessage(root, absent, { pid: options.pid, timeoutMs: Math.min(o.timeoutMs, 2000) }));
    }
    progress({ type: "note", text: `no /debug/pprof/ index page at ${root} (${absent}), but the profiles answer: fetching the standard ones` });
  }
  if (indexError !== undefined && (wantsPprof || unreachable)) failures.push({ url: indexUrl, error: indexError });
  progress({ type: "done", label: "index", error: wantsPprof ? indexError : undefined, ms: Date.now() - t0 });

  const contentLimits = { ...DEFAULT_LIMITS, maxDecompressedBytes: options.maxDecompressed ?? DEFAULT_LIMITS.maxDecompressedBytes };
  const target = options.dir !== undefined ? { dir: options.dir, temporary: false } : createBundle(options.out);
  const dir = target.dir;
  const tasks = planCapture(root, index, {
    seconds: options.seconds,
    interval: o.interval,
    traceSeconds: o.traceSeconds,
    gc: o.gc,
    only: o.only,
    timeoutMs: o.timeoutMs,
    maxCustom: options.maxProfiles,
    // Only a missing index (404, not an index page) with profiles that answer makes the
    // standard profiles optional; after a timeout or a 500 they are expected, as before.
    indexGuessed: index === DEFAULT_INDEX && absent !== undefined,
  });
  const skipped = customProfileCount(index) - (options.maxProfiles ?? MAX_CUSTOM_PROFILES);
  if (o.only.length === 0 && skipped > 0) {
    const text = `the index lists ${skipped} more custom profiles than --max_profiles (${options.maxProfiles ?? MAX_CUSTOM_PROFILES}); they were not fetched`;
    warnings.push(text);
    progress({ type: "warning", text });
  }
  // Say up front what the stop-the-world dumps will cost a service with many goroutines.
  const dumps = tasks.filter((t) => t.kind === "goroutine-debug2");
  const goroutines = index.find((e) => e.name === "goroutine")?.count;
  const pauseWarning = debug2PauseWarning(goroutines !== undefined && goroutines >= 0 ? goroutines : undefined, dumps.length);
  if (pauseWarning) {
    warnings.push(pauseWarning);
    progress({ type: "warning", text: pauseWarning });
  }

  // /proc facts of a local target, in parallel with the fetches.
  const procWanted = o.only.length === 0 || o.only.includes("proc");
  const procJob = (async () => {
    if (!procWanted) return;
    let pid = options.pid;
    if (pid === undefined) pid = isLocalUrl(root) ? findListeningPid(new URL(root).port || "80") : null;
    if (pid === null || pid === undefined) return;
    const start = Date.now();
    progress({ type: "start", label: "proc" });
    const entry: ManifestFile = { path: "proc.json", kind: "proc", time: new Date().toISOString(), source: `/proc/${pid}` };
    try {
      const facts = collectProcFacts(pid);
      if (facts.buildInfo?.goVersion) goVersion = facts.buildInfo.goVersion;
      Object.assign(env, facts.goEnv);
      entry.bytes = writeBundleFile(dir, "proc.json", JSON.stringify(facts, null, 2) + "\n");
    } catch (e) {
      entry.error = (e as Error).message;
      failures.push({ file: "proc.json", url: `/proc/${pid}`, error: entry.error });
    }
    files.push(entry);
    progress({ type: "done", label: "proc", file: "proc.json", bytes: entry.bytes, error: entry.error, ms: Date.now() - start });
  })();

  const run = async (task: FetchTask): Promise<void> => {
    const entry: ManifestFile = { path: task.file, kind: task.kind, time: new Date().toISOString(), source: task.url };
    if (task.seconds !== undefined) entry.seconds = task.seconds;
    // Recorded on the dump's manifest entry; said once (the warning event above), not per dump.
    if (pauseWarning && task.kind === "goroutine-debug2") entry.warnings = [pauseWarning];
    const fresh: string[] = [];
    files.push(entry);
    const start = Date.now();
    if (task.kind === "goroutine-debug2" && task.phase === "snapshot") firstDumpAt = start;
    if (unreachable || options.signal?.aborted) {
      entry.error = `not fetched: ${unreachable ? failures[0]!.error : INTERRUPTED}`;
      failures.push({ file: task.file, url: task.url, error: entry.error });
      return;
    }
    progress({ type: "start", label: task.label, seconds: task.seconds });
    let mismatch: string | undefined; // the body was not what was asked for
    try {
      const res = await fetchWithRetry(task.url, { timeoutMs: task.timeoutMs, maxBytes: o.maxBytes, signal: options.signal }, o.retry, (attempt, e) =>
        progress({ type: "retry", label: task.label, attempt, error: e.message }),
      );
      let body = res.body;
      let checked;
      try {
        checked = checkContent(task.content, task.kind, body, res.contentType, task.file, contentLimits);
      } catch (e) {
        mismatch = (e as Error).message;
        throw new FetchError(task.url, mismatch);
      }
      // A delta profile may be empty because nothing blocked in the window; only the
      // cumulative one says whether profiling is on at all.
      const warn = checked.profile && task.seconds === undefined ? emptyProfileWarning(task.kind, checked.profile) : undefined;
      if (warn) {
        entry.warnings = [...(entry.warnings ?? []), warn];
        fresh.push(warn);
        warnings.push(warn);
      }
      if (redactor) body = redactor.redact(task.content, body, checked.profile);
      entry.bytes = writeBundleFile(dir, task.file, body);
    } catch (e) {
      // An optional endpoint that is not there (404, or a catch-all's page) was not offered: no file, no failure.
      const notThere = task.optional && !options.signal?.aborted ? (absentStatus(e) ?? mismatch) : undefined;
      if (notThere !== undefined) {
        files.splice(files.indexOf(entry), 1);
        notOffered.push({ kind: task.kind, source: task.url, reason: notThere });
        progress({ type: "done", label: task.label, notOffered: notThere, ms: Date.now() - start });
        return;
      }
      entry.error = e instanceof FetchError ? e.detail : (e as Error).message;
      failures.push({ file: task.file, url: task.url, error: entry.error });
    }
    progress({ type: "done", label: task.label, file: task.file, bytes: entry.bytes, error: entry.error, warnings: fresh.length ? fresh : undefined, ms: Date.now() - start });
  };

  // 1. snapshots, a few at a time; 2. the window, in order; 3. snapshot #2 on its timer.
  const snapshots = tasks.filter((t) => t.phase === "snapshot");
  const window = tasks.filter((t) => t.phase === "window");
  const second = tasks.filter((t) => t.phase === "second-snapshot");
  let firstDumpAt: number | undefined; // when dump #1 started: #2 is due --interval after it
  const firstSnapshotAt = Date.now();
  let next = 0;
  const workers = Array.from({ length: Math.min(o.concurrency, snapshots.length) }, async () => {
    while (next < snapshots.length) await run(snapshots[next++]!);
  });
  await Promise.all(workers);
  const secondJob = (async () => {
    for (const t of second) {
      // Timers may fire a millisecond early by the wall clock: loop until the interval has really passed.
      const due = (firstDumpAt ?? firstSnapshotAt) + o.interval * 1000;
      while (!unreachable && !options.signal?.aborted && Date.now() < due) await abortableSleep(due - Date.now(), options.signal);
      await run(t);
    }
  })();
  const parallelJob = Promise.all(tasks.filter((t) => t.phase === "window-parallel").map(run));
  const sidecars = await startSidecars(options.sidecars ?? [], dir, progress, failures);
  for (const t of window) await run(t);
  await stopSidecars(sidecars, progress, failures, files);
  await Promise.all([secondJob, procJob, parallelJob]);

  if (redactor) redactor.sweepTextFiles(dir, files);
  files.sort((a, b) => order(a.kind) - order(b.kind) || a.path.localeCompare(b.path));
  const manifest: Manifest = { godiag: MANIFEST_VERSION, target: root, captureTime, files };
  if (notOffered.length > 0) manifest.notOffered = notOffered.sort((a, b) => order(a.kind) - order(b.kind) || a.source.localeCompare(b.source));
  if (goVersion) manifest.goVersion = goVersion;
  if (Object.keys(env).length > 0) manifest.env = env;
  if (redactor) manifest.env = { ...(manifest.env ?? {}), redacted: redactor.describe() };
  writeManifest(dir, manifest);
  let out = dir;
  try {
    out = await finishBundle(target);
  } catch (e) {
    failures.push({ url: target.dir, error: `packing the bundle: ${(e as Error).message}` });
  }
  return { dir: out, manifest, failures, warnings, unreachable, interrupted: options.signal?.aborted ?? false };
}

/** Starts each sidecar; one that cannot start is a failure of its own, not of the capture. */
export async function startSidecars(all: CaptureSidecar[], dir: string, progress: CaptureProgress, failures: CaptureFailure[]): Promise<CaptureSidecar[]> {
  const started: CaptureSidecar[] = [];
  for (const s of all) {
    progress({ type: "start", label: s.label });
    try {
      await s.start(dir);
      started.push(s);
    } catch (e) {
      const error = (e as Error).message;
      failures.push({ url: s.label, error });
      progress({ type: "done", label: s.label, error, ms: 0 });
    }
  }
  return started;
}

export async function stopSidecars(started: CaptureSidecar[], progress: CaptureProgress, failures: CaptureFailure[], files: ManifestFile[]): Promise<void> {
  for (const s of started) {
    const t0 = Date.now();
    try {
      const entries = await s.stop();
      files.push(...entries);
      for (const e of entries) if (e.error) failures.push({ file: e.path, url: e.source ?? s.label, error: e.error });
      const first = entries[0];
      progress({ type: "done", label: s.label, file: first?.path, bytes: first?.bytes, error: first?.error, warnings: first?.warnings, ms: Date.now() - t0 });
    } catch (e) {
      failures.push({ url: s.label, error: (e as Error).message });
      progress({ type: "done", label: s.label, error: (e as Error).message, ms: Date.now() - t0 });
    }
  }
}

/**
 * Whether root serves a goroutine profile without an index page: false only when the
 * answer says it is not there (404, a page that is not a goroutine dump); a timeout or
 * a 500 is no proof either way, so the capture goes ahead.
 */
async function servesGoroutines(root: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  try {
    const res = await fetchCapped(`${root}/debug/pprof/goroutine?debug=1`, { timeoutMs, maxBytes: 64 << 20, signal });
    checkContent("goroutine-text", "goroutine-debug1", res.body, res.contentType, "goroutine?debug=1");
    return true;
  } catch (e) {
    if (e instanceof FetchError) return absentStatus(e) === undefined;
    return false; // the content check: not a goroutine dump
  }
}

const KIND_ORDER: FileKind[] = ["cpu", "heap", "allocs", "block", "mutex", "goroutine", "goroutine-debug1", "goroutine-debug2", "threadcreate", "heap-debug1", "trace", "expvar", "gctrace", "proc", "pcap", "netaudit", "escape", "other"];
const order = (k: FileKind) => KIND_ORDER.indexOf(k);

/** Remove a temporary bundle directory (for callers that captured without out). */
export function removeBundle(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
