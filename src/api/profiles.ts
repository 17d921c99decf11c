// Profiles: load the files a user names (read, parse, merge sources, combine with
// -base / -diff_base as go tool pprof does) and the pprof reports over them.

import { combineSources } from "../core/transform/index.js";
import { readFileCapped, type ReadLimits } from "../core/input/index.js";
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
  return parseProfileData(readFileCapped(path, limits), path, limits);
}

export function loadProfiles(o: LoadOptions, _warn: (s: string) => void): Profile {
  const sources = o.sources.map((f) => readProfile(f, o.limits));
  const bases = o.bases.map((f) => readProfile(f, o.limits));
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
  type ReportConfig,
  type ReportKind,
} from "../pprof/index.js";
export { materialize } from "../core/transform/index.js";
export { writeProfileGz } from "../core/codec/index.js";
export { scaledLabel } from "../core/measure/index.js";
