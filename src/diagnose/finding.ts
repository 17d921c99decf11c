// Findings are data: rules produce them, renderers (text, Markdown, HTML, JSON)
// only present them. The JSON shape is documented in docs/JSON.md (diagnose).

export const CATEGORIES = [
  "goroutine-leak",
  "connection-pileup",
  "mutex-contention",
  "gc-pressure",
  "cpu-hotspot",
  "heap-growth",
  "channel-backpressure",
  "syscall-heavy",
  "memory-limit-thrash",
  "deadlock",
  "lock-held-during-io",
  "response-body-leak",
  "connection-churn",
  "large-allocations",
  "profiling-disabled",
  "block-profile-rate-too-coarse",
  // from execution traces (rules/trace-*.ts)
  "scheduler-latency",
  "stw-delay",
  "task-latency",
  // from packet captures (rules/net-latency.ts)
  "network-latency",
  // from eBPF probes (rules/ebpf-*.ts)
  "fsync-per-request",
  "cpu-starvation",
  "accept-queue-overflow",
  "slow-io",
  "waiting-on-goroutines",
  "fd-leak",
  "packet-loss",
] as const;

export type Category = (typeof CATEGORIES)[number];
export type Severity = "critical" | "warning" | "info";

export const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

export interface Evidence {
  /** bundle file the numbers come from */
  source: string;
  /** e.g. "mutex profile", "goroutine snapshots", "cpu profile", "gctrace" */
  kind: string;
  /** the exact numbers the rule used, by name (units in the name: _ns, _bytes, _pct, _per_min) */
  numbers: Record<string, number>;
  functions?: string[];
  /** a short excerpt (a stack, a gctrace line) */
  excerpt?: string;
}

export interface Finding {
  /** stable id: category plus the main function, e.g. "mutex-contention:main.(*registry).touch" */
  id: string;
  category: Category;
  severity: Severity;
  /** 0..1: how sure the rule is that this is the problem (not just a symptom) */
  confidence: number;
  title: string;
  summary: string;
  evidence: Evidence[];
  /** Go symbols the finding is about, most specific (user code) first */
  functions: string[];
  recommendation: string;
  docs: string[];
  /** a recognised anti-pattern, e.g. "regexp-compile-per-call" (stable names, docs/DIAGNOSE.md) */
  pattern?: string;
  /** ids of findings this one explains (symptoms of this root cause) */
  explains?: string[];
}

/** Order: severity, then confidence, then root causes before the symptoms they explain. */
/** How findings are ordered (also stated in --json as "ranking"). */
export const RANKING =
  "severity; then a cause before the symptoms it explains; then the number of independent sources " +
  "(distinct files: profiles, dumps, logs) whose evidence agrees; then confidence";

/** Distinct input files a finding's evidence comes from. */
export function evidenceSources(f: Finding): string[] {
  return [...new Set(f.evidence.map((e) => e.source))];
}

export function rankFindings(fs: Finding[]): Finding[] {
  const explained = new Set(fs.flatMap((f) => f.explains ?? []));
  return [...fs].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      Number(explained.has(a.id)) - Number(explained.has(b.id)) ||
      evidenceSources(b).length - evidenceSources(a).length ||
      b.confidence - a.confidence ||
      (a.id < b.id ? -1 : 1),
  );
}
