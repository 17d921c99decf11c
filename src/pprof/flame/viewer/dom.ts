// The few browser APIs the flame viewer uses, typed locally. The project compiles
// against lib ES2022 + Node types (no DOM lib, which would leak browser globals into
// every Node file's type-check); the viewer module declares these as module-local
// ambients so its code is still type-checked.

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Ev {
  clientX: number;
  clientY: number;
  key: string;
  target: unknown;
  shiftKey: boolean;
  preventDefault(): void;
  stopPropagation(): void;
}

export interface Ctx2D {
  fillStyle: string;
  strokeStyle: string;
  font: string;
  lineWidth: number;
  textBaseline: string;
  globalAlpha: number;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillText(t: string, x: number, y: number): void;
  measureText(t: string): { width: number };
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
}

export interface El {
  className: string;
  textContent: string | null;
  innerHTML: string;
  value: string;
  title: string;
  disabled: boolean;
  width: number;
  height: number;
  clientWidth: number;
  style: { cssText: string; display: string; left: string; top: string; width: string; height: string };
  dataset: Record<string, string | undefined>;
  classList: { toggle(c: string, on?: boolean): void };
  appendChild<T extends El>(c: T): T;
  querySelector(sel: string): El | null;
  addEventListener(t: string, fn: (e: Ev) => void): void;
  getBoundingClientRect(): Rect;
  getContext(kind: "2d"): Ctx2D | null;
  closest(sel: string): El | null;
  setAttribute(k: string, v: string): void;
}

export interface Doc {
  createElement(tag: string): El;
  addEventListener(t: string, fn: (e: Ev) => void): void;
  activeElement: unknown;
}

export interface Win {
  devicePixelRatio: number;
  addEventListener(t: string, fn: () => void): void;
  requestAnimationFrame(fn: () => void): number;
}
