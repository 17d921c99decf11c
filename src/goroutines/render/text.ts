// Terminal text for `godiag goroutines`: classes, wait times, buckets (user
// frames marked "*"), leak suspects and possible deadlocks. Fits 100 columns.

import type { DiffReport, SingleReport } from "../analyze/analyze.js";
import { type Bucket, bucketTitle } from "../analyze/buckets.js";
import type { DeadlockReport } from "../analyze/deadlock.js";
import type { ClassCount, WaitBin } from "../analyze/histogram.js";
import { fmtRate, shortFile, type Suspect } from "../analyze/suspects.js";
import type { GoFrame } from "../model.js";

export const WIDTH = 100;

export interface TextOptions {
  /** frames shown per bucket */
  frames: number;
  /** buckets shown */
  buckets: number;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, Math.max(0, n - 1)) + "…";
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function lpad(s: string, n: number): string {
  return s.length >= n ? s : " ".repeat(n - s.length) + s;
}

function frameLine(f: GoFrame, user: boolean, indent: string): string {
  const loc = `${shortFile(f.file)}:${f.line}`;
  const mark = user ? "* " : "  ";
  const room = WIDTH - indent.length - mark.length - loc.length - 2;
  return `${indent}${mark}${pad(clip(f.func, room), room)}  ${loc}`.slice(0, WIDTH);
}

function bar(n: number, max: number, width: number): string {
  return max <= 0 ? "" : "#".repeat(Math.max(n > 0 ? 1 : 0, Math.round((n / max) * width)));
}

function classLines(classes: ClassCount[], total: number): string[] {
  const out = ["Wait classes"];
  const max = Math.max(0, ...classes.map((c) => c.count));
  for (const c of classes) {
    const pct = total > 0 ? ((100 * c.count) / total).toFixed(1) : "0.0";
    out.push(`  ${pad(c.cls, 15)} ${lpad(String(c.count), 7)} ${lpad(pct, 5)}%  ${bar(c.count, max, 50)}`);
  }
  return out;
}

function waitLines(waits: WaitBin[]): string[] {
  const out = ["Wait time (as printed by the runtime, whole minutes)"];
  const max = Math.max(0, ...waits.map((w) => w.count));
  for (const w of waits) out.push(`  ${pad(w.label, 15)} ${lpad(String(w.count), 7)}         ${bar(w.count, max, 50)}`);
  return out;
}

function idRange(ids: number[]): string {
  if (ids.length === 0) return "";
  if (ids.length === 1) return `goroutine ${ids[0]}`;
  const shown = ids.slice(0, 6).join(" ");
  return `goroutines ${shown}${ids.length > 6 ? ` … (${ids.length})` : ""}`;
}

export function bucketLines(b: Bucket, index: number, o: TextOptions): string[] {
  const states = Object.entries(b.states)
    .map(([s, n]) => (Object.keys(b.states).length > 1 ? `${s} ${n}` : s))
    .join(", ");
  const wait = b.maxWaitMinutes > 0 ? `, ${b.minWaitMinutes === b.maxWaitMinutes ? b.maxWaitMinutes : `${b.minWaitMinutes}-${b.maxWaitMinutes}`} min` : "";
  const locked = b.lockedToThread > 0 ? `, ${b.lockedToThread} locked to thread` : "";
  const head = `#${index + 1}  ${b.count} × ${b.cls}${states ? ` [${states}${wait}${locked}]` : wait || locked ? ` [${(wait + locked).slice(2)}]` : ""}`;
  const out = [clip(head, WIDTH)];
  const ids = idRange(b.ids);
  if (ids) out.push(clip(`    ${ids}`, WIDTH));
  const n = Math.min(b.frames.length, o.frames);
  for (let i = 0; i < n; i++) out.push(frameLine(b.frames[i]!, b.origins[i] === "user", "    "));
  if (b.frames.length > n) out.push(`      … ${b.frames.length - n} more frames (--frames ${b.frames.length})`);
  if (b.elided !== 0) out.push(`      …${b.elided > 0 ? b.elided : "additional"} frames elided by the runtime…`);
  if (b.createdBy) {
    const cb = b.createdBy;
    const by = `created by ${cb.func}${cb.goroutine ? ` in goroutine ${cb.goroutine}` : ""}`;
    out.push(frameLine({ func: by, args: "", file: cb.file, line: cb.line, offset: -1 }, false, "    "));
  }
  return out;
}

