// What is under the pointer, and the tooltip that describes it.

import { escapeHtml } from "../../../core/html/index.js";
import { fmtNs } from "./format.js";
import { lowerBound, ROW_H, type ViewState } from "./state.js";
import type { BandCols, Hit, IntervalCols } from "./types.js";

/** Spans narrower than this many pixels are still found when the pointer is this close. */
const SLOP_PX = 2;

export function hitTest(s: ViewState, x: number, y: number): Hit | null {
  const l = s.laneAt(y);
  if (l === undefined || x < s.x(s.t0)) return null;
  const t = s.t(x);
  const slop = (SLOP_PX / s.plotW) * (s.t1 - s.t0);
  if (l.kind === "proc") {
    const p = s.data.procs[l.index];
    const i = lowerBound(p.end, t - slop);
    if (i < p.start.length && p.start[i] <= t + slop) return { kind: "proc", lane: l.index, i };
    return null;
  }
  if (l.kind === "gc" || l.kind === "stw") {
    const i = bandAt(l.kind === "gc" ? s.data.gc : s.data.stw, t, slop);
    return i < 0 ? null : { kind: l.kind, i };
  }
  if (l.kind === "tasks" || l.kind === "regions") {
    const v = l.kind === "tasks" ? s.data.tasks : s.data.regions;
    const i = intervalAt(v, Math.floor((y - l.y) / ROW_H), t, slop);
    return i < 0 ? null : { kind: l.kind, i };
  }
  const b = Math.floor(t / s.data.meta.bucketNs);
  if (b < 0 || b >= s.data.meta.buckets) return null;
  return { kind: "group", lane: l.index, bucket: b };
}

function bandAt(b: BandCols, t: number, slop: number): number {
  for (let i = 0; i < b.start.length; i++) if (b.start[i] <= t + slop && b.end[i] >= t - slop) return i;
  return -1;
}

function intervalAt(v: IntervalCols, row: number, t: number, slop: number): number {
  let best = -1;
  for (let i = 0; i < v.start.length && v.start[i] <= t + slop; i++) {
    if (v.row[i] === row && v.end[i] >= t - slop && (best < 0 || v.end[i] - v.start[i] < v.end[best] - v.start[best])) best = i;
  }
  return best;
}

const when = (a: number, b: number) => `${fmtNs(a)} – ${fmtNs(b)} (duration <b>${fmtNs(b - a)}</b>)`;

export function describe(s: ViewState, h: Hit): string {
  const m = s.data.meta;
  const rows: string[] = [];
  if (h.kind === "proc") {
    const p = s.data.procs[h.lane];
    const i = h.i;
    const g = m.groups[p.group[i]];
    if (p.goroutine[i] >= 0) {
      rows.push(`<b>G${p.goroutine[i]}</b> running on P${p.proc}`);
      rows.push(`group ${escapeHtml(g.name || "(no stack)")}`);
      rows.push(when(p.start[i], p.end[i]));
      if (p.frame[i] >= 0) rows.push(`run ended at <span class="gdt-mono">${escapeHtml(m.frames[p.frame[i]])}</span>`);
    } else {
      rows.push(`<b>${p.runs[i]} runs</b> on P${p.proc}, merged (each shorter than ${fmtNs(m.resolutionNs)})`);
      rows.push(when(p.start[i], p.end[i]));
      rows.push(`P busy ${fmtNs(p.busy[i])} (${((100 * p.busy[i]) / Math.max(1, p.end[i] - p.start[i])).toFixed(0)}%), mostly group ${escapeHtml(g.name || "(no stack)")}`);
    }
  } else if (h.kind === "gc" || h.kind === "stw") {
    const b = h.kind === "gc" ? s.data.gc : s.data.stw;
    const names = h.kind === "gc" ? m.gcNames : m.stwNames;
    rows.push(h.kind === "gc" ? "<b>GC mark phase</b>" : `<b>stop-the-world</b> (${escapeHtml(names[b.name[h.i]])})`);
    rows.push(when(b.start[h.i], b.end[h.i]));
    if (b.before[h.i]) rows.push("began before the trace");
  } else if (h.kind === "tasks" || h.kind === "regions") {
    const v = h.kind === "tasks" ? s.data.tasks : s.data.regions;
    const types = h.kind === "tasks" ? m.tasks.types : m.regions.types;
    rows.push(h.kind === "tasks" ? `<b>task ${v.id[h.i]}</b> ${escapeHtml(types[v.type[h.i]])}` : `<b>region</b> ${escapeHtml(types[v.type[h.i]])} on G${v.id[h.i]}`);
    rows.push(when(v.start[h.i], v.end[h.i]));
  } else if (h.kind === "group") {
    const lane = m.groupLanes[h.lane];
    const c = s.data.lanes[h.lane];
    const k = lane.cats.length;
    rows.push(`<b>${escapeHtml(m.groups[lane.group].name || "(no stack)")}</b> (${m.groups[lane.group].goroutines} goroutines)`);
    rows.push(`${fmtNs(h.bucket * m.bucketNs)} – ${fmtNs((h.bucket + 1) * m.bucketNs)}: mean goroutines by state`);
    for (let j = 0; j < k; j++) {
      const v = c[h.bucket * k + j];
      if (v > 0) rows.push(`<i style="display:inline-block;width:9px;height:9px;background:${m.categoryColors[lane.cats[j]]}"></i> ${escapeHtml(m.categories[lane.cats[j]])}: ${v.toFixed(v >= 10 ? 0 : 2)}`);
    }
  }
  return rows.join("<br>");
}
