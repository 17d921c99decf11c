// Allocation sites from a heap or allocs profile: where the bytes and objects
// come from, their average size (objects > 32 KB skip the size-class caches and
// are allocated straight from the heap), churn (allocated vs still in use), and
// in-use growth against an earlier heap profile (--base).
//
// A site is the first frame below the runtime (the code that asked for memory),
// at line granularity; userFrame is the first frame in the user's own code (not the
// standard library's nor a dependency's: CodeOrigins),
// which is what escape analysis diagnostics point at — of the stacks through the site,
// the user frame with the most bytes (a library site is reached from several places,
// the profiler's own gzip writer among them).

import { CodeOrigins, originOf } from "../../core/go/index.js";
import { type Profile, forEachStack, sampleTypeIndex, type Frame } from "../../core/model/index.js";

export const LARGE_OBJECT_BYTES = 32 << 10;

export interface AllocSite {
  name: string;
  file: string;
  line: number;
  userFrame?: Frame;
  allocObjects: number;
  allocBytes: number;
  inuseObjects: number;
  inuseBytes: number;
  avgObjectBytes: number;
  /** average object > 32 KB */
  large: boolean;
  /** allocBytes / inuseBytes (Infinity when nothing is still in use) */
  churn: number;
}

export interface AllocSites {
  totalAllocBytes: number;
  totalAllocObjects: number;
  totalInuseBytes: number;
  sites: AllocSite[];
}

export interface InuseGrowth {
  name: string;
  file: string;
  line: number;
  baseBytes: number;
  bytes: number;
  growthBytes: number;
}

/** True when p is a heap/allocs profile (has alloc_space or inuse_space). */
export function isHeapProfile(p: Profile): boolean {
  return sampleTypeIndex(p, "alloc_space", "inuse_space", "space") >= 0;
}

export function allocSites(p: Profile, origins: CodeOrigins = CodeOrigins.fromProfile(p)): AllocSites {
  const ao = sampleTypeIndex(p, "alloc_objects");
  const as = sampleTypeIndex(p, "alloc_space");
  const io = sampleTypeIndex(p, "inuse_objects", "objects");
  const is = sampleTypeIndex(p, "inuse_space", "space");
  const byKey = new Map<string, AllocSite>();
  const usersOf = new Map<AllocSite, Map<string, { frame: Frame; bytes: number }>>();
  let tab = 0;
  let tao = 0;
  let tib = 0;
  forEachStack(p, (frames, value) => {
    const site = frames.find((f) => originOf(f.name) !== "runtime") ?? frames[0];
    if (!site) return;
    const user = frames.find((f) => originOf(f.name, origins) === "user");
    const key = `${site.name}\0${site.file}\0${site.line}`;
    let s = byKey.get(key);
    if (!s) {
      s = { name: site.name, file: site.file, line: site.line, allocObjects: 0, allocBytes: 0, inuseObjects: 0, inuseBytes: 0, avgObjectBytes: 0, large: false, churn: 0 };
      byKey.set(key, s);
      usersOf.set(s, new Map());
    }
    const v = (i: number) => (i >= 0 ? value(i) : 0);
    if (user) {
      const users = usersOf.get(s)!;
      const uk = `${user.name}\0${user.file}\0${user.line}`;
      const u = users.get(uk) ?? { frame: user, bytes: 0 };
      u.bytes += as >= 0 ? v(as) : v(is);
      users.set(uk, u);
    }
    s.allocObjects += v(ao);
    s.allocBytes += v(as);
    s.inuseObjects += v(io);
    s.inuseBytes += v(is);
    tao += v(ao);
    tab += v(as);
    tib += v(is);
  });
  const sites = [...byKey.values()];
  for (const s of sites) {
    let best: { frame: Frame; bytes: number } | undefined;
    for (const u of usersOf.get(s)!.values()) if (!best || u.bytes > best.bytes) best = u;
    if (best) s.userFrame = best.frame;
    const objs = s.allocObjects || s.inuseObjects;
    const bytes = s.allocObjects ? s.allocBytes : s.inuseBytes;
    s.avgObjectBytes = objs > 0 ? bytes / objs : 0;
    s.large = s.avgObjectBytes > LARGE_OBJECT_BYTES;
    s.churn = s.inuseBytes > 0 ? s.allocBytes / s.inuseBytes : Infinity;
  }
  sites.sort((a, b) => b.allocBytes - a.allocBytes || b.inuseBytes - a.inuseBytes || a.name.localeCompare(b.name));
  return { totalAllocBytes: tab, totalAllocObjects: tao, totalInuseBytes: tib, sites };
}

/** In-use bytes per site in p minus in base, largest growth first. */
export function inuseGrowth(p: Profile, base: Profile): InuseGrowth[] {
  const now = allocSites(p).sites;
  const before = new Map(allocSites(base).sites.map((s) => [`${s.name}\0${s.file}\0${s.line}`, s.inuseBytes]));
  const out: InuseGrowth[] = now.map((s) => {
    const b = before.get(`${s.name}\0${s.file}\0${s.line}`) ?? 0;
    return { name: s.name, file: s.file, line: s.line, baseBytes: b, bytes: s.inuseBytes, growthBytes: s.inuseBytes - b };
  });
  return out.filter((g) => g.growthBytes > 0).sort((a, b) => b.growthBytes - a.growthBytes);
}
