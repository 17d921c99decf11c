// heap-growth from one heap moment (godiag corpus, curl folders): a folder fetched with
// curl rarely holds two heap profiles minutes apart, and without gctrace nothing says
// the live heap rose. One heap profile still says what requests allocated and what of it
// is still in use (gc/analyze/retained.ts): a handler's bytes die with its request, so
// the in-use bytes of a line under a request handler are in-flight memory, a sliver of
// what the line allocated, unless the handler stores what the line makes.
//
// "In use equals allocated", at a line: with steady rates since start, the share of a
// line's allocated bytes still in use is the share of the process's life its bytes
// outlive; when nothing it made was freed (to the profile's resolution, minKeptShare),
// its objects outlive every request since start. A cache bounded by size evicts one entry
// per insert from the moment it is full, so its line falls under that soon after (this
// rule's twin, testdata/workloads/keptbytes -mode lru: 18 % after 8 s). A cache still
// filling, or one that became full only just now, looks like a leak so far: one moment
// cannot tell them apart, and the finding says so. The function's other lines (growing a
// buffer or a map, the request's scratch) are freed and do not count against it.
//
// Whether the keeping goes on now: a warning when the code that reaches the line is seen
// running (the line's user function, or a user function calling it from the request
// handler, in the CPU profile's window), or the line allocated more between two
// heap-family profiles of different GC cycles; otherwise an info that says it was not
// checked. Start-up work is out by construction (not under a request handler), and so is
// work done once through sync.Once: a big cache loaded at start, or lazily by the first
// request, is not named.

import { retainedByRequests, type KeptLine, type RetainedByRequests } from "../../gc/index.js";
import type { DiagnoseContext, ProfileInput } from "../context.js";
import type { Evidence, Finding } from "../finding.js";
import type { Rule } from "../rule.js";
import type { BundleFile } from "../../bundle/index.js";

const MiB = 1 << 20;
/**
 * Least in-use bytes to name: the runtime's minimum heap goal (4 MB, runtime/mgcpacer.go
 * heapMinimum), the same floor as the gctrace growth rule (gc/analyze/detect.ts). It is
 * also 8 samples at the default MemProfileRate (512 KB): fewer would not be a measurement.
 */
const MIN_INUSE_BYTES = 4 * MiB;
/** The runtime's default heap profile sampling period (runtime.MemProfileRate: 512 KB); a profile's own Period wins. */
const DEFAULT_SAMPLE_BYTES = 512 << 10;
/**
 * "In use equals allocated": nothing the line made was freed, to the profile's resolution
 * at the smallest line named (MIN_INUSE_BYTES is 8 samples of 512 KB: one freed sample is
 * an eighth). A bounded cache evicts one entry per insert from the moment it is full, so
 * its line falls below this once it has been full for an eighth of the process's life.
 */
function minKeptShare(period: number): number {
  const sample = period > 0 ? period : DEFAULT_SAMPLE_BYTES;
  return 1 - Math.min(sample, DEFAULT_SAMPLE_BYTES) / MIN_INUSE_BYTES;
}

export const heapRetainedRule: Rule = {
  name: "heap-retained",
  run(ctx: DiagnoseContext): Finding[] {
    const heap = latestHeapFamily(ctx);
    if (!heap) return [];
    const r = heap.retained;
    if (r.totalInuseBytes === 0 || r.totalAllocBytes === 0) return [];
    const kept = minKeptShare(heap.profile.period);
    const top = r.lines.find((k) => k.inuseBytes >= MIN_INUSE_BYTES && k.inuseBytes >= kept * k.allocBytes);
    if (top) return [finding(ctx, heap.file, r, top, appenderOf(r, top, heap.profile.period))];
    const grown = onlyGrowing(r);
    return grown ? [finding(ctx, heap.file, r, grown, undefined)] : [];
  },
};

