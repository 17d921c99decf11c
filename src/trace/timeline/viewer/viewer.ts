// The timeline viewer: builds its bar, legend and canvas in a root element, decodes the
// payload, draws, and wires zoom (wheel, W/S, +/-), pan (drag, A/D, arrows), reset (0)
// and the hover tooltip. Its API goes on the root element (`root.godiagTimeline`) for
// tests and host pages.

import { escapeHtml, inflateBase64Gzip } from "../../../core/html/index.js";
import { draw, typeColor } from "./draw.js";
import { fmtNs } from "./format.js";
import { describe, hitTest } from "./hit.js";
import { decodePayload } from "./payload.js";
import { ViewState } from "./state.js";
import type { Hit } from "./types.js";

export interface TimelineApi {
  state(): {
    t0: number;
    t1: number;
    durationNs: number;
    resolutionNs: number;
    lanes: { kind: string; label: string; y: number; h: number }[];
    gcBands: number;
    gcBandsBefore: number;
    stwBands: number;
    firstPaintMs: number;
    redraws: number;
  };
  setView(t0: number, t1: number): void;
  /** per P lane: ns its goroutines ran (merged spans count their runs' time) */
  procBusyNs(): number[];
  /** runs per P lane (a merged span counts the runs it holds) */
  procRuns(): number[];
  /** every span of every P lane: [P, goroutine (-1 merged), start, end] */
  spans(): [number, number, number, number][];
  /** per group lane: its group's name and goroutine-ns in each state (mean count x bucket width, summed) */
  groupLaneTotals(): { group: string; ns: Record<string, number> }[];
  /** the longest drawn run of goroutine g on any P: [lane index, span index], or null */
  findRun(g: number): { lane: number; i: number; start: number; end: number } | null;
  /** client-coordinate rectangle of a P span, null when not in view */
  rectOf(lane: number, i: number): { x: number; y: number; w: number; h: number } | null;
  /** what is at a client point (kind and description text) */
  hit(x: number, y: number): { kind: string; text: string } | null;
}

const ZOOM_STEP = 0.8;

/** Keys go to one timeline of the page: the last one the pointer entered (else the first). */
let keyTarget: HTMLElement | null = null;

