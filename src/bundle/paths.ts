// Where a manifest entry may point. A bundle directory is untrusted input (it may
// come from a ticket or a tarball someone else made): its manifest's paths are
// resolved through symlinks and refused unless the real file lies inside the real
// bundle directory, so no entry can make godiag read, or print a line of, a file
// outside it (../../etc/passwd, a symlink to it, or ../bundle-other/x sharing the
// bundle's name as a prefix).

import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";

export type Member = { ok: true; abs: string } | { ok: false; why: "outside" | "missing" };

/** The real path of `rel` inside the bundle `dir`, or why it is refused. */
export function bundleMember(dir: string, rel: string): Member {
  let root: string;
  let real: string;
  try {
    root = realpathSync(dir);
  } catch {
    return { ok: false, why: "missing" };
  }
  // Refused before any file-system access when the name itself leaves the bundle.
  if (!inside(resolve(root, rel), root)) return { ok: false, why: "outside" };
  try {
    real = realpathSync(resolve(root, rel));
  } catch {
    return { ok: false, why: "missing" };
  }
  return inside(real, root) ? { ok: true, abs: real } : { ok: false, why: "outside" };
}

/** `p` is `root` or below it (a path comparison, not a string prefix: /b-other is not in /b). */
function inside(p: string, root: string): boolean {
  const r = relative(root, p);
  return r !== "" && r !== ".." && !r.startsWith(".." + sep) && !isAbsolute(r);
}

/** Manifest entries with one entry per real file (a file listed 40 times is read once); the first entry wins. */
export function uniqueMembers<T extends { path: string }>(dir: string, entries: readonly T[]): Array<{ entry: T; member: Member }> {
  const seen = new Set<string>();
  const out: Array<{ entry: T; member: Member }> = [];
  for (const entry of entries) {
    const member = bundleMember(dir, entry.path);
    if (member.ok) {
      if (seen.has(member.abs)) continue;
      seen.add(member.abs);
    }
    out.push({ entry, member });
  }
  return out;
}