/**
 * For the gctrace growth finding (rules/gc.ts), which names the top in-use allocator: the user
 * function that appends to a slice keeping that allocator's objects, in the latest heap-family
 * profile. The growth is established there (the live heap rose cycle after cycle), so the
 * allocator's biggest line under requests need not have kept all it made (a trim that ran a
 * few times before it stopped freed part of it); the appender's conditions are appenderOf's.
 */
export function appendKeeper(ctx: DiagnoseContext, allocator: string): string | undefined {
  const heap = latestHeapFamily(ctx);
  if (!heap) return undefined;
  const r = heap.retained;
  const top = r.lines.find((k) => k.fn === allocator && k.inuseBytes >= MIN_INUSE_BYTES);
  return top && appenderOf(r, top, heap.profile.period)?.fn;
}

/**
 * The slowest growth of a big slice is 1.25x per growslice (runtime/slice.go nextslicecap),
 * so a slice that only grew has allocated at most 5x its current backing array over its life:
 * at least a fifth of its append line's bytes are still in use. A slice trimmed again and
 * again (a bounded log) allocates a new array per trim and falls under that.
 */
const GROWN_SHARE = 1 / 5;

/**
 * A user function whose append keeps the kept line's objects: memory reachable only through
 * a growing slice is kept by the code that appends to it, not by the code that allocated it.
 * Its append line (runtime.growslice under it) still holds part of what it allocated (an
 * eighth: a slice trimmed over and over keeps far less), at least two samples of it, and it
 * is reached on the same request path as the kept line (a user function of the kept line's
 * stack calls it). It must be the biggest such store in use of the path's other functions.
 */
function appenderOf(r: RetainedByRequests, top: KeptLine, period: number): KeptLine | undefined {
  const sample = period > 0 ? period : DEFAULT_SAMPLE_BYTES;
  const path = new Set(top.userChain.length > 0 ? top.userChain : [top.fn]);
  // The biggest store of the path's other functions must be the append: when it is a map
  // store (smsgate's dedup window) or a make, that keeps the objects, not a queue the path
  // also appends to and drains (smsgate's carrier queues, 1 % of the kept bytes).
  const store = r.lines.find(
    (k) => k.own && k.fn !== top.fn && k.inuseBytes >= 2 * sample && k.inuseBytes * 8 >= k.allocBytes && k.userChain.slice(1).some((f) => path.has(f)),
  );
  return store?.appends ? store : undefined;
}

/**
 * No line keeps all it made, but the biggest in-use line under requests is a slice that only
 * grew: elements stored by value live in its backing array, and its old arrays were freed as
 * it grew (so it never reaches "in use equals allocated").
 */
function onlyGrowing(r: RetainedByRequests): KeptLine | undefined {
  const first = r.lines[0];
  return first && first.appends && first.inuseBytes >= MIN_INUSE_BYTES && first.inuseBytes >= GROWN_SHARE * first.allocBytes ? first : undefined;
}

interface HeapFamilyFile {
  file: BundleFile;
  profile: ProfileInput["profile"];
  retained: RetainedByRequests;
}

/** Every heap or allocs profile with both in-use and allocated bytes, oldest first, each analysed once per bundle. */
function heapFamily(ctx: DiagnoseContext): HeapFamilyFile[] {
  return ctx.once(analyseHeapFamily);
}

function analyseHeapFamily(ctx: DiagnoseContext): HeapFamilyFile[] {
  const out: HeapFamilyFile[] = [];
  for (const f of [...ctx.files("heap"), ...ctx.files("allocs")]) {
    const retained = f.profile && retainedByRequests(f.profile);
    if (retained) out.push({ file: f, profile: f.profile!, retained });
  }
  return out.sort((a, b) => Date.parse(a.file.time) - Date.parse(b.file.time));
}

/** The latest heap or allocs profile that has both in-use and allocated bytes (the rule and gc.ts's appendKeeper share it). */
function latestHeapFamily(ctx: DiagnoseContext): HeapFamilyFile | undefined {
  return heapFamily(ctx).at(-1);
}

