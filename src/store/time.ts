// Times on the query command line: RFC 3339 (2026-12-06T08:00:00Z) or relative to
// now (-15m, -2h, -1d, now), in Prometheus' duration units.

import { UsageError } from "../core/input/index.js";

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000, w: 604_800_000 };

export function parseQueryTime(text: string, flag: string, nowMs: number): number {
  if (text === "now") return nowMs;
  const rel = /^-(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text);
  if (rel) return nowMs - Number(rel[1]) * UNIT[rel[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UsageError(`${flag}: "${text}" is not a time: use RFC 3339 (2026-01-02T15:04:05Z), now, or a relative time like -15m, -2h, -7d`);
}