function suspectLines(suspects: Suspect[], bucketIndex: (b: Bucket) => number): string[] {
  if (suspects.length === 0) return ["Leak suspects: none"];
  const out = ["Leak suspects (most likely first)"];
  suspects.forEach((s, i) => {
    const where = s.where ? ` at ${shortFile(s.where.file)}:${s.where.line}` : "";
    out.push(clip(`${i + 1}. [${s.kind}] ${s.count} × ${s.title}${where} (bucket #${bucketIndex(s.bucket) + 1})`, WIDTH));
    for (const l of wrap(s.reason, WIDTH - 5)) out.push(`     ${l}`);
    for (const [k, l] of wrap(`fix: ${s.advice}`, WIDTH - 5).entries()) out.push(`     ${k === 0 ? "" : "     "}${l}`);
  });
  return out;
}

function deadlockLines(d: DeadlockReport, title: (i: number) => string): string[] {
  if (d.blocked.length === 0) return [];
  const out = ["Long-blocked mutex waiters (possible deadlock)", clip(`  criterion: ${d.criterion}`, WIDTH)];
  for (const lw of d.locks) {
    out.push(clip(`  lock ${lw.lock || "(address unknown)"}: ${lw.count} waiting`, WIDTH));
    for (const e of lw.buckets) {
      const at = e.caller ? `${e.caller.func} ${shortFile(e.caller.file)}:${e.caller.line}` : title(e.bucket);
      const holds = e.heldLocks.length > 0 ? `, holds ${e.heldLocks.join(" ")}` : "";
      out.push(clip(`    #${e.bucket + 1} ${e.count} in ${at}${holds}`, WIDTH));
    }
  }
  for (const c of d.cycles) {
    out.push("  DEADLOCK: lock-order inversion");
    for (const e of c.edges) {
      const at = e.caller ? `${e.caller.func} (${shortFile(e.caller.file)}:${e.caller.line})` : title(e.bucket);
      out.push(clip(`    #${e.bucket + 1} ${at} holds ${e.holds}, waits for ${e.waits}`, WIDTH));
    }
    out.push("    fix: take the locks in one global order in every code path");
  }
  return out;
}