/**
 * Whether the code that reaches the line ran in the CPU profile's window: samples with
 * the line's user function on their stack, else with one of the user functions that call
 * it on the way from the request handler (a cheap store is rarely sampled; the requests
 * that reach it are).
 */
function cpuSeen(ctx: DiagnoseContext, line: KeptLine): { fn: string; samples: number; file: string; caller: boolean } | { file: string; samples: 0 } | undefined {
  const cpu = ctx.profile("cpu");
  if (!cpu) return undefined;
  const chain = line.userChain.length > 0 ? line.userChain : [line.fn];
  const count = new Map<string, number>();
  for (let s = 0; s < cpu.profile.samples.length; s++) {
    const names = new Set(cpu.frames.names(s));
    for (const f of chain) if (names.has(f)) count.set(f, (count.get(f) ?? 0) + 1);
  }
  for (const f of chain) {
    const n = count.get(f) ?? 0;
    if (n > 0) return { fn: f, samples: n, file: cpu.file.path, caller: f !== line.fn };
  }
  return { file: cpu.file.path, samples: 0 };
}

/**
 * Bytes the line allocated under request handlers, in an earlier heap-family profile of another
 * GC cycle (a different allocated total), when there is one.
 */
function earlierAlloc(ctx: DiagnoseContext, latest: BundleFile, line: KeptLine): { file: string; allocBytes: number; seconds: number } | undefined {
  const t = latest.profile?.timeNanos ?? 0n;
  let best: { file: string; allocBytes: number; seconds: number } | undefined;
  for (const { file: f, profile: p, retained: r } of heapFamily(ctx)) {
    if (f === latest || p.timeNanos <= 0n || p.timeNanos >= t) continue;
    const seconds = Number(t - p.timeNanos) / 1e9;
    const h = r.lines.find((x) => x.name === line.name && x.file === line.file && x.line === line.line);
    if (!best || seconds > best.seconds) best = { file: f.path, allocBytes: h?.allocBytes ?? 0, seconds };
  }
  return best;
}

