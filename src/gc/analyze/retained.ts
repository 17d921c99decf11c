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
  forEachStack(p, (frames, value) => {
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
      k = { name: site.name, file: site.file, line: site.line, fn: user.name, inuseBytes: 0, allocBytes: 0, inuseObjects: 0, userChain: [] };
      byLine.set(key, k);
      usersOf.set(k, new Map());
    }
    k.allocBytes += a;
    k.inuseBytes += i;
    k.inuseObjects += io >= 0 ? value(io) : 0;
    const users = usersOf.get(k)!;
    users.set(user.name, (users.get(user.name) ?? 0) + a);
    if (a > (chainBytes.get(k) ?? -1)) {
      chainBytes.set(k, a);
      k.userChain = [...new Set(frames.filter((f) => originOf(f.name) === "user").map((f) => f.name))];
    }
  });
  for (const [k, users] of usersOf) k.fn = [...users].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]![0];
  out.lines = [...byLine.values()].sort((x, y) => y.inuseBytes - x.inuseBytes || (x.name < y.name ? -1 : 1) || x.line - y.line);
  return out;
}
