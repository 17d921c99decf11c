// Task latency from an execution trace: user tasks (runtime/trace NewTask: one per
// request, typically) whose time goes to system calls or network waits. Names the task
// type, the region that holds most of that wait and the user function that opened it.

import type { DiagnoseContext } from "../context.js";
import type { Finding, Severity } from "../finding.js";
import type { Rule } from "../rule.js";
import type { TraceInput } from "../trace-input.js";
import { ms, pctOf, stackExcerpt, userFrame } from "../trace-frames.js";
import type { TypeReport } from "../../trace/index.js";

/** I/O takes most of the task's time: it dominates the latency. */
const WARNING_SHARE = 0.5;
/** a fifth of the latency: worth naming, not a problem by itself */
const INFO_SHARE = 0.2;

const NET = "Block time (network)";
const SYSCALL = ["Syscall execution time", "Block time (syscall)"];

const netNs = (split: Map<string, number>) => split.get(NET) ?? 0;
const sysNs = (split: Map<string, number>) => SYSCALL.reduce((a, k) => a + (split.get(k) ?? 0), 0);

export const traceTasksRule: Rule = {
  name: "trace-tasks",
  run(ctx: DiagnoseContext): Finding[] {
    return ctx.traces().flatMap((t) => t.report.tasks.flatMap((task) => taskFinding(t, task) ?? []));
  },
};

function taskFinding(t: TraceInput, task: TypeReport): Finding | undefined {
  if (task.count === 0 || task.totalNs <= 0) return undefined;
  const net = netNs(task.split);
  const sys = sysNs(task.split);
  const share = (net + sys) / task.totalNs;
  if (share < INFO_SHARE) return undefined;
  // The region with the most I/O time among those opened in this task type's tasks (a
  // region type's split is over all its instances), and the user function that opened it.
  const regions = t.report.regions
    .filter((r) => t.sites.regionTasks.get(r.type)?.has(task.type))
    .map((r) => ({ r, io: netNs(r.split) + sysNs(r.split) }))
    .filter((x) => x.io > 0)
    .sort((a, b) => b.io - a.io);
  const region = regions[0]?.r;
  const regionStack = region ? t.sites.regionStacks.get(region.type) : undefined;
  const taskStack = t.sites.taskStacks.get(task.type);
  const fn = (regionStack && userFrame(regionStack)?.func) ?? (taskStack && userFrame(taskStack)?.func);
  const kind = net >= sys ? "network waits" : "system calls";
  const severity: Severity = share >= WARNING_SHARE ? "warning" : "info";
  const numbers: Record<string, number> = {
    tasks: task.count,
    task_latency_p50_ms: ms(task.latency.p50Ns),
    task_latency_p99_ms: ms(task.latency.p99Ns),
    io_pct_of_task_time: pctOf(net + sys, task.totalNs),
    network_wait_pct: pctOf(net, task.totalNs),
    syscall_pct: pctOf(sys, task.totalNs),
  };
  if (region) {
    numbers.region_io_ms = ms(regions[0]!.io);
    numbers.region_io_pct_of_region_time = pctOf(regions[0]!.io, region.totalNs);
  }
  const where = region ? ` in region "${region.type}"${fn ? ` (opened in ${fn})` : ""}` : fn ? ` in ${fn}` : "";
  return {
    id: `task-latency:${task.type}${fn ? `:${fn}` : ""}`,
    category: "task-latency",
    severity,
    confidence: severity === "warning" ? 0.7 : 0.4,
    title: `Task "${task.type}" spends ${numbers.io_pct_of_task_time} % of its time in ${kind}${where}`,
    summary:
      `In ${t.file.path}, ${task.count} "${task.type}" tasks (p99 ${numbers.task_latency_p99_ms} ms) spent ${numbers.network_wait_pct} % of their time ` +
      `waiting on the network and ${numbers.syscall_pct} % in system calls.` +
      (region ? ` Most of it is${where}: ${numbers.region_io_pct_of_region_time} % of that region's time.` : ""),
    evidence: [
      {
        source: t.file.path,
        kind: "execution trace (user tasks and regions)",
        numbers,
        ...(fn ? { functions: [fn] } : {}),
        ...(regionStack ? { excerpt: `region "${region!.type}" opened at:\n${stackExcerpt(regionStack)}` } : {}),
      },
    ],
    functions: fn ? [fn] : [],
    recommendation:
      net >= sys
        ? `The latency is the network's: look at what ${fn ?? "the region"} waits for (a slow peer, one round trip per item, no connection reuse); batch, cache, or call in parallel, with timeouts.`
        : `The latency is system calls in ${fn ?? "the region"}: buffer small reads and writes, avoid fsync per request, move blocking calls off the request path.`,
    docs: ["https://pkg.go.dev/runtime/trace#hdr-User_annotation"],
  };
}