export function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const w of s.split(" ")) {
    if (line.length > 0 && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(clip(line, width));
  return out;
}

export function renderSingleText(r: SingleReport, o: TextOptions): string {
  const out: string[] = [];
  const claimed = r.claimedTotal !== null && r.claimedTotal !== r.total ? ` (the dump claims ${r.claimedTotal})` : "";
  out.push(clip(`${r.source}: ${r.total} goroutines${claimed} in ${r.buckets.length} buckets (${r.format})`, WIDTH));
  for (const h of r.header) out.push(clip(h, WIDTH));
  for (const w of r.warnings) out.push(clip(`warning: ${w}`, WIDTH));
  out.push("", ...classLines(r.classes, r.total), "", ...waitLines(r.waits), "");
  const idx = new Map(r.buckets.map((b, i) => [b, i]));
  out.push(...suspectLines(r.suspects, (b) => idx.get(b) ?? -1));
  const dl = deadlockLines(r.deadlock, (i) => bucketTitle(r.buckets[i]!));
  if (dl.length) out.push("", ...dl);
  out.push("", `Buckets (largest first; * = user code)`);
  const nb = Math.min(r.buckets.length, o.buckets);
  for (let i = 0; i < nb; i++) out.push(...bucketLines(r.buckets[i]!, i, o), "");
  if (r.buckets.length > nb) out.push(`… ${r.buckets.length - nb} more buckets (--buckets ${r.buckets.length})`);
  return out.join("\n").trimEnd() + "\n";
}

export function renderDiffText(r: DiffReport, o: TextOptions): string {
  const d = r.diff;
  const out: string[] = [];
  const t = r.timing;
  const from = t?.intervalSource ? ` (${INTERVAL_FROM[t.intervalSource] ?? t.intervalSource})` : "";
  const secs = d.intervalSeconds !== null ? ` over ${t?.intervalLowerBound ? "at least " : ""}${fmtInterval(d.intervalSeconds)}${from}` : " (interval unknown: --interval)";
  const delta = d.totalAfter - d.totalBefore;
  out.push(clip(`goroutines: ${d.totalBefore} → ${d.totalAfter} (${delta >= 0 ? "+" : ""}${delta})${secs}`, WIDTH));
  out.push(clip(`  before: ${r.before.source} (${r.before.format})`, WIDTH), clip(`  after:  ${r.after.source} (${r.after.format})`, WIDTH));
  if (t && t.order !== "clock") {
    for (const l of wrap(`order (${t.order}): ${t.reordered ? "given newest first, reordered: " : ""}${t.orderDetail}`, WIDTH - 2)) {
      out.push(`  ${l}`);
    }
  }
  if (t?.intervalLowerBound) for (const l of wrap(`interval ${t.intervalDetail}; rates per minute are upper bounds`, WIDTH - 2)) out.push(`  ${l}`);
  for (const w of r.warnings) out.push(clip(`warning: ${w}`, WIDTH));
  out.push("", ...classLines(r.classes, d.totalAfter), "");
  const idx = new Map(d.after.map((b, i) => [b, i]));
  out.push(...suspectLines(r.suspects, (b) => idx.get(b) ?? -1));
  const dl = deadlockLines(r.deadlock, (i) => bucketTitle(d.after[i]!));
  if (dl.length) out.push("", ...dl);
  out.push("", "Buckets by growth (bucket # as in the after snapshot)");
  out.push(`  ${lpad("before", 7)} ${lpad("after", 7)} ${lpad("delta", 7)} ${lpad("/min", 7)} ${lpad("kept", 5)}  bucket`);
  const rows = d.rows.slice(0, o.buckets);
  for (const row of rows) {
    const i = idx.get(row.bucket);
    const name = `${i !== undefined ? `#${i + 1} ` : "(gone) "}${bucketTitle(row.bucket)}`;
    const dl2 = `${row.delta > 0 ? "+" : ""}${row.delta}`;
    const pm = row.perMinute === null ? "-" : fmtRate(row.perMinute);
    out.push(clip(`  ${lpad(String(row.before), 7)} ${lpad(String(row.after), 7)} ${lpad(dl2, 7)} ${lpad(pm, 7)} ${lpad(String(row.persisted), 5)}  ${name}`, WIDTH));
  }
  if (d.rows.length > rows.length) out.push(`  … ${d.rows.length - rows.length} more buckets`);
  out.push("  (kept: goroutine ids present in this bucket in both snapshots)");
  // The top growing buckets in full.
  const growing = d.rows.filter((x) => x.delta > 0 && idx.has(x.bucket)).slice(0, 3);
  if (growing.length) out.push("", "Top growing buckets");
  for (const row of growing) out.push(...bucketLines(row.bucket, idx.get(row.bucket)!, o), "");
  return out.join("\n").trimEnd() + "\n";
}

const INTERVAL_FROM: Record<string, string> = {
  manifest: "manifest times",
  proto: "profile TimeNanos",
  content: "the dumps' content",
  name: "file names",
  mtime: "file mtimes",
  flag: "--interval",
  clock: "measured",
};

function fmtInterval(s: number): string {
  return s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`;
}
