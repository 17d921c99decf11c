// The block profile in the layered latency report: block time on the request path (stacks
// under a handler goroutine: net/http's conn.serve, its HTTP/2 handlers, gRPC's), by what
// the handler waited on (a mutex, a channel, a select, a condition variable...) and the
// handler's own function that waited. Waits with no user frame are net/http's own around a
// request (its background read stopping after the response) and are not a request's
// latency. The profile covers its own window (a delta profile: the capture's), so this is
// evidence for the blocking layer over that window, not a per-request measurement.

import { attributeToUserCode, topEntries } from "../../core/go/index.js";
import { sampleTypeIndex } from "../../core/model/index.js";
import type { DiagnoseContext } from "../context.js";
import type { Evidence } from "../finding.js";
import { HANDLER } from "./trace-scheduler.js";

/** What a blocking sample waited on, from its innermost frames. */
const KINDS: ReadonlyArray<readonly [string, RegExp]> = [
  ["mutex", /^sync\.\(\*(RW)?Mutex\)\.(R?Lock|Lock)$/],
  ["channel", /^runtime\.chan(send|recv)[12]?$/],
  ["select", /^runtime\.selectgo$/],
  ["cond", /^sync\.\(\*Cond\)\.Wait$/],
  ["waitgroup", /^sync\.\(\*WaitGroup\)\.Wait$/],
];

export interface RequestPathBlocking {
  evidence: Evidence;
  /** the handlers' own waits over the profile's window, ns */
  handlerNs: number;
  /** the function that waited longest and on what, "" when none */
  top: string;
  topKind: string;
  seconds?: number;
}

export function requestPathBlocking(ctx: DiagnoseContext): RequestPathBlocking | undefined {
  const block = ctx.profile("block");
  if (!block) return undefined;
  const di = sampleTypeIndex(block.profile, "delay");
  if (di < 0) return undefined;
  const onPath = (fr: string[]) => fr.some((f) => HANDLER.test(f));
  const all = attributeToUserCode(block.frames, di, onPath);
  if (all.total === 0) return undefined;
  const handlerNs = all.total - all.unattributed;
  const byKind = new Map<string, number>();
  const [top, topNs] = topEntries(all.byFunction, 1)[0] ?? ["", 0];
  let topKind = "";
  for (const [kind, re] of KINDS) {
    const k = attributeToUserCode(block.frames, di, (fr) => onPath(fr) && fr.slice(0, 4).some((f) => re.test(f)));
    const own = k.total - k.unattributed;
    if (own > 0) byKind.set(kind, own);
    if (top && (k.byFunction.get(top) ?? 0) >= topNs / 2) topKind = kind;
  }
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const numbers: Record<string, number> = { handler_block_ms: ms(handlerNs), net_http_own_ms: ms(all.unattributed) };
  for (const [k, v] of byKind) numbers[`${k}_ms`] = ms(v);
  if (block.seconds !== undefined) numbers["window_seconds"] = Math.round(block.seconds * 10) / 10;
  const tops = topEntries(all.byFunction, 3);
  return {
    evidence: {
      source: block.file.path,
      kind: "block profile (request path: handler goroutines' waits, by what they waited on)",
      numbers,
      functions: tops.map(([f]) => f),
      excerpt:
        (block.seconds !== undefined ? `over the profile's ${block.seconds.toFixed(1)} s window` : "over the process's life (a cumulative profile)") +
        ", not per request; waits without a user frame (net/http's own) left out: " +
        (tops.length ? tops.map(([f, v]) => `${f} ${ms(v)} ms`).join(", ") : "none in the handlers' code"),
    },
    handlerNs,
    top,
    topKind,
    ...(block.seconds === undefined ? {} : { seconds: block.seconds }),
  };
}
