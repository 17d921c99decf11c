// Profiles: load the files a user names (read, parse, merge sources, combine with
// -base / -diff_base as go tool pprof does) and the pprof reports over them.

import { combineSources } from "../core/transform/index.js";
import { InputError, readFileCapped, type ReadLimits } from "../core/input/index.js";
import { sniffKind, type FileKind } from "../core/kinds/index.js";
import { parseProfileData } from "../core/codec/index.js";
import type { Profile } from "../core/model/index.js";
import { ReportError } from "../pprof/index.js";

export interface LoadOptions {
  sources: string[];
  bases: string[];
  diffBase: boolean;
  normalize: boolean;
  limits: ReadLimits;
}

export function readProfile(path: string, limits: ReadLimits): Profile {
  const data = readFileCapped(path, limits);
  try {
    return parseProfileData(data, path, limits);
  } catch (e) {
    throw redirectToReader(e, data, path, limits);
  }
}

/** The command that reads each kind of capture file that is not a pprof profile. */
const READER: Partial<Record<FileKind, string>> = {
  "goroutine-debug2": "a goroutine dump (goroutine?debug=2 or a crash traceback): read it with `godiag goroutines` or `godiag diagnose`",
  gctrace: "a gctrace log: read it with `godiag gc` or `godiag diagnose`",
  expvar: "/debug/vars JSON: read it with `godiag gc` or `godiag diagnose`",
  escape: "escape-analysis output (-gcflags=-m=2): read it with `godiag gc`",
  trace: "a Go execution trace, not a profile",
};

/** "unrecognized profile format" for a file another command reads: name that command. */
function redirectToReader(e: unknown, data: Uint8Array, path: string, limits: ReadLimits): unknown {
  if (!(e instanceof InputError) || !e.detail.startsWith("unrecognized profile format")) return e;
  let kind: FileKind;
  try {
    kind = sniffKind(data, path, limits).kind;
  } catch {
    return e;
  }
  const says = READER[kind];
  return says === undefined ? e : new InputError(path, `not a profile: this is ${says}`);
}

export function loadProfiles(o: LoadOptions, warn: (s: string) => void): Profile {
  const sources = o.sources.map((f) => readProfile(f, o.limits));
  const bases = o.bases.map((f) => readProfile(f, o.limits));
  for (const p of [...sources, ...bases]) if (p.extras.truncation !== undefined) warn(`godiag: warning: ${p.extras.truncation}\n`);
  try {
    return combineSources(sources, bases, { diffBase: o.diffBase, normalize: o.normalize, fakeMappings: true });
  } catch (e) {
    // e.g. profiles of different kinds: the user's inputs do not combine
    throw new ReportError((e as Error).message);
  }
}

export {
  defaultConfig,
  formatFolded,
  prepareReport,
  renderReport,
  type Granularity,
  type Report,
  type ReportConfig,
  type ReportKind,
} from "../pprof/index.js";
export { materialize } from "../core/transform/index.js";
export { writeProfileGz } from "../core/codec/index.js";
export { scaledLabel } from "../core/measure/index.js";
