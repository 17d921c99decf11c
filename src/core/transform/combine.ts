// How go tool pprof turns its command-line profiles into one (driver/fetch.go):
// sources are combined in chunks of 128, bases likewise, then the base is
// optionally labeled (-diff_base) and normalized, negated, and merged in.

import { emptyMapping, type Profile } from "../model/index.js";
import { mergeProfiles } from "./merge.js";
import { compatibilizeSampleTypes, normalize, scale, scaleProfiles, setLabel } from "./scale.js";

export interface CombineOptions {
  /** -diff_base: mark base samples with label pprof::base=true */
  diffBase: boolean;
  /** -normalize: scale the sources to the base's totals first */
  normalize: boolean;
  /**
   * Give each mapping-less input pprof's fake mapping (id 1, all zero) before
   * combining, as locateBinaries does per fetched profile. Only changes the
   * result when mapping-less and mapped inputs are merged together.
   */
  fakeMappings?: boolean;
}

/** pprof's chunk size when grabbing many profiles. */
const CHUNK = 128;

/**
 * combineProfiles: make sample types and units compatible, then merge.
 * A single profile is returned as is (not merged, so not compacted).
 */
export function combineProfiles(profiles: Profile[]): Profile {
  compatibilizeSampleTypes(profiles);
  scaleProfiles(profiles);
  if (profiles.length === 1) return profiles[0];
  return mergeProfiles(profiles);
}

/** chunkedGrab: combine each chunk of 128, folding each chunk into the running result. */
function chunked(profiles: Profile[]): Profile {
  let p: Profile | null = null;
  for (let start = 0; start < profiles.length; start += CHUNK) {
    const chunk = combineProfiles(profiles.slice(start, start + CHUNK));
    p = p === null ? chunk : combineProfiles([p, chunk]);
  }
  if (p === null) throw new Error("failed to fetch any source profiles");
  return p;
}

/** locateBinaries' fake mapping for a profile without mappings. */
export function addFakeMapping(p: Profile): void {
  if (p.mappings.length > 0) return;
  p.mappings = [emptyMapping(1)];
  p.locations = { ...p.locations, mapping: new Int32Array(p.locations.length) };
}

function wrap(f: () => Profile, prefix: string, suffix: string): Profile {
  try {
    return f();
  } catch (e) {
    throw new Error(prefix + (e instanceof Error ? e.message : String(e)) + suffix, { cause: e });
  }
}

/**
 * fetchProfiles' combination step (before symbolization and RemoveUninteresting).
 * Inputs are modified in place, as pprof modifies the profiles it fetched.
 */
export function combineSources(sources: Profile[], bases: Profile[], opts: CombineOptions): Profile {
  if (sources.length === 0) throw new Error("failed to fetch any source profiles");
  if (opts.fakeMappings) for (const q of [...sources, ...bases]) addFakeMapping(q);
  // pprof wraps errors from combining the sources (or bases) among themselves.
  let p = wrap(() => chunked(sources), "problem fetching source profiles: ", "");
  if (bases.length > 0) {
    const base = wrap(() => chunked(bases), "problem fetching base profiles: ", ",");
    if (opts.diffBase) setLabel(base, "pprof::base", ["true"]);
    if (opts.normalize) normalize(p, base);
    scale(base, -1);
    p = combineProfiles([p, base]);
  }
  return p;
}
