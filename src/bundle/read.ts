// Open what the user gave `diagnose`: a bundle directory (with manifest.json), a
// bundle .tar.gz, a loose directory of captured files, or single files. Files
// without a manifest entry are recognised by content (core/kinds/sniff.ts), and
// files of one kind are put in time order by what they prove (order.ts).

import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as tar from "tar";
import { fromUtf16, readFileCapped, InputError, stripLogPrefixes, textOf, type ReadLimits } from "../core/input/index.js";
import type { Profile } from "../core/model/index.js";
import { parseManifest, type FileKind, type Manifest } from "./manifest.js";
import { hasGcTraceLines, looksBinary, sniffKind } from "../core/kinds/index.js";
import { bundleMember, uniqueMembers } from "./paths.js";
import { ZIP_RE, extractZip } from "./zip.js";
import { orderSnapshots, timeEvidence, type SincePrevious, type TimeEvidence, type TimeSource } from "./order.js";

export interface BundleFile {
  /** as the user/manifest names it (relative to the bundle root when there is one) */
  path: string;
  absPath: string;
  kind: FileKind;
  /**
   * RFC 3339: when the file was taken, from the most trusted evidence (timeSource).
   * Within one kind, times are consistent with the order and the intervals: a
   * file's time is the previous one's plus sincePrevious.interval; when any interval
   * of the kind is unknown, all share one time (no rate over a bogus interval).
   */
  time: string;
  /** where time came from: manifest > proto (TimeNanos) > content > name > mtime (docs/BUNDLE.md) */
  timeSource: TimeSource;
  /** for every file but the oldest of its kind: the previous one, what proved the order, the interval */
  sincePrevious?: SincePrevious;
  seconds?: number;
  /** the capture failed or was partial (from the manifest) */
  error?: string;
  warnings: string[];
  data: Uint8Array;
  /** decoded profile, for proto profiles */
  profile?: Profile;
}

export interface Bundle {
  /** what the user named */
  inputs: string[];
  manifest?: Manifest;
  files: BundleFile[];
  /** problems that did not stop the load (unreadable file, manifest entry missing) */
  warnings: string[];
  /** the limits the bundle was opened with: whatever parses its files later uses them too */
  limits: OpenLimits;
}

export interface OpenLimits extends ReadLimits {
  /** most files read from one directory or archive */
  maxFiles: number;
}

const TAR_RE = /\.(tar\.gz|tgz|tar)$/i;

/** Open every input; throws InputError when nothing usable is found. */
export async function openBundle(inputs: string[], limits: OpenLimits, opts: { label?: string } = {}): Promise<Bundle> {
  const bundle: Bundle = { inputs, files: [], warnings: [], limits };
  const evidence = new Map<BundleFile, TimeEvidence>();
  const temps: string[] = [];
  try {
    for (const input of inputs) {
      // stdin ("-") is one file, read as a stream.
      if (input === "-") {
        addFile(bundle, evidence, input, input, undefined, limits);
        continue;
      }
      if (!existsSync(input)) throw new InputError(input, "no such file or directory");
      if (statSync(input).isDirectory()) {
        // A label replaces a temporary directory's path in what the findings cite.
        readDirectory(input, bundle, evidence, limits, opts.label ?? input);
      } else if (TAR_RE.test(input) || ZIP_RE.test(input)) {
        const dir = mkdtempSync(join(tmpdir(), "godiag-bundle-"));
        temps.push(dir);
        await (ZIP_RE.test(input) ? extractZip(input, dir, limits) : extractArchive(input, dir, limits));
        readDirectory(soleSubdir(dir), bundle, evidence, limits, input);
      } else {
        addFile(bundle, evidence, input, resolve(input), undefined, limits);
      }
    }
  } finally {
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  }
  if (bundle.files.length === 0) {
    throw new InputError(inputs.join(" "), "no Go profiles, dumps or logs recognised in the input");
  }
  orderFiles(bundle, evidence);
  return bundle;
}

/**
 * Time and order every file: each kind is ordered by its own evidence (order.ts),
 * then all files by time, each kind keeping its inferred order in its slots.
 */
function orderFiles(bundle: Bundle, evidence: Map<BundleFile, TimeEvidence>): void {
  const byKind = new Map<FileKind, BundleFile[]>();
  for (const f of bundle.files) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  const ordered = new Map<FileKind, BundleFile[]>();
  for (const [kind, files] of byKind) {
    const entries = orderSnapshots(files, (f) => evidence.get(f)!);
    for (const e of entries) {
      e.item.time = e.time;
      e.item.timeSource = e.timeSource;
      if (e.sincePrevious) e.item.sincePrevious = e.sincePrevious;
    }
    ordered.set(kind, entries.map((e) => e.item));
  }
  bundle.files.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.path < b.path ? -1 : 1));
  const next = new Map<FileKind, number>();
  bundle.files = bundle.files.map((f) => {
    const i = next.get(f.kind) ?? 0;
    next.set(f.kind, i + 1);
    return ordered.get(f.kind)![i]!;
  });
}

