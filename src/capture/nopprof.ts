// What is and is not served at a URL. net/http/pprof's index (/debug/pprof/)
// lists every profile the process has; /debug/vars (expvar) is registered by a
// different package, on http.DefaultServeMux only, and the index does not list
// it, so whether a service offers it is known only by asking. One rule for
// every such optional endpoint: ask once; an answer saying "nothing here" (404,
// 410, or a page that is not what was asked for: a catch-all handler's JSON or
// HTML) means "not offered", which is no error.
//
// When the pprof index itself is missing, the usual cause is the application's
// port of a service that serves pprof on another one (an admin listener on
// localhost:6060 is the common setup). For a local target the process
// listening on the URL's port is found in /proc and its other listening
// addresses are probed, so the one-line error names where pprof answers.

import { parsePprofIndex } from "./sources/discover.js";
import { fetchCapped, FetchError, type FetchResult } from "./sources/http.js";
import { findListeningPid, isLocalUrl, listeningAddrs, type ListenAddr } from "./sources/proc.js";

/** Statuses meaning "nothing is served at this path". */
const ABSENT_STATUS = new Set([404, 410]);

/** "HTTP 404" when a failed fetch says nothing is served there; undefined for any other failure. */
export function absentStatus(e: unknown): string | undefined {
  return e instanceof FetchError && e.status !== undefined && ABSENT_STATUS.has(e.status) ? `HTTP ${e.status}` : undefined;
}

/** Why a 200 answer to /debug/pprof/ is not the pprof index: "HTTP 200 with an HTML page that is not the pprof index". */
export function notIndexPage(res: FetchResult): string {
  const head = res.body.subarray(0, 64).toString("latin1");
  let what = "a page";
  if (res.body.length === 0) what = "an empty body";
  else if (/text\/html/i.test(res.contentType) || /^\s*</.test(head)) what = "an HTML page";
  else if (/json/i.test(res.contentType) || /^\s*[{[]/.test(head)) what = "JSON";
  return `HTTP ${res.status} with ${what} that is not the pprof index`;
}

export type PprofProbe = { ok: true } | { ok: false; why: string };

/** Whether root/debug/pprof/ answers with net/http/pprof's index page (one try, short timeout). */
export async function probePprof(root: string, timeoutMs = 1000): Promise<PprofProbe> {
  try {
    const res = await fetchCapped(`${root.replace(/\/+$/, "")}/debug/pprof/`, { timeoutMs, maxBytes: 1 << 20 });
    return parsePprofIndex(res.body.toString("utf8")).length > 0 ? { ok: true } : { ok: false, why: notIndexPage(res) };
  } catch (e) {
    const msg = (e as Error).message;
    return { ok: false, why: absentStatus(e) ?? (e instanceof FetchError ? msg.slice(e.url.length + 2) : msg) };
  }
}

/** Most other listening addresses probed for the hint (each probe is bounded by its timeout; they run at once). */
const MAX_PROBES = 16;

/**
 * The one-line error for a URL with no /debug/pprof: why (e.g. "HTTP 404"), and,
 * for a local target, the other addresses the same process listens on, naming
 * the ones where /debug/pprof/ answers.
 */
export async function noPprofMessage(root: string, why: string, opts: { pid?: number | null; timeoutMs?: number } = {}): Promise<string> {
  const head = `no /debug/pprof at ${root} (${why})`;
  if (!isLocalUrl(root)) return `${head}: is net/http/pprof served on this port?`;
  const url = new URL(root);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const pid = typeof opts.pid === "number" ? opts.pid : findListeningPid(String(port));
  if (pid === null) return `${head}: is net/http/pprof served on this port?`;
  const others = listeningAddrs(pid).filter((a) => a.port !== port);
  if (others.length === 0) return `${head}; this process (pid ${pid}) listens on no other TCP port: does it import net/http/pprof?`;
  const shown = others.map(display).join(", ");
  const candidates = others.slice(0, MAX_PROBES).map((a) => `http://${connectHost(a, url.hostname)}:${a.port}`);
  const probes = await Promise.all(candidates.map((c) => probePprof(c, opts.timeoutMs ?? 1000)));
  const answering = [...new Set(candidates.filter((_, i) => probes[i]!.ok))];
  if (answering.length > 0) {
    return `${head}; this process (pid ${pid}) also listens on ${shown}, and /debug/pprof answers at ${answering.join(" and ")} — try ${answering.length === 1 ? "that" : "those"}`;
  }
  return `${head}; this process (pid ${pid}) also listens on ${shown}, but /debug/pprof/ answered on none of them over plain HTTP`;
}

/** "127.0.0.1:6060", "[::1]:6060". */
function display(a: ListenAddr): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** An address to connect to a listener on: its own, or for a wildcard, loopback in the target's family. */
function connectHost(a: ListenAddr, targetHost: string): string {
  if (a.host === "0.0.0.0") return "127.0.0.1";
  // A Go listener on ":6060" is dual-stack "::": the target's own host reaches it (127.0.0.1 or [::1]).
  if (a.host === "::") return targetHost === "localhost" ? "127.0.0.1" : targetHost;
  return a.host.includes(":") ? `[${a.host}]` : a.host;
}
