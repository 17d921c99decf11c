// Where a goroutine's time went, with the same non-overlapping categories as go tool
// trace's goroutine pages (internal/trace/summary.go, GoroutineExecStats).

/** Nanosecond totals; every field but totalNs and rangeNs is non-overlapping. */
export interface ExecStats {
  execNs: number;
  schedWaitNs: number;
  /** block time by the runtime's reason ("chan receive", "sync", "network", "sleep", ...) */
  blockNs: Map<string, number>;
  /** in a syscall holding its P */
  syscallNs: number;
  /** in a syscall after the P was taken away (blocked in the kernel) */
  syscallBlockNs: number;
  /** the goroutine's presence in the trace (overlaps all the others) */
  totalNs: number;
  /** time inside special ranges ("GC mark assist", "GC incremental sweep"); overlaps the others */
  rangeNs: Map<string, number>;
}

export function emptyStats(): ExecStats {
  return { execNs: 0, schedWaitNs: 0, blockNs: new Map(), syscallNs: 0, syscallBlockNs: 0, totalNs: 0, rangeNs: new Map() };
}

export function cloneStats(s: ExecStats): ExecStats {
  return { ...s, blockNs: new Map(s.blockNs), rangeNs: new Map(s.rangeNs) };
}

export function addTo(m: Map<string, number>, k: string, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

/** a - b, field by field (a region's share of its goroutine's stats). */
export function subStats(a: ExecStats, b: ExecStats): ExecStats {
  const r = cloneStats(a);
  r.execNs -= b.execNs;
  r.schedWaitNs -= b.schedWaitNs;
  r.syscallNs -= b.syscallNs;
  r.syscallBlockNs -= b.syscallBlockNs;
  r.totalNs -= b.totalNs;
  for (const [k, v] of b.blockNs) if (r.blockNs.has(k)) r.blockNs.set(k, r.blockNs.get(k)! - v);
  for (const [k, v] of b.rangeNs) if (r.rangeNs.has(k)) r.rangeNs.set(k, r.rangeNs.get(k)! - v);
  return r;
}

/** a + b into a (a group's totals). */
export function addStats(a: ExecStats, b: ExecStats): void {
  a.execNs += b.execNs;
  a.schedWaitNs += b.schedWaitNs;
  a.syscallNs += b.syscallNs;
  a.syscallBlockNs += b.syscallBlockNs;
  a.totalNs += b.totalNs;
  for (const [k, v] of b.blockNs) addTo(a.blockNs, k, v);
  for (const [k, v] of b.rangeNs) addTo(a.rangeNs, k, v);
}

/** Time not in any category (go tool trace's "Unknown time"), never negative. */
export function unknownNs(s: ExecStats): number {
  let sum = s.execNs + s.schedWaitNs + s.syscallNs + s.syscallBlockNs;
  for (const v of s.blockNs.values()) sum += v;
  return sum < s.totalNs ? s.totalNs - sum : 0;
}

/**
 * The non-overlapping categories under go tool trace's column names ("Execution time",
 * "Block time (chan receive)", ...), so tests compare them with its pages directly.
 */
export function nonOverlapping(s: ExecStats): Map<string, number> {
  const m = new Map<string, number>([
    ["Execution time", s.execNs],
    ["Sched wait time", s.schedWaitNs],
    ["Syscall execution time", s.syscallNs],
    ["Block time (syscall)", s.syscallBlockNs],
    ["Unknown time", unknownNs(s)],
  ]);
  for (const [reason, v] of s.blockNs) addTo(m, `Block time (${reason})`, v);
  return m;
}
