// A small linear-time regular expression matcher for the legacy readers.
//
// pprof's patterns (e.g. `(\d+) *(\d+) @...`, unanchored) make V8's
// backtracking engine quadratic or worse on long lines — seconds for one
// 64 KiB line. Go's engine is linear. This is RE2's "BitState" idea: a
// backtracking VM that never visits the same (instruction, position) twice, so
// it costs O(program × input) yet reports exactly the leftmost-first match and
// submatches a backtracking engine (Go's or JS's) would.
//
// Supported syntax (enough for pprof's patterns, Go semantics): literals,
// escapes \( \) \[ \] \. \/ \+ \* \? \| \\ \-, classes [...] with ranges,
// negation and [:xdigit:]/[:digit:], \d \s \S \w (ASCII, Go's \s has no \v),
// . (any but \n), groups (...) (?:...), | ? * + (greedy), ^ $ (text start/end).
// Input chars above 0xff only match negated classes and `.`.

const enum Op {
  Char,
  Split,
  Jmp,
  Save,
  Bol,
  Eol,
  Match,
}

interface Inst {
  op: Op;
  /** Char: membership table for codes 0..255 */
  set?: Uint8Array;
  /** Char: whether codes above 0xff match */
  high?: boolean;
  x?: number;
  y?: number;
  slot?: number;
}

type Node =
  | { k: "set"; set: Uint8Array; high: boolean }
  | { k: "cat"; items: Node[] }
  | { k: "alt"; items: Node[] }
  | { k: "rep"; min: 0 | 1; max: 1 | -1; item: Node }
  | { k: "group"; index: number; item: Node }
  | { k: "bol" }
  | { k: "eol" };

function range(set: Uint8Array, a: number, b: number): void {
  for (let c = a; c <= b; c++) set[c] = 1;
}

const CONTROL: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };

const SHORTHAND: Record<string, (s: Uint8Array) => void> = {
  d: (s) => range(s, 48, 57),
  s: (s) => [9, 10, 12, 13, 32].forEach((c) => (s[c] = 1)),
  w: (s) => {
    range(s, 48, 57);
    range(s, 65, 90);
    range(s, 97, 122);
    s[95] = 1;
  },
};

class Parser {
  private i = 0;
  groups = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i !== this.src.length) throw new Error(`regexp: unexpected ${this.src[this.i]} in ${this.src}`);
    return n;
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.src[this.i] === "|") {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0] : { k: "alt", items };
  }

  private cat(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      let atom = this.atom();
      const q = this.src[this.i];
      if (q === "*" || q === "+" || q === "?") {
        this.i++;
        atom = { k: "rep", min: q === "+" ? 1 : 0, max: q === "?" ? 1 : -1, item: atom };
      }
      items.push(atom);
    }
    return { k: "cat", items };
  }

  private atom(): Node {
    const c = this.src[this.i++];
    switch (c) {
      case "(": {
        let index = -1;
        if (this.src.startsWith("?:", this.i)) this.i += 2;
        else index = ++this.groups;
        const item = this.alt();
        if (this.src[this.i++] !== ")") throw new Error(`regexp: missing ) in ${this.src}`);
        return index < 0 ? item : { k: "group", index, item };
      }
      case "[":
        return this.cls();
      case "^":
        return { k: "bol" };
      case "$":
        return { k: "eol" };
      case ".": {
        const set = new Uint8Array(256).fill(1);
        set[10] = 0;
        return { k: "set", set, high: true };
      }
      case "\\":
        return this.escape(false);
      default: {
        const set = new Uint8Array(256);
        set[c.charCodeAt(0)] = 1;
        return { k: "set", set, high: false };
      }
    }
  }

  private escape(inClass: boolean): Node & { k: "set" } {
    const e = this.src[this.i++];
    const set = new Uint8Array(256);
    const lower = e.toLowerCase();
    if (SHORTHAND[lower]) {
      SHORTHAND[lower](set);
      if (e !== lower) {
        for (let c = 0; c < 256; c++) set[c] ^= 1;
        return { k: "set", set, high: true };
      }
      return { k: "set", set, high: false };
    }
    if (CONTROL[e] !== undefined) set[CONTROL[e]] = 1;
    else if (/[A-Za-z0-9]/.test(e) && !inClass) throw new Error(`regexp: unsupported escape \\${e}`);
    else set[e.charCodeAt(0)] = 1;
    return { k: "set", set, high: false };
  }

  private cls(): Node {
    const set = new Uint8Array(256);
    let neg = false;
    if (this.src[this.i] === "^") {
      neg = true;
      this.i++;
    }
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== "]" || first)) {
      first = false;
      if (this.src.startsWith("[:", this.i)) {
        const end = this.src.indexOf(":]", this.i);
        const name = this.src.slice(this.i + 2, end);
        this.i = end + 2;
        if (name === "xdigit") [[48, 57], [65, 70], [97, 102]].forEach(([a, b]) => range(set, a, b));
        else if (name === "digit") range(set, 48, 57);
        else throw new Error(`regexp: unsupported class [:${name}:]`);
        continue;
      }
      let lo: number;
      if (this.src[this.i] === "\\") {
        this.i++;
        const e = this.src[this.i];
        if (SHORTHAND[e]) {
          this.i++;
          SHORTHAND[e](set);
          continue;
        }
        this.i++;
        lo = CONTROL[e] ?? e.charCodeAt(0);
      } else {
        lo = this.src.charCodeAt(this.i++);
      }
      if (this.src[this.i] === "-" && this.src[this.i + 1] !== "]") {
        this.i++;
        let hi = this.src.charCodeAt(this.i++);
        if (hi === 92) hi = this.src.charCodeAt(this.i++);
        range(set, lo, hi);
      } else {
        set[lo] = 1;
      }
    }
    if (this.src[this.i++] !== "]") throw new Error(`regexp: missing ] in ${this.src}`);
    if (neg) for (let c = 0; c < 256; c++) set[c] ^= 1;
    return { k: "set", set, high: neg };
  }
}

