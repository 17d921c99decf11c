// bpftrace's log2 histograms ([{min, max, count}]) summarised: counts and
// quantiles read as the upper bound of the bucket that holds them (the honest
// answer a log2 histogram can give: "p99 is at most X").

import { get, type JsonValue } from "./jsonpairs.js";

export interface Bucket {
  min: number;
  max: number;
  count: number;
}

export interface HistSummary {
  count: number;
  /** upper bounds of the buckets holding the quantiles, in the histogram's unit */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  buckets: Bucket[];
}

export function buckets(v: JsonValue | undefined): Bucket[] {
  if (!Array.isArray(v)) return [];
  return v.map((b) => {
    const min = Number(get(b, "min") ?? 0);
    return { min, max: Number(get(b, "max") ?? min), count: Number(get(b, "count") ?? 0) };
  });
}

export function summarise(bs: Bucket[]): HistSummary {
  const count = bs.reduce((s, b) => s + b.count, 0);
  const q = (p: number): number => {
    if (count === 0) return 0;
    const want = Math.ceil(count * p);
    let seen = 0;
    for (const b of bs) {
      seen += b.count;
      if (seen >= want) return b.max;
    }
    return bs[bs.length - 1]!.max;
  };
  const nonEmpty = bs.filter((b) => b.count > 0);
  return { count, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: nonEmpty.length ? nonEmpty[nonEmpty.length - 1]!.max : 0, buckets: nonEmpty };
}

export function mergeBuckets(a: Bucket[], b: Bucket[]): Bucket[] {
  const m = new Map<string, Bucket>();
  for (const x of [...a, ...b]) {
    const k = `${x.min},${x.max}`;
    const e = m.get(k);
    if (e) e.count += x.count;
    else m.set(k, { ...x });
  }
  return [...m.values()].sort((x, y) => x.min - y.min);
}
