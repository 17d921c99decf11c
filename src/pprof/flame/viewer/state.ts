// One viewer's mutable state. Every function of the viewer takes it explicitly:
// a page may host several flame graphs (the diagnose report), each with its own.

import type { Ui } from "./dom.js";
import type { FlameApi, Meta, Pane, Tree, View } from "./types.js";

export interface TopRow {
  f: number;
  selfA: number;
  selfB: number;
  totA: number;
  totB: number;
}

export class ViewerState {
  /** set once the payload is decoded */
  meta!: Meta;
  main!: Tree;
  inverted: Tree | null = null;
  view: View = "graph";
  colorMode = "package";
  /** false: icicle (root on top); true: flame (root at the bottom) */
  up = false;
  panes: Pane[] = [];
  /** per frame: 1 when the search matches it; null without a search */
  matchFrame: Uint8Array | null = null;
  selectedFrame = -1;
  sandwichFrame = -1;
  firstPaintMs = 0;
  /** monospace advance of the frame labels' font, measured at each draw */
  charW = 7;
  topRows: TopRow[] = [];
  readonly api = { lastDrawMs: 0 } as FlameApi;

  constructor(readonly ui: Ui) {}
}