export async function timelineViewer(root: HTMLElement, payloadB64: string): Promise<TimelineApi> {
  const data = decodePayload(await inflateBase64Gzip(payloadB64));
  const m = data.meta;
  const s = new ViewState(data);
  root.classList.add("gdt");
  root.innerHTML =
    `<div class="gdt-bar"><span class="gdt-title">${escapeHtml(m.title)}</span><span class="gdt-sub">${escapeHtml(m.subtitle)}</span>` +
    `<button class="gdt-btn" data-act="in">zoom in</button><button class="gdt-btn" data-act="out">zoom out</button><button class="gdt-btn" data-act="reset">reset</button>` +
    `<span class="gdt-help">wheel or W/S zoom · drag or A/D pan · 0 reset</span></div>` +
    `<div class="gdt-legend"></div><div class="gdt-holder"><canvas class="gdt-canvas"></canvas><div class="gdt-tip"></div></div>`;
  const legend = root.querySelector(".gdt-legend") as HTMLElement;
  legend.innerHTML = legendHtml(s);
  const canvas = root.querySelector("canvas") as HTMLCanvasElement;
  const tip = root.querySelector(".gdt-tip") as HTMLElement;
  const holder = root.querySelector(".gdt-holder") as HTMLElement;
  const ctx = canvas.getContext("2d")!;

  const size = () => {
    const dpr = window.devicePixelRatio || 1;
    s.width = Math.max(300, holder.clientWidth - 2);
    canvas.style.width = s.width + "px";
    canvas.style.height = s.height + "px";
    canvas.width = Math.round(s.width * dpr);
    canvas.height = Math.round(s.height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  };
  let queued = false;
  const redraw = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      draw(s, ctx);
    });
  };
  size();
  draw(s, ctx);
  // The first frame with the drawing is on screen by the next animation frame.
  requestAnimationFrame(() => {
    s.firstPaintMs = performance.now();
    performance.mark("godiag-timeline-painted");
  });

  const local = (e: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const hideTip = () => (tip.style.display = "none");
  const showTip = (h: Hit, x: number, y: number) => {
    tip.innerHTML = describe(s, h);
    tip.style.display = "block";
    tip.style.left = Math.max(0, Math.min(x + 14, s.width - 380)) + "px";
    tip.style.top = y + 16 + "px";
  };
  let drag: { x: number; moved: boolean } | null = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointerup", (e) => {
    drag = null;
    canvas.releasePointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (drag !== null) {
      const dx = e.clientX - drag.x;
      if (dx !== 0) {
        s.pan(-dx);
        drag.x = e.clientX;
        drag.moved = true;
        hideTip();
        redraw();
      }
      return;
    }
    const p = local(e);
    const h = hitTest(s, p.x, p.y);
    if (h === null) hideTip();
    else showTip(h, p.x, p.y);
  });
  canvas.addEventListener("pointerleave", hideTip);
  canvas.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      const p = local(e);
      if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) s.pan(e.deltaX);
      else s.zoomAt(Math.max(p.x, s.x(s.t0)), Math.exp(e.deltaY * 0.002));
      hideTip();
      redraw();
    },
    { passive: false },
  );
  const centre = () => s.x(s.t0) + s.plotW / 2;
  const act = (a: string) => {
    if (a === "in") s.zoomAt(centre(), ZOOM_STEP);
    else if (a === "out") s.zoomAt(centre(), 1 / ZOOM_STEP);
    else if (a === "left") s.pan(-s.plotW / 5);
    else if (a === "right") s.pan(s.plotW / 5);
    else if (a === "reset") s.setView(0, m.durationNs);
    else return;
    hideTip();
    redraw();
  };
  root.querySelector(".gdt-bar")!.addEventListener("click", (e) => {
    const b = (e.target as Element).closest("button");
    if (b?.dataset.act) act(b.dataset.act);
  });
  keyTarget ??= root;
  canvas.addEventListener("pointerenter", () => (keyTarget = root));
  const keys: Record<string, string> = { w: "in", "+": "in", "=": "in", s: "out", "-": "out", a: "left", ArrowLeft: "left", d: "right", ArrowRight: "right", "0": "reset" };
  document.addEventListener("keydown", (e) => {
    if (keyTarget !== root || e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.ctrlKey || e.metaKey || e.altKey) return;
    const a = keys[e.key];
    if (a !== undefined) {
      e.preventDefault();
      act(a);
    }
  });
  window.addEventListener("resize", () => {
    size();
    redraw();
  });

  const api: TimelineApi = {
    state: () => ({
      t0: s.t0,
      t1: s.t1,
      durationNs: m.durationNs,
      resolutionNs: m.resolutionNs,
      lanes: s.lanes.map((l) => ({ kind: l.kind, label: l.label, y: l.y, h: l.h })),
      gcBands: data.gc.before.filter((b) => b === 0).length,
      gcBandsBefore: data.gc.before.filter((b) => b === 1).length,
      stwBands: data.stw.start.length,
      firstPaintMs: s.firstPaintMs,
      redraws: s.redraws,
    }),
    setView: (t0, t1) => {
      s.setView(t0, t1);
      draw(s, ctx);
    },
    procBusyNs: () => data.procs.map((p) => p.busy.reduce((a, b) => a + b, 0)),
    procRuns: () => data.procs.map((p) => p.runs.reduce((a, b) => a + b, 0)),
    spans: () => data.procs.flatMap((p) => Array.from(p.start, (st, i): [number, number, number, number] => [p.proc, p.goroutine[i], st, p.end[i]])),
    groupLaneTotals: () =>
      m.groupLanes.map((l, i) => {
        const ns: Record<string, number> = {};
        const k = l.cats.length;
        l.cats.forEach((c, j) => {
          let sum = 0;
          for (let b = 0; b < m.buckets; b++) sum += data.lanes[i][b * k + j];
          ns[m.categories[c]] = sum * m.bucketNs;
        });
        return { group: m.groups[l.group].name, ns };
      }),
    findRun: (g) => {
      let best: { lane: number; i: number; start: number; end: number } | null = null;
      data.procs.forEach((p, lane) => {
        for (let i = 0; i < p.start.length; i++) {
          if (p.goroutine[i] === g && (best === null || p.end[i] - p.start[i] > best.end - best.start)) {
            best = { lane, i, start: p.start[i], end: p.end[i] };
          }
        }
      });
      return best;
    },
    rectOf: (lane, i) => {
      const p = data.procs[lane];
      const l = s.lanes.find((x) => x.kind === "proc" && x.index === lane);
      if (l === undefined || p.end[i] < s.t0 || p.start[i] > s.t1) return null;
      const r = canvas.getBoundingClientRect();
      const x0 = Math.max(s.x(p.start[i]), s.x(s.t0));
      const x1 = Math.min(s.x(p.end[i]), s.x(s.t1));
      return { x: r.left + x0, y: r.top + l.y, w: x1 - x0, h: l.h };
    },
    hit: (x, y) => {
      const r = canvas.getBoundingClientRect();
      const h = hitTest(s, x - r.left, y - r.top);
      return h === null ? null : { kind: h.kind, text: describe(s, h).replace(/<[^>]*>/g, "") };
    },
  };
  (root as HTMLElement & { godiagTimeline?: TimelineApi }).godiagTimeline = api;
  return api;
}

function legendHtml(s: ViewState): string {
  const m = s.data.meta;
  const key = (color: string, text: string) => `<span class="gdt-key"><i style="background:${color}"></i>${escapeHtml(text)}</span>`;
  const parts: string[] = [];
  const sum = m.summary;
  if (sum) parts.push(`<span>${fmtNs(m.durationNs)}, GOMAXPROCS ${sum.maxGomaxprocs}, ${sum.gcCycles} GC cycles, ${sum.stwCount} stop-the-world pauses</span>`);
  parts.push(key("#e8891c", "GC mark phase"), key("#d62728", "stop-the-world"));
  const top = [...m.groups].sort((a, b) => b.execNs - a.execNs).slice(0, 8);
  for (const g of top) if (g.execNs > 0) parts.push(key(g.color, g.name || "(no stack)"));
  const cats = new Set<number>();
  for (const l of m.groupLanes) for (const c of l.cats) cats.add(c);
  for (const c of [...cats].sort((a, b) => a - b)) parts.push(key(m.categoryColors[c], m.categories[c]));
  if (m.tasks.types.length > 0) parts.push(`<span>tasks: ${m.tasks.types.map((t, i) => key(typeColor(i), t)).join(" ")}</span>`);
  if (m.regions.types.length > 0) parts.push(`<span>regions: ${m.regions.types.map((t, i) => key(typeColor(i), t)).join(" ")}</span>`);
  parts.push(`<span class="gdt-help">${m.resolutionNs > 0 ? `runs shorter than ${fmtNs(m.resolutionNs)} merged` : "every run shown"}</span>`);
  return parts.join("");
}
