// Memory that requests keep, from one heap-family profile (heap or allocs: both carry
// alloc_space and inuse_space, as of the last completed GC cycle).
//
// What a request allocates should die with it: while it is served, its bytes are in
// use; once it is answered they are garbage. So the in-use bytes allocated under a
// request handler are in-flight memory, a small part of what handlers allocated,
// unless the handler stores them somewhere that outlives the request (a map, a slice,
// a cache). Start-up work (main, init, goroutines it starts) is left out here: what it
// builds is kept on purpose (a 200 MB index loaded at start is one heap moment's
// biggest site and is not growing).
//
// Lines reached through sync.Once are left out: made once, whatever the requests.
//
// By allocation line (the first frame below the runtime, as pprof -lines shows it), each
// named by the innermost user frame of its stacks (the service's code that asked for the
// memory; a library line such as io.ReadAll's is named by its caller). A line, not a
// function: the line that makes the objects a map or slice keeps holds all of them,
// while the function's other lines (the garbage of growing a buffer or a map, the
// request's own scratch) are freed, and would hide it.

import { originOf } from "../../core/go/index.js";
import { forEachStack, sampleTypeIndex, type Profile } from "../../core/model/index.js";

/**
 * Goroutines that serve one request (or one stream) each: net/http's per-connection
 * serve loop, HTTP/2's per-stream handler goroutine, gRPC's stream handlers.
 */
/** Work done once whatever the number of requests (sync.Once, OnceFunc, OnceValue run through doSlow): a lazy cache, not a growth. */
const ONCE = /^sync\.\(\*Once\)\.doSlow$/;

const REQUEST_ROOT =
  /^(net\/http\.\(\*conn\)\.serve|net\/http\.\(\*http2serverConn\)\.runHandler|golang\.org\/x\/net\/http2\.\(\*serverConn\)\.runHandler|google\.golang\.org\/grpc\.\(\*Server\)\.(serveStreams|handleStream))$/;

export interface KeptLine {
  /** the allocation site: first frame below the runtime, at line granularity */
  name: string;
  file: string;
  line: number;
  /** innermost user frame of its stacks (of those, the one with the most bytes allocated) */
  fn: string;
  inuseBytes: number;
  allocBytes: number;
  inuseObjects: number;
  /** the user frames from fn out to the request handler, innermost first, on its stack with the most bytes */
  userChain: string[];
  /** the line is the user function's own code (make, new, append, a map store: no library frame below it) */
  own: boolean;
  /** an own line whose objects come in growing sizes: a slice's backing arrays (see growsLikeASlice) */
  appends: boolean;
}

export interface RetainedByRequests {
  totalInuseBytes: number;
  totalAllocBytes: number;
  requestInuseBytes: number;
  requestAllocBytes: number;
  /** allocation lines under request handlers that have a user frame, most bytes in use first */
  lines: KeptLine[];
}

/** undefined when the profile lacks alloc_space or inuse_space (a legacy heap profile has only in-use). */
export function retainedByRequests(p: Profile): RetainedByRequests | undefined {
  const as = sampleTypeIndex(p, "alloc_space");
  const is = sampleTypeIndex(p, "inuse_space");
  const io = sampleTypeIndex(p, "inuse_objects");
  if (as < 0 || is < 0) return undefined;
  const out: RetainedByRequests = { totalInuseBytes: 0, totalAllocBytes: 0, requestInuseBytes: 0, requestAllocBytes: 0, lines: [] };
  const byLine = new Map<string, KeptLine>();
  const usersOf = new Map<KeptLine, Map<string, number>>();
  const chainBytes = new Map<KeptLine, number>();
  const sizesOf = new Map<KeptLine, Set<number>>();
  const bytesKey = p.strings.all().indexOf("bytes");
  let s = 0;
  forEachStack(p, (frames, value) => {
    const sample = s++; // forEachStack visits samples in order
    const a = value(as);
    const i = value(is);
    out.totalAllocBytes += a;
    out.totalInuseBytes += i;
    if (!frames.some((f) => REQUEST_ROOT.test(f.name)) || frames.some((f) => ONCE.test(f.name))) return;
    out.requestAllocBytes += a;
    out.requestInuseBytes += i;
    const user = frames.find((f) => originOf(f.name) === "user");
    const site = frames.find((f) => originOf(f.name) !== "runtime");
    if (!user || !site) return;
    const key = `${site.name}\0${site.file}\0${site.line}`;
    let k = byLine.get(key);
    if (!k) {
      k = { name: site.name, file: site.file, line: site.line, fn: user.name, inuseBytes: 0, allocBytes: 0, inuseObjects: 0, userChain: [], own: site === user, appends: false };
      byLine.set(key, k);
      usersOf.set(k, new Map());
    }
    k.allocBytes += a;
    k.inuseBytes += i;
    if (site === user && a > 0) {
      const size = objectSize(p, sample, bytesKey);
      if (size > 0) (sizesOf.get(k) ?? sizesOf.set(k, new Set()).get(k)!).add(size);
    }
    k.inuseObjects += io >= 0 ? value(io) : 0;
    const users = usersOf.get(k)!;
    users.set(user.name, (users.get(user.name) ?? 0) + a);
    if (a > (chainBytes.get(k) ?? -1)) {
      chainBytes.set(k, a);
      k.userChain = [...new Set(frames.filter((f) => originOf(f.name) === "user").map((f) => f.name))];
    }
  });
  for (const [k, sizes] of sizesOf) k.appends = growsLikeASlice([...sizes]);
  for (const [k, users] of usersOf) k.fn = [...users].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]![0];
  out.lines = [...byLine.values()].sort((x, y) => y.inuseBytes - x.inuseBytes || (x.name < y.name ? -1 : 1) || x.line - y.line);
  return out;
}

/** A heap sample's object size: its numeric "bytes" label (runtime/pprof writes one per heap sample); 0 when absent. */
function objectSize(p: Profile, sample: number, bytesKey: number): number {
  if (bytesKey <= 0) return 0;
  const l = p.labels;
  for (let r = p.samples.labelStart[sample]!; r < p.samples.labelStart[sample + 1]!; r++) if (l.key[r] === bytesKey && l.str[r] === 0) return l.num[r]!;
  return 0;
}

/**
 * Whether a line's object sizes are a slice's growth ladder. A heap profile hides
 * runtime.growslice (runtime/pprof trims the runtime's frames), so an append shows as its
 * own line allocating arrays each about 1.25x (big) to 2x (small) the last (runtime/slice.go
 * nextslicecap, then rounded up to a size class): at least three sizes, and most steps
 * between them at least 1.2x. A make of a size that varies with the input steps by less.
 */
export function growsLikeASlice(sizes: number[]): boolean {
  if (sizes.length < 3) return false;
  const s = [...sizes].sort((a, b) => a - b);
  let ladder = 0;
  for (let i = 1; i < s.length; i++) if (s[i]! >= 1.2 * s[i - 1]!) ladder++;
  return ladder * 3 >= 2 * (s.length - 1);
}