function compile(n: Node, prog: Inst[]): void {
  switch (n.k) {
    case "set":
      prog.push({ op: Op.Char, set: n.set, high: n.high });
      return;
    case "bol":
      prog.push({ op: Op.Bol });
      return;
    case "eol":
      prog.push({ op: Op.Eol });
      return;
    case "cat":
      for (const it of n.items) compile(it, prog);
      return;
    case "group":
      prog.push({ op: Op.Save, slot: 2 * n.index });
      compile(n.item, prog);
      prog.push({ op: Op.Save, slot: 2 * n.index + 1 });
      return;
    case "alt": {
      const jumps: Inst[] = [];
      for (let k = 0; k < n.items.length; k++) {
        if (k < n.items.length - 1) {
          const split: Inst = { op: Op.Split, x: prog.length + 1 };
          prog.push(split);
          compile(n.items[k], prog);
          const j: Inst = { op: Op.Jmp };
          prog.push(j);
          jumps.push(j);
          split.y = prog.length;
        } else {
          compile(n.items[k], prog);
        }
      }
      for (const j of jumps) j.x = prog.length;
      return;
    }
    case "rep": {
      if (n.min === 1) {
        // e+ : L: e; split L, out
        const top = prog.length;
        compile(n.item, prog);
        prog.push({ op: Op.Split, x: top, y: prog.length + 1 });
        if (n.max === 1) throw new Error("regexp: bad repeat");
        return;
      }
      const split: Inst = { op: Op.Split, x: prog.length + 1 };
      prog.push(split);
      compile(n.item, prog);
      if (n.max === -1) prog.push({ op: Op.Jmp, x: prog.indexOf(split) });
      split.y = prog.length;
      return;
    }
  }
}

/** A compiled pattern. exec() mirrors RegExp.exec: [whole, group1, ...] (undefined for unset groups) or null. */
export class LinearRegExp {
  private readonly prog: Inst[];
  private readonly ngroups: number;
  private readonly anchored: boolean;
  private visited = new Uint32Array(1024);

  constructor(readonly source: string) {
    const parser = new Parser(source);
    const ast = parser.parse();
    this.ngroups = parser.groups;
    const prog: Inst[] = [{ op: Op.Save, slot: 0 }];
    compile(ast, prog);
    prog.push({ op: Op.Save, slot: 1 }, { op: Op.Match });
    this.prog = prog;
    this.anchored = prog[1].op === Op.Bol;
  }