function finding(ctx: DiagnoseContext, file: BundleFile, r: RetainedByRequests, top: KeptLine, keeper: KeptLine | undefined): Finding {
  const fn = keeper?.fn ?? top.fn;
  const where = `${top.name} (${top.file.split("/").pop()}:${top.line})`;
  const mb = (b: number) => (b / MiB).toFixed(1);
  const cpu = cpuSeen(ctx, keeper ?? top);
  const before = earlierAlloc(ctx, file, top);
  const addedSince = before ? top.allocBytes - before.allocBytes : 0;
  const seenNow = (cpu?.samples ?? 0) > 0 || addedSince > 0;
  const uptime = ctx.uptimeAt(file) ?? ctx.uptime();
  const keptPct = (100 * top.inuseBytes) / top.allocBytes;
  const lines = [
    `${where}, called by ${top.fn} while serving requests, allocated ${mb(top.allocBytes)} MB and ${mb(top.inuseBytes)} MB of it (${keptPct.toFixed(0)} %) is still in use, ${((100 * top.inuseBytes) / r.totalInuseBytes).toFixed(0)} % of the in-use heap (${mb(r.totalInuseBytes)} MB): its objects outlive the requests that made them`,
    `all request handling keeps ${mb(r.requestInuseBytes)} MB of the ${mb(r.requestAllocBytes)} MB it allocated`,
  ];
  if (keeper) {
    lines.push(
      `${fn}, on the same request path, appends to a slice that keeps them: its append (${keeper.file.split("/").pop()}:${keeper.line}) holds ${mb(keeper.inuseBytes)} MB of the ${mb(keeper.allocBytes)} MB its growth allocated; what only a growing slice reaches is kept by the code that appends to it`,
    );
  } else if (top.appends) {
    lines.push(`the line is ${fn}'s append: a slice that only grew has allocated at most 5x its backing array (1.25x growth), and this one holds ${keptPct.toFixed(0)} % of it`);
  }
  if (uptime && uptime.seconds > 0) {
    const q = uptime.quality === "lower-bound" ? ["at least ", "at most "] : uptime.quality === "estimate" ? ["about ", "about "] : ["", ""];
    lines.push(`the process had run ${q[0]}${uptime.seconds.toFixed(1)} s (${uptime.source}): ${q[1]}${mb(top.inuseBytes / uptime.seconds)} MB kept per second of its life`);
  }
  if (cpu && "fn" in cpu) {
    lines.push(
      cpu.caller
        ? `${cpu.fn}, which calls it for requests, is on ${cpu.samples} stacks of the CPU profile: the requests that reach it are still served`
        : `${fn} is on ${cpu.samples} stacks of the CPU profile: it still runs in the capture window`,
    );
  }
  if (addedSince > 0 && before) lines.push(`the line allocated ${mb(addedSince)} MB more in the ${before.seconds.toFixed(1)} s since ${before.file}`);
  if (!seenNow) lines.push(`not checked: one heap moment, and ${fn} was not seen running${cpu ? " in the CPU profile" : " (no CPU profile)"}; a cache filled once looks the same`);
  lines.push("one heap moment cannot tell a leak from a cache still filling: two heap profiles minutes apart can");
  const evidence: Evidence[] = [
    {
      source: file.path,
      kind: "heap profile (kept by requests)",
      numbers: {
        inuse_bytes: top.inuseBytes,
        alloc_bytes: top.allocBytes,
        inuse_objects: top.inuseObjects,
        kept_share_pct: round(keptPct),
        heap_inuse_bytes: r.totalInuseBytes,
        request_inuse_bytes: r.requestInuseBytes,
        request_alloc_bytes: r.requestAllocBytes,
        ...(uptime && uptime.seconds > 0 ? { uptime_seconds: round(uptime.seconds), kept_bytes_per_sec: Math.round(top.inuseBytes / uptime.seconds) } : {}),
      },
      functions: [fn, top.name],
      excerpt: `${where}: ${mb(top.inuseBytes)} MB in use of ${mb(top.allocBytes)} MB allocated`,
    },
  ];
  if (keeper) {
    evidence.push({
      source: file.path,
      kind: "heap profile (append that keeps them)",
      numbers: { inuse_bytes: keeper.inuseBytes, alloc_bytes: keeper.allocBytes },
      functions: [keeper.fn],
      excerpt: `${keeper.name} (${keeper.file.split("/").pop()}:${keeper.line}) under runtime.growslice`,
    });
  }
  if (cpu && "fn" in cpu) evidence.push({ source: cpu.file, kind: "cpu profile (still running)", numbers: { samples_with_function: cpu.samples }, functions: [cpu.fn] });
  return {
    // The gctrace growth finding's id (rules/gc.ts) when it names the same function: one
    // finding, with the live heap over cycles and the line that keeps it as its sources.
    id: `heap-growth:heap-growth:${fn}`,
    category: "heap-growth",
    severity: seenNow ? "warning" : "info",
    confidence: seenNow ? 0.6 : 0.4,
    title: `${fn} keeps what it allocates for requests: ${mb(top.inuseBytes)} MB in use, ${keptPct.toFixed(0)} % of what ${where} allocated`,
    summary: lines.join("; ") + ".",
    evidence,
    functions: [...new Set([fn, top.fn, top.name])],
    recommendation: `Bound what ${fn} stores per request (evict by size or age, or copy only the part that must be kept: a sub-slice keeps its whole backing array), then compare two heap profiles minutes apart (godiag gc heap2.pb.gz --base heap1.pb.gz) to confirm the growth stopped.`,
    docs: ["https://go.dev/doc/diagnostics#profiling", "https://go.dev/doc/gc-guide#Identifying_costs"],
  };
}

const round = (x: number) => Math.round(x * 10) / 10;