/** Files of one kind, oldest first. */
export function filesOfKind(b: Bundle, kind: FileKind): BundleFile[] {
  return b.files.filter((f) => f.kind === kind);
}

// A tarball of a bundle usually holds one top directory; use it when so.
function soleSubdir(dir: string): string {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.length === 1 && entries[0]!.isDirectory()) return join(dir, entries[0]!.name);
  return dir;
}

async function extractArchive(file: string, dir: string, limits: OpenLimits): Promise<void> {
  let count = 0;
  let total = 0;
  let problem = "";
  try {
    await tar.x({
      file,
      cwd: dir,
      strict: true,
      // Only regular files and directories; cap count and sizes before writing (zip-bomb safe).
      filter: (_path, entry) => {
        const e = entry as { type?: string; size?: number };
        if (e.type !== "File" && e.type !== "Directory") return false;
        count++;
        total += e.size ?? 0;
        if (count > limits.maxFiles) problem = `more than ${limits.maxFiles} files in the archive`;
        if (total > limits.maxDecompressedBytes) problem = `archive expands beyond ${limits.maxDecompressedBytes} bytes`;
        return problem === "";
      },
    });
  } catch (e) {
    throw new InputError(file, `not a readable tar archive: ${(e as Error).message}`);
  }
  if (problem) throw new InputError(file, problem);
}

function readDirectory(dir: string, bundle: Bundle, evidence: Map<BundleFile, TimeEvidence>, limits: OpenLimits, displayRoot = dir): void {
  const manifestPath = join(dir, "manifest.json");
  // Real paths already read: a file is read once however often the manifest lists it.
  const listed = new Set<string>();
  const read = existsSync(manifestPath) ? readManifest(manifestPath, join(displayRoot, "manifest.json"), limits) : undefined;
  const m = read instanceof InputError ? undefined : read;
  const before = bundle.files.length;
  if (m !== undefined) {
    bundle.manifest = m;
    for (const { entry: f, member } of uniqueMembers(dir, m.files)) {
      if (!member.ok && member.why === "outside") {
        bundle.warnings.push(`${join(displayRoot, "manifest.json")}: entry "${f.path}" leaves the bundle directory; ignored`);
        continue;
      }
      if (!member.ok) {
        bundle.warnings.push(`${join(displayRoot, f.path)}: listed in the manifest but missing${f.error ? ` (${f.error})` : ""}`);
        continue;
      }
      listed.add(member.abs);
      addFile(bundle, evidence, join(displayRoot, f.path), member.abs, f, limits);
    }
  }
  // A bundle is what its manifest lists (and loose files beside it); a folder without one
  // may hold the capture in subfolders (pprof/, logs/, dumps/), which are read too.
  const names = m === undefined ? looseFiles(dir, "", limits.maxFiles, displayRoot) : looseFiles(dir, "", limits.maxFiles, displayRoot, 0);
  const nested = new Set<string>();
  let skipped = 0;
  for (const name of names) {
    const member = bundleMember(dir, name);
    if (!member.ok || listed.has(member.abs)) continue;
    const files = bundle.files.length;
    // a file in a subfolder that is not Go's is counted, not named (a folder may hold anything)
    addFile(bundle, evidence, join(displayRoot, name), member.abs, undefined, limits, name.includes("/"));
    if (!name.includes("/")) continue;
    if (bundle.files.length > files) nested.add(name.slice(0, name.lastIndexOf("/") + 1));
    else skipped++;
  }
  if (nested.size > 0) bundle.warnings.push(`${displayRoot}: read files in subfolders too (${[...nested].sort().join(", ")}): they are taken as one capture`);
  if (skipped > 0) bundle.warnings.push(`${displayRoot}: ${skipped} file${skipped === 1 ? "" : "s"} in subfolders not recognised as Go profiles, dumps or logs; skipped`);
  if (read instanceof InputError) {
    // Nothing to read instead: the damaged manifest is the error to report.
    if (bundle.files.length === before) throw read;
    bundle.warnings.push(`${read.message}; the files were recognised by content`);
  }
}

/** Regular files under dir (relative names), subfolders to `depth` levels, hidden ones skipped; capped at max. */
function looseFiles(dir: string, rel: string, max: number, displayRoot: string, depth = 3, out: string[] = []): string[] {
  const entries = readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const name = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isFile() && name !== "manifest.json") out.push(name);
    if (out.length > max) throw new InputError(displayRoot, `more than ${max} files`);
  }
  if (depth > 0) for (const e of entries) if (e.isDirectory() && !e.name.startsWith(".")) looseFiles(dir, rel === "" ? e.name : `${rel}/${e.name}`, max, displayRoot, depth - 1, out);
  return out;
}