  test(s: string): boolean {
    return this.exec(s) !== null;
  }

  exec(s: string): (string | undefined)[] | null {
    const n = s.length;
    const P = this.prog.length;
    const bits = P * (n + 1);
    const words = (bits + 31) >>> 5;
    if (this.visited.length < words) this.visited = new Uint32Array(Math.max(words, this.visited.length * 2));
    else this.visited.fill(0, 0, words);
    const visited = this.visited;
    const caps = new Int32Array(2 * (this.ngroups + 1)).fill(-1);
    // Job stack: pc >= 0 is (pc, pos); pc < 0 restores caps[-pc-1] = pos.
    const stackPc: number[] = [];
    const stackPos: number[] = [];
    const prog = this.prog;
    const lastStart = this.anchored ? 0 : n;
    for (let start = 0; start <= lastStart; start++) {
      stackPc.push(0);
      stackPos.push(start);
      while (stackPc.length > 0) {
        let pc = stackPc.pop()!;
        let pos = stackPos.pop()!;
        if (pc < 0) {
          caps[-pc - 1] = pos;
          continue;
        }
        for (;;) {
          const key = pc * (n + 1) + pos;
          const w = key >>> 5;
          const bit = 1 << (key & 31);
          if (visited[w] & bit) break;
          visited[w] |= bit;
          const inst = prog[pc];
          if (inst.op === Op.Char) {
            if (pos >= n) break;
            const c = s.charCodeAt(pos);
            if (c < 256 ? inst.set![c] === 0 : !inst.high) break;
            pc++;
            pos++;
          } else if (inst.op === Op.Split) {
            stackPc.push(inst.y!);
            stackPos.push(pos);
            pc = inst.x!;
          } else if (inst.op === Op.Jmp) {
            pc = inst.x!;
          } else if (inst.op === Op.Save) {
            stackPc.push(-inst.slot! - 1);
            stackPos.push(caps[inst.slot!]);
            caps[inst.slot!] = pos;
            pc++;
          } else if (inst.op === Op.Bol) {
            if (pos !== 0) break;
            pc++;
          } else if (inst.op === Op.Eol) {
            if (pos !== n) break;
            pc++;
          } else {
            const out: (string | undefined)[] = [];
            for (let g = 0; g <= this.ngroups; g++) {
              const a = caps[2 * g];
              const b = caps[2 * g + 1];
              out.push(a >= 0 && b >= 0 ? s.slice(a, b) : undefined);
            }
            stackPc.length = 0;
            stackPos.length = 0;
            return out;
          }
        }
      }
    }
    return null;
  }
}


/**
 * Leftmost match of a pattern whose match can only start at a run of
 * `inRun` chars and whose outcome is the same from every position of one run
 * (the run is consumed greedily and what follows decides). Then trying the
 * sticky regex once per run — at its start, or one char earlier when
 * `lead` accepts that char (an optional prefix like `-?`) — finds the same
 * match as the unanchored regex, in linear time.
 */
export function execAtRunStarts(
  sticky: RegExp,
  s: string,
  inRun: (c: number) => boolean,
  lead?: (c: number) => boolean,
): RegExpExecArray | null {
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (!inRun(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i > 0 && lead !== undefined && lead(s.charCodeAt(i - 1)) ? i - 1 : i;
    sticky.lastIndex = start;
    const m = sticky.exec(s);
    if (m !== null) return m;
    while (i < n && inRun(s.charCodeAt(i))) i++;
  }
  return null;
}

/** Lines up to this length use V8's regexp (worst case stays ~1 ms); longer ones the linear VM. */
const NATIVE_MAX = 1024;

/** The same pattern as a native RegExp and a LinearRegExp; exec picks by input length. */
export class GuardedRegExp {
  private readonly native: RegExp;
  private readonly linear: LinearRegExp;
  constructor(native: RegExp, linearSource: string) {
    this.native = native;
    this.linear = new LinearRegExp(linearSource);
  }
  exec(s: string): (string | undefined)[] | null {
    return s.length <= NATIVE_MAX ? this.native.exec(s) : this.linear.exec(s);
  }
  test(s: string): boolean {
    return this.exec(s) !== null;
  }
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
