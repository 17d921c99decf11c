// A text table with spanning cells, per-cell margins and alignment, laid out
// as benchstat's internal texttab package does (column widths grow to fit
// single cells first, then spanning cells spread their excess over the
// non-shrinkable columns they cover, widest first).

export type Align = "left" | "center" | "right";

interface Cell {
  row: number;
  col: number;
  span: number;
  value: string;
  leftMargin: string;
  align: Align;
  seq: number;
}

export interface CellOpts {
  align?: Align;
  leftMargin?: string;
}

/** Code points in s, as [...s].length counts them (a surrogate pair is one), without building the array. */
function runes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export class TextTable {
  private cells: Cell[] = [];
  private cols = 0;
  private shrink: boolean[] = [];
  private curRow = 0;
  private curCol = 0;

  row(): this {
    if (this.cells.length > 0) this.curRow++;
    this.curCol = 0;
    return this;
  }

  col(c: number): this {
    if (c < this.curCol) throw new Error(`cannot move from column ${this.curCol} to earlier column ${c}`);
    this.curCol = c;
    return this;
  }

  get currentCol(): number {
    return this.curCol;
  }

  cell(value: string, opts: CellOpts = {}): this {
    return this.span(1, value, opts);
  }

  span(cols: number, value: string, opts: CellOpts = {}): this {
    const lm = this.curCol === 0 || value.length === 0 ? "" : " ";
    this.cells.push({
      row: this.curRow,
      col: this.curCol,
      span: cols,
      value,
      leftMargin: opts.leftMargin ?? lm,
      align: opts.align ?? "left",
      seq: this.cells.length,
    });
    this.curCol += cols;
    if (this.curCol > this.cols) this.cols = this.curCol;
    return this;
  }

  setShrink(col: number, v: boolean): void {
    while (this.shrink.length < col + 1) this.shrink.push(false);
    this.shrink[col] = v;
  }

  format(): string {
    const lmargin = new Array<number>(this.cols).fill(0);
    for (const c of this.cells) lmargin[c.col] = Math.max(runes(c.leftMargin), lmargin[c.col]);
    const ws = new Array<number>(this.cols).fill(0);
    const bySpan = [...this.cells].sort((a, b) => a.span - b.span || a.seq - b.seq);
    for (const c of bySpan) {
      let w = runes(c.value) + lmargin[c.col];
      if (c.span === 1) {
        ws[c.col] = Math.max(ws[c.col], w);
        continue;
      }
      let tw = 0;
      for (let k = c.col; k < c.col + c.span; k++) tw += ws[k];
      if (tw >= w) continue;
      const spanCols: number[] = [];
      for (let k = c.col; k < c.col + c.span; k++) {
        if (this.shrink[k]) w -= ws[k];
        else spanCols.push(k);
      }
      spanCols.sort((a, b) => ws[b] - ws[a]);
      let n = spanCols.length;
      for (const k of spanCols) {
        const avg = Math.floor((w + n - 1) / n);
        ws[k] = Math.max(ws[k], avg);
        w -= ws[k];
        n--;
      }
    }
    const offs: number[] = [];
    let off = 0;
    for (const w of ws) {
      offs.push(off);
      off += w;
    }
    offs.push(off);

    const sorted = [...this.cells].sort((a, b) => a.row - b.row || a.col - b.col || a.seq - b.seq);
    let out = "";
    let row = 0;
    off = 0;
    for (const c of sorted) {
      if (c.value.trim() === "" && c.leftMargin.trim() === "") continue;
      while (c.row > row) {
        out += "\n";
        row++;
        off = 0;
      }
      const spaces = offs[c.col] - off;
      // Go's %*s pads to |width| even when the width is negative.
      out += " ".repeat(Math.abs(spaces)) + padLeftRunes(c.leftMargin, lmargin[c.col]);
      off += spaces + lmargin[c.col];
      const tw = offs[c.col + c.span] - offs[c.col] - lmargin[c.col];
      const s = lpad(c.align, c.value, tw);
      out += s;
      off += runes(s);
    }
    if (this.cells.length > 0) out += "\n";
    return out;
  }
}

function padLeftRunes(s: string, w: number): string {
  const n = runes(s);
  return n >= w ? s : " ".repeat(w - n) + s;
}

function lpad(a: Align, s: string, w: number): string {
  if (a === "center") {
    const l = Math.trunc((w - runes(s)) / 2);
    return " ".repeat(Math.abs(l)) + s;
  }
  if (a === "right") return padLeftRunes(s, w);
  return s;
}
