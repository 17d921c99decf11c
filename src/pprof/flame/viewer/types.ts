// The viewer's data shapes: the payload's metadata, the flat preorder tree every
// view draws, a drawing pane, and the API the viewer exposes on its root element.

/** Height of one frame row, CSS pixels. */
export const ROW = 18;

/** The JSON head of the payload (written by html.ts's encodeFlamePayload). */
export interface Meta {
  title: string;
  sampleType: string;
  unit: string;
  diff: boolean;
  count: number;
  maxDepth: number;
  names: string[];
  files: string[];
  lines: number[];
  colors: string[];
  labels: number[];
  waitClasses: string[];
  waitColors: string[];
  notWaiting: string;
  colorMode: string;
  hasWait: boolean;
  subtitle: string;
}

/**
 * A call tree as flat typed arrays in preorder: node i's subtree is [i, end[i]).
 * A values are the positive (or only) side, B the negative (diff base) side.
 */
export interface Tree {
  n: number;
  depth: Uint16Array;
  frame: Uint32Array;
  cls: Uint8Array;
  selfA: Float64Array;
  selfB: Float64Array;
  totA: Float64Array;
  totB: Float64Array;
  x: Float64Array;
  end: Uint32Array;
  parent: Int32Array;
  maxDepth: number;
}

/** One drawn tree: a canvas, a hover overlay over it, its zoom and orientation. */
export interface Pane {
  tree: Tree;
  canvas: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  octx: CanvasRenderingContext2D;
  zoom: number;
  /** false: icicle (root on top); true: flame (root at the bottom) */
  up: boolean;
  width: number;
  title: HTMLElement;
}

export type View = "graph" | "inverted" | "sandwich";

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What the viewer exposes on its root element (`el.godiagFlame`), for tests and host pages. */
export interface FlameApi {
  search(q: string): { matched: number; percent: string };
  zoomTo(node: number): void;
  reset(): void;
  setColorMode(m: string): void;
  setView(v: View, frame?: number): void;
  findFrames(name: string): number[];
  /** canvas-relative CSS pixel rectangle of main-pane node i, or null when not drawn */
  rectOf(node: number): Rect | null;
  state(): { zoom: number; rootName: string; view: string; colorMode: string; crumbs: string[]; nodes: number; firstPaintMs: number };
  nodeInfo(node: number): { name: string; totalPos: number; totalNeg: number; selfPos: number; selfNeg: number; depth: number };
  lastDrawMs: number;
}