/**
 * The manifest, or the error when it is damaged: a capture interrupted by a full disk
 * left a 0-byte manifest.json beside intact files, so the files are then read by
 * content like a loose directory's, with a warning, instead of refusing them all.
 */
function readManifest(path: string, shown: string, limits: OpenLimits): Manifest | InputError {
  try {
    return parseManifest(textOf(readFileCapped(path, limits), shown));
  } catch (e) {
    const why = e instanceof InputError ? e.detail : (e as Error).message;
    return new InputError(shown, oneLine(why));
  }
}

/** The first line of a message (zod and JSON.parse messages can span lines). */
function oneLine(s: string): string {
  const i = s.indexOf("\n");
  return i < 0 ? s : s.slice(0, i) + " ...";
}

function addFile(
  bundle: Bundle,
  evidence: Map<BundleFile, TimeEvidence>,
  path: string,
  abs: string,
  entry: Manifest["files"][number] | undefined,
  limits: OpenLimits,
  quiet = false,
): void {
  let data: Uint8Array;
  try {
    // a packet capture is streamed from absPath by its reader, never held whole
    data = entry?.kind === "pcap" ? new Uint8Array(0) : readFileCapped(abs, limits);
    // text saved as UTF-16 (Windows), a log as kubectl, docker or journalctl print it
    data = fromUtf16(data);
    if (!looksBinary(data)) data = stripLogPrefixes(data);
  } catch (e) {
    bundle.warnings.push(e instanceof Error ? e.message : String(e));
    return;
  }
  let kind: FileKind = entry?.kind ?? "other";
  let profile: Profile | undefined;
  try {
    const s = sniffKind(data, path, limits);
    profile = s.profile;
    // The manifest is trusted for the kind, except that content recognition can
    // tell block from mutex better than a mislabelled entry can.
    if (entry === undefined) kind = s.kind;
    // An empty contention profile has no frames to tell block from mutex: only the name can.
    if (entry === undefined && kind === "block" && profile?.samples.length === 0 && /mutex/i.test(path)) kind = "mutex";
  } catch (e) {
    bundle.warnings.push(e instanceof Error ? e.message : String(e));
    if (entry === undefined) return;
  }
  if (kind === "other" && entry === undefined) {
    if (!quiet) bundle.warnings.push(`${path}: not recognised as a Go profile, dump or log; skipped`);
    return;
  }
  const mtimeMs = abs === "-" ? Date.now() : statSync(abs).mtimeMs;
  const file: BundleFile = {
    path,
    absPath: abs,
    kind,
    // set by orderFiles once every file is read
    time: entry?.time ?? new Date(mtimeMs).toISOString(),
    timeSource: entry?.time !== undefined ? "manifest" : "mtime",
    seconds: entry?.seconds,
    error: entry?.error,
    warnings: entry?.warnings ?? [],
    data,
    profile,
  };
  bundle.files.push(file);
  evidence.set(file, timeEvidence(path, kind, data, { profile, manifestTime: entry?.time, mtimeMs, limits }));
  // A service's log after `kill -QUIT`: its gctrace lines, then the traceback. Read as both.
  if (kind === "goroutine-debug2" && entry === undefined && hasGcTraceLines(textOf(data, path))) {
    const log: BundleFile = { ...file, kind: "gctrace", warnings: [] };
    bundle.files.push(log);
    evidence.set(log, timeEvidence(path, "gctrace", data, { mtimeMs, limits }));
  }
}

/**
 * Kinds whose every reader takes the decoded profile (BundleFile.profile), never the
 * bytes: diagnose's rules, the views of godiag serve. The text kinds (heap?debug=1,
 * goroutine?debug=1, dumps, logs, JSON, traces) are parsed from their bytes on demand.
 */
const DECODED_ONLY = new Set<FileKind>(["cpu", "heap", "allocs", "block", "mutex", "goroutine", "threadcreate", "ebpf-oncpu", "ebpf-offcpu", "ebpf-syscalls", "other"]);

/**
 * Frees the bytes of the files already decoded to a profile whose readers only use the
 * decoded profile: a long-lived holder of a bundle (godiag serve) would otherwise keep a
 * big profile twice (a 304 MB proto beside its ~500 MB of columns). Reading a released
 * file's data afterwards throws: a reader that should use the profile fails loudly
 * instead of parsing an empty buffer. Returns the bytes released.
 */
export function releaseDecodedBytes(b: Bundle): number {
  let freed = 0;
  for (const f of b.files) {
    if (f.profile === undefined || !DECODED_ONLY.has(f.kind)) continue;
    freed += f.data.byteLength;
    const path = f.path;
    Object.defineProperty(f, "data", {
      enumerable: false,
      get(): never {
        throw new Error(`${path}: its bytes were released once decoded; read its decoded profile`);
      },
    });
  }
  return freed;
}
