// The capture bundle: a directory (or .tar.gz of one) holding everything collected
// from one Go service, described by manifest.json. Written by `godiag capture`,
// `godiag run` and scripts/captures.mjs (our fault workloads); read by `diagnose`.
// The format is documented in docs/BUNDLE.md; zod validates it on read so a bad
// manifest is one clear error instead of an undefined deep inside a rule.

import { z } from "zod";
import { FILE_KINDS } from "../core/kinds/index.js";

export { FILE_KINDS, type FileKind } from "../core/kinds/index.js";

export const MANIFEST_VERSION = 1;


const fileEntry = z.object({
  /** path relative to the bundle root */
  path: z.string().min(1),
  kind: z.enum(FILE_KINDS),
  /** RFC 3339 time the fetch started (goroutine snapshots are ordered by it) */
  time: z.string().optional(),
  /** seconds covered (CPU profile, trace, gctrace log) */
  seconds: z.number().nonnegative().optional(),
  /** source URL or command */
  source: z.string().optional(),
  bytes: z.number().int().nonnegative().optional(),
  /** set when the fetch failed: the file may be missing or partial */
  error: z.string().optional(),
  /** e.g. "block profile is empty: call runtime.SetBlockProfileRate" */
  warnings: z.array(z.string()).optional(),
});

/** An optional endpoint the service does not serve (e.g. /debug/vars without expvar): no file, no error. */
const notOfferedEntry = z.object({
  kind: z.enum(FILE_KINDS),
  /** the URL asked */
  source: z.string(),
  /** the answer: "HTTP 404", or what the page was instead */
  reason: z.string(),
});

export const manifestSchema = z.object({
  godiag: z.literal(MANIFEST_VERSION),
  /** what was captured: a URL, "pid:1234", or a workload name */
  target: z.string(),
  goVersion: z.string().optional(),
  /** RFC 3339 */
  captureTime: z.string(),
  /** free-form facts: GOGC, GOMEMLIMIT, GOMAXPROCS, the workload's fault, ... */
  env: z.record(z.string(), z.string()).optional(),
  files: z.array(fileEntry),
  /** optional endpoints asked for and not served (absent when all were, and in older manifests) */
  notOffered: z.array(notOfferedEntry).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof fileEntry>;
export type NotOffered = z.infer<typeof notOfferedEntry>;

/** Parse and validate manifest.json text; throws a one-line message on failure. */
export function parseManifest(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`, { cause: e });
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`invalid manifest at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return r.data;
}
