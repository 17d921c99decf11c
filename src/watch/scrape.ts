// One scrape of one target: every profile the job asks for, fetched at once, each
// with the time left before the scrape's deadline and a size cap; decoded and
// normalized here so the store's writer only appends. A failure of one profile is
// recorded and the others are kept (a 500 on /block does not lose the heap).

import { fetchCapped } from "../capture/index.js";
import { readProfileData } from "../core/codec/index.js";
import { normalizeProfile, type NormalizedProfile, type ProfileType } from "../store/index.js";
import type { Target } from "./discovery.js";

export interface ScrapedProfile {
  type: ProfileType;
  rawBytes: number;
  raw: Buffer;
  normalized: NormalizedProfile;
}

export interface ScrapeError {
  /** profile type, or "vars" / "dump" */
  what: string;
  /** a short class for the errors metric: timeout, http_500, refused, decode, too_large, other */
  reason: string;
  message: string;
}

export interface ScrapeResult {
  startMs: number;
  durationMs: number;
  profiles: ScrapedProfile[];
  /** /debug/vars numbers (memstats), when asked for and served */
  vars?: { heapInuse: number; heapAlloc: number; gcCpuFraction: number; numGc: number; pauseTotalNs: number };
  errors: ScrapeError[];
}

function classify(message: string): string {
  if (/timed out/.test(message)) return "timeout";
  const http = /HTTP (\d{3})/.exec(message);
  if (http) return `http_${http[1]}`;
  if (/refused/.test(message)) return "refused";
  if (/larger than|exceeds/.test(message)) return "too_large";
  if (/closed/.test(message)) return "closed";
  return "other";
}

export function profileUrl(t: Target, type: ProfileType): string {
  const base = `${t.config.scheme}://${t.address}${t.config.pprofPath}`;
  switch (type) {
    case "cpu":
      return `${base}/profile?seconds=${t.config.profiles.cpuSeconds}`;
    default:
      return `${base}/${type}`;
  }
}

export function wantedTypes(t: Target): ProfileType[] {
  const p = t.config.profiles;
  const out: ProfileType[] = [];
  if (p.cpuSeconds > 0) out.push("cpu");
  for (const k of ["heap", "allocs", "block", "mutex", "goroutine"] as const) if (p[k]) out.push(k);
  return out;
}

export async function scrapeTarget(t: Target, maxBytes: number, signal?: AbortSignal): Promise<ScrapeResult> {
  const startMs = Date.now();
  const deadline = startMs + t.config.timeoutMs;
  const errors: ScrapeError[] = [];
  const left = (): number => Math.max(1, deadline - Date.now());
  const fetchOne = async (type: ProfileType): Promise<{ type: ProfileType; url: string; body: Buffer } | null> => {
    const url = profileUrl(t, type);
    try {
      return { type, url, body: (await fetchCapped(url, { timeoutMs: left(), maxBytes, signal })).body };
    } catch (e) {
      const message = (e as Error).message;
      errors.push({ what: type, reason: classify(message), message });
      return null;
    }
  };
  const decode = ({ type, url, body }: { type: ProfileType; url: string; body: Buffer }): ScrapedProfile | null => {
    try {
      // The decoded profile is dropped once normalized: storage and the window need only the rows.
      const profile = readProfileData(body, url, { maxInputBytes: maxBytes, maxDecompressedBytes: maxBytes * 8 });
      return { type, rawBytes: body.length, raw: body, normalized: normalizeProfile(profile) };
    } catch (e) {
      errors.push({ what: type, reason: "decode", message: (e as Error).message });
      return null;
    }
  };
  const varsP = t.config.profiles.vars ? fetchVars(t, maxBytes, left, signal, errors) : Promise.resolve(undefined);
  // Decoded only once all have arrived: the quick profiles would otherwise wait for the
  // CPU profile's seconds decoded and normalized (about 1 MB of JS objects each, times
  // every target in flight: most of the watcher's heap), not as their gzipped bytes.
  const bodies = await Promise.all(wantedTypes(t).map(fetchOne));
  const vars = await varsP;
  const durationMs = Date.now() - startMs;
  const profiles = bodies.map((b) => (b ? decode(b) : null)).filter((p): p is ScrapedProfile => p !== null);
  return { startMs, durationMs, profiles, vars, errors };
}

async function fetchVars(t: Target, maxBytes: number, left: () => number, signal: AbortSignal | undefined, errors: ScrapeError[]): Promise<ScrapeResult["vars"]> {
  const url = `${t.config.scheme}://${t.address}/debug/vars`;
  try {
    const body = (await fetchCapped(url, { timeoutMs: left(), maxBytes: Math.min(maxBytes, 8 << 20), signal })).body;
    const o = JSON.parse(body.toString("utf8")) as { memstats?: Record<string, unknown> };
    const m = o.memstats;
    if (!m || typeof m.HeapInuse !== "number") throw new Error(`${url}: no memstats`);
    return {
      heapInuse: m.HeapInuse,
      heapAlloc: Number(m.HeapAlloc ?? 0),
      gcCpuFraction: Number(m.GCCPUFraction ?? 0),
      numGc: Number(m.NumGC ?? 0),
      pauseTotalNs: Number(m.PauseTotalNs ?? 0),
    };
  } catch (e) {
    const message = (e as Error).message;
    errors.push({ what: "vars", reason: e instanceof SyntaxError ? "decode" : classify(message), message: e instanceof SyntaxError ? `${url}: not JSON` : message });
    return undefined;
  }
}

/** The goroutine?debug=2 dump (text), or null when it failed. */
export async function fetchDump(t: Target, maxBytes: number, timeoutMs: number): Promise<Buffer | null> {
  try {
    return (await fetchCapped(`${t.config.scheme}://${t.address}${t.config.pprofPath}/goroutine?debug=2`, { timeoutMs, maxBytes })).body;
  } catch {
    return null;
  }
}
