// The view worker: the decoded inputs and every view's computation live on a worker
// thread, so a view that takes seconds (the flame graph or call graph of a big profile)
// never blocks the HTTP thread: the page, its assets and /api/meta keep answering.
//
// One worker (the inputs are decoded once, in one heap); it answers one request at a
// time, in order. This module is both sides: the HTTP thread calls startViewWorker, and
// the worker thread, started on this same module (in the bundle: its chunk), runs
// serveViews from the guard at the bottom.

import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { commandLimits, InputError, ReportError, UsageError } from "../../../api/errors.js";
import { openServeSession, type SessionOptions } from "../../../api/serve.js";
import { answerView, sessionMeta, type ViewRoute } from "./answers.js";

interface Start {
  godiagServeWorker: true;
  inputs: string[];
  options: SessionOptions;
}

/** "user": an error of the input or the request (400, exit 2); "internal": a bug (500). */
type Failure = { kind: "user" | "internal"; message: string };
type Reply = { id: number; body: string } | { id: number; failure: Failure };
type Hello = { ready: { meta: string; warnings: string[] } } | { failed: Failure };

function failureOf(e: unknown): Failure {
  const user = e instanceof InputError || e instanceof ReportError || e instanceof UsageError;
  return { kind: user ? "user" : "internal", message: e instanceof Error ? e.message : String(e) };
}

/** An answer the worker refused: a ReportError (400) for the user's mistakes, else an Error (500). */
function errorOf(f: Failure): Error {
  return f.kind === "user" ? new ReportError(f.message) : new Error(f.message);
}

export interface ViewWorker {
  /** the session's inventory as JSON text */
  meta: string;
  warnings: string[];
  /** a view's answer (JSON text), computed on the worker */
  ask(route: ViewRoute, q: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Starts the worker and opens the inputs there; rejects (ReportError) when they cannot be opened. */
export function startViewWorker(inputs: string[], options: SessionOptions): Promise<ViewWorker> {
  // the decompression budget (a class) cannot cross threads: the worker makes its own
  const { limits, ...rest } = options;
  const start: Start = { godiagServeWorker: true, inputs, options: { ...rest, limits: { maxInputBytes: limits.maxInputBytes, maxDecompressedBytes: limits.maxDecompressedBytes } } };
  const w = new Worker(new URL(import.meta.url), { workerData: start });
  const pending = new Map<number, { resolve: (s: string) => void; reject: (e: Error) => void }>();
  let next = 0;
  let dead: Error | null = null;
  const fail = (e: Error) => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  return new Promise((resolve, reject) => {
    w.once("message", (h: Hello) => {
      if ("failed" in h) {
        reject(errorOf(h.failed));
        void w.terminate();
        return;
      }
      w.on("message", (r: Reply) => {
        const p = pending.get(r.id);
        if (p === undefined) return;
        pending.delete(r.id);
        if ("body" in r) p.resolve(r.body);
        else p.reject(errorOf(r.failure));
      });
      resolve({
        meta: h.ready.meta,
        warnings: h.ready.warnings,
        ask: (route, q) =>
          new Promise((res, rej) => {
            if (dead !== null) return rej(dead);
            const id = next++;
            pending.set(id, { resolve: res, reject: rej });
            w.postMessage({ id, route, q });
          }),
        close: async () => {
          await w.terminate();
        },
      });
    });
    // A crash (out of memory in the worker, a bug) fails what is pending and what comes.
    w.once("error", (e) => {
      fail(new Error(`view worker: ${e.message}`));
      reject(e);
    });
    w.once("exit", (code) => {
      const e = new Error(`view worker exited (${code})`);
      fail(e);
      reject(e);
    });
  });
}

async function serveViews(start: Start): Promise<void> {
  const port = parentPort!;
  let session;
  try {
    const l = start.options.limits;
    session = await openServeSession(start.inputs, { ...start.options, limits: commandLimits(l.maxInputBytes, l.maxDecompressedBytes) });
  } catch (e) {
    port.postMessage({ failed: failureOf(e) } satisfies Hello);
    return;
  }
  port.postMessage({ ready: { meta: sessionMeta(session), warnings: session.warnings } } satisfies Hello);
  const s = session;
  port.on("message", (m: { id: number; route: ViewRoute; q: Record<string, unknown> }) => {
    let reply: Reply;
    try {
      reply = { id: m.id, body: answerView(s, m.route, m.q) };
    } catch (e) {
      reply = { id: m.id, failure: failureOf(e) };
    }
    port.postMessage(reply);
  });
}

const data = workerData as Partial<Start> | null;
if (!isMainThread && data?.godiagServeWorker === true) void serveViews(data as Start);
