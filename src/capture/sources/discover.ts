// What a /debug/pprof/ index page offers. net/http/pprof's Index writes one
// table row per profile:
//   <tr><td>COUNT</td><td><a href='NAME?debug=1'>NAME</a></td></tr>
// We read those rows (and nothing else) so a service that mounts only some
// profiles, or adds its own (runtime/pprof.NewProfile), is captured as it is.

export interface IndexEntry {
  name: string;
  /** the Count column: samples/records the profile holds right now (0 for profile/trace/cmdline/symbol) */
  count: number;
}

const ROW = /<tr>\s*<td>\s*(\d+)\s*<\/td>\s*<td>\s*<a href=['"]([^'"?]+)(?:\?[^'"]*)?['"]>/g;

/** Profiles listed by a /debug/pprof/ index page; [] when the page has no such rows. */
export function parsePprofIndex(html: string): IndexEntry[] {
  const out: IndexEntry[] = [];
  const seen = new Set<string>();
  for (const m of html.matchAll(ROW)) {
    // One bad escape ("%zz") skips its row, not the whole index.
    const name = decodeOrNull(m[2]!);
    if (name === null) continue;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, count: Number(m[1]) });
  }
  return out;
}

function decodeOrNull(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
