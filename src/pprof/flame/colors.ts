// Frame colours, shared by the HTML viewer (shipped as a palette and, for diffs,
// as the diffColor function's source) and the SVG writer.
//
// By package: user code warm (the classic flame-graph hues, where to look first),
// the standard library cool blue, dependencies (third-party modules) muted green, the
// runtime grey-violet; packages vary in
// lightness within their family so neighbouring packages stay distinguishable.
// By wait reason: one distinct hue per class of WAIT_CLASSES.

import type { WaitClass } from "../../core/go/index.js";
import type { FrameOrigin } from "./tree.js";

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 0xffffffff;
}

export function packageColor(origin: FrameOrigin, pkg: string): string {
  const v = hash(pkg);
  switch (origin) {
    case "user":
      return `hsl(${Math.round(20 + v * 35)},${Math.round(80 + v * 15)}%,${Math.round(58 + v * 10)}%)`;
    case "stdlib":
      return `hsl(${Math.round(195 + v * 25)},${Math.round(55 + v * 20)}%,${Math.round(62 + v * 10)}%)`;
    case "dependency":
      return `hsl(${Math.round(85 + v * 35)},${Math.round(25 + v * 15)}%,${Math.round(62 + v * 10)}%)`;
    case "runtime":
      return `hsl(${Math.round(255 + v * 25)},${Math.round(18 + v * 12)}%,${Math.round(70 + v * 8)}%)`;
    case "label":
      return "hsl(150,45%,62%)";
    case "root":
      return "hsl(0,0%,78%)";
    case "other": // frames folded by --max_frames
      return "hsl(0,0%,86%)";
  }
}

export const WAIT_CLASS_COLORS: Record<WaitClass, string> = {
  "io:wait(net)": "#4e9be6",
  "sync:mutex": "#e8505b",
  "sync:rwmutex": "#f07f86",
  "sync:cond": "#c45ab3",
  "sync:waitgroup": "#a05ce0",
  "sync:sem": "#f2a33a",
  "chan:send": "#2bb39a",
  "chan:recv": "#5fd17a",
  select: "#b7d14b",
  sleep: "#9aa5b1",
  syscall: "#8d6e63",
  gc: "#f06fa8",
  running: "#f5d45b",
  runnable: "#ffe9a3",
  other: "#d9d9d9",
};

/** Frames outside any wait in wait-reason mode: quiet, so the waits stand out. */
export const NOT_WAITING_COLOR = "#e4e4e4";

/**
 * Differential colour from the frame's positive (new) and negative (base) values:
 * red grew, blue shrank, saturation by the change relative to the frame's width.
 * Self-contained: the HTML viewer embeds this function's source.
 */
export function diffColor(pos: number, neg: number): string {
  const w = pos + neg;
  if (w <= 0) return "hsl(0,0%,85%)";
  const r = (pos - neg) / w; // -1 (gone) .. 1 (new)
  const sat = Math.round(Math.min(1, Math.abs(r) * 1.5) * 85);
  const light = Math.round(88 - Math.min(1, Math.abs(r) * 1.5) * 26);
  return r >= 0 ? `hsl(0,${sat}%,${light}%)` : `hsl(215,${sat}%,${light}%)`;
}
