// benchproc's filters, projections and keys: which results take part, and which
// table/row/column/residue key each result (and each of its units) maps to,
// with benchproc's ordering rules (first-seen, alpha, num, fixed lists).

import { nameBase, nameParts, type BenchResult } from "../read/benchfmt.js";
import { parseFilter, parseProjection, QuerySyntaxError, type FilterNode, type ProjField } from "./query.js";

type Extractor = (r: BenchResult) => string;

function configValue(r: BenchResult, key: string): string {
  for (const c of r.config) if (c.key === key) return c.value;
  return "";
}

function newExtractor(key: string): Extractor {
  if (key.length === 0) throw new Error("key must not be empty");
  if (key === ".name") return (r) => nameBase(r.name);
  if (key === ".fullname") return (r) => r.name;
  if (key.startsWith("/")) {
    const prefix = key + "=";
    const isProcs = key === "/gomaxprocs";
    return (r) => {
      const [, parts] = nameParts(r.name);
      if (isProcs && parts.length > 0) {
        const last = parts[parts.length - 1];
        if (last[0] === "-") return last.slice(1);
      }
      for (const p of parts) if (p.startsWith(prefix)) return p.slice(prefix.length);
      return "";
    };
  }
  return (r) => configValue(r, key);
}

/** .fullname with the name keys projected elsewhere cut out (benchproc's newExtractorFullName). */
function fullNameExtractor(exclude: string[]): Extractor {
  const del: string[] = [];
  let excName = false;
  let excProcs = false;
  for (const k of exclude) {
    if (k === ".name") excName = true;
    if (!k.startsWith("/")) continue;
    del.push(k + "=");
    if (k === "/gomaxprocs") excProcs = true;
  }
  if (del.length === 0 && !excName && !excProcs) return (r) => r.name;
  return (r) => {
    const name = r.name;
    const found = excName || del.some((k) => name.includes(k)) || (excProcs && name.includes("-"));
    if (!found) return name;
    const [base, parts] = nameParts(name);
    let out = excName ? "*" : base;
    for (const part of parts) {
      if (del.some((k) => part.startsWith(k))) continue;
      if (excProcs && part[0] === "-") continue;
      out += part;
    }
    return out;
  };
}

// A filter's verdict: either one boolean for the whole result, or one per value (from .unit terms).
type Verdict = { mask: boolean[] | null; x: boolean };
type FilterFn = (r: BenchResult) => Verdict;

const TRUE: Verdict = Object.freeze({ mask: null, x: true });
/** The `*` filter (an empty AND): Filter.apply skips it entirely. */
const MATCH_ALL: FilterFn = () => TRUE;

function filterOp(op: "and" | "or" | "not", subs: FilterFn[]): FilterFn {
  if (op === "and" && subs.length === 0) return MATCH_ALL;
  if (op === "not") {
    const sub = subs[0];
    return (r) => {
      const v = sub(r);
      if (v.mask === null) return { mask: null, x: !v.x };
      return { mask: v.mask.map((b) => !b), x: false };
    };
  }
  if (op === "and") {
    return (r) => {
      let m: boolean[] | null = null;
      for (const sub of subs) {
        const v = sub(r);
        if (v.mask === null) {
          if (!v.x) return { mask: null, x: false };
        } else if (m === null) m = v.mask;
        else m = m.map((b, i) => b && v.mask![i]);
      }
      return { mask: m, x: true };
    };
  }
  return (r) => {
    let m: boolean[] | null = null;
    for (const sub of subs) {
      const v = sub(r);
      if (v.mask === null) {
        if (v.x) return { mask: null, x: true };
      } else if (m === null) m = v.mask;
      else m = m.map((b, i) => b || v.mask![i]);
    }
    return { mask: m, x: false };
  };
}

export class Filter {
  constructor(public match: FilterFn) {}

  static parse(query: string): Filter {
    const node = parseFilter(query);
    const extractors = new Map<string, Extractor>();
    const walk = (n: FilterNode): FilterFn => {
      if ("op" in n) return filterOp(n.op, n.exprs.map(walk));
      const test = (s: string) => (n.re !== null ? n.re.test(s) : n.lit === s);
      if (n.key === ".unit") {
        return (r) => ({ mask: r.values.map((v) => test(v.unit) || (v.origUnit !== undefined && v.origUnit !== "" && test(v.origUnit))), x: false });
      }
      if (n.key === ".config") throw new QuerySyntaxError(query, n.off, ".config is only allowed in projections");
      let ext = extractors.get(n.key);
      if (ext === undefined) {
        try {
          ext = newExtractor(n.key);
        } catch (e) {
          throw new QuerySyntaxError(query, n.off, (e as Error).message);
        }
        extractors.set(n.key, ext);
      }
      const e = ext;
      return (r) => ({ mask: null, x: test(e(r)) });
    };
    return new Filter(walk(node));
  }

  /** Keep the matching values of r (in place); false when none remain. */
  apply(r: BenchResult): boolean {
    if (this.match === MATCH_ALL) return true;
    const v = this.match(r);
    const n = r.values.length;
    const all = v.mask === null ? v.x : v.mask.every(Boolean);
    if (all) return true;
    const any = v.mask === null ? v.x : v.mask.some(Boolean);
    if (!any) {
      r.values = [];
      return false;
    }
    r.values = r.values.filter((_, i) => i < n && v.mask![i]);
    return r.values.length > 0;
  }
}

export class Field {
  readonly sub: Field[] = [];
  cmp: (a: string, b: string) => number = () => 0;
  order: Map<string, number> | null = null;
  constructor(
    readonly name: string,
    readonly idx: number,
    readonly isTuple: boolean,
  ) {}
}

export class Key {
  constructor(
    readonly proj: Projection,
    readonly vals: readonly string[],
  ) {}

  get(f: Field): string {
    return f.idx < this.vals.length ? this.vals[f.idx] : "";
  }

  /** The non-empty values, space separated (Key.StringValues). */
  stringValues(): string {
    const out: string[] = [];
    for (const f of this.proj.flattened()) {
      const v = f.idx < this.vals.length ? this.vals[f.idx] : "";
      if (v !== "") out.push(v);
    }
    return out.join(" ");
  }

  less(o: Key): boolean {
    return keyLess(this.proj.flattened(), this.vals, o.vals);
  }
}

function keyLess(flat: Field[], a: readonly string[], b: readonly string[]): boolean {
  for (const f of flat) {
    const aa = f.idx < a.length ? a[f.idx] : "";
    const bb = f.idx < b.length ? b[f.idx] : "";
    if (aa !== bb) {
      const c = f.cmp(aa, bb);
      if (c !== 0) return c < 0;
      return aa < bb;
    }
  }
  return false;
}

export function sortKeys(keys: Key[]): Key[] {
  if (keys.length === 0) return keys;
  const flat = keys[0].proj.flattened();
  return keys.sort((x, y) => (keyLess(flat, x.vals, y.vals) ? -1 : keyLess(flat, y.vals, x.vals) ? 1 : 0));
}

const NUM_RE = /^([+-]?[0-9.]+)([kKMGTPEZY]i?)?[bB]?$/;
function parseNum(x: string): number | null {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i.test(x)) return Number(x.replace(/^([+-]?)inf(inity)?$/i, "$1Infinity"));
  const m = NUM_RE.exec(x);
  if (m && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1])) {
    let exp = 0;
    if (m[2]) exp = 1 + "KMGTPEZY".indexOf(m[2][0] === "k" ? "K" : m[2][0]);
    return Number(m[1]) * Math.pow(m[2]?.endsWith("i") ? 1024 : 1000, exp);
  }
  return null;
}

const BUILTIN_ORDERS: Record<string, (a: string, b: string) => number> = {
  alpha: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  num: (a, b) => {
    const aa = parseNum(a);
    const bb = parseNum(b);
    if (aa !== null && bb !== null) {
      if (aa < bb || (!Number.isNaN(aa) && Number.isNaN(bb))) return -1;
      if (aa > bb || (Number.isNaN(aa) && !Number.isNaN(bb))) return 1;
      return 0;
    }
    if (aa === null && bb === null) return 0;
    return aa !== null ? -1 : 1;
  },
};

export class Projection {
  readonly root = new Field("", -1, true);
  nFields = 0;
  unitField: Field | null = null;
  readonly project: ((r: BenchResult, row: string[]) => void)[] = [];
  private row: string[] = [];
  private flat: Field[] | null = null;
  /** Interned keys as a trie over the trimmed row values (no key strings built per result). */
  private readonly trie: TrieNode = { next: null, key: null };
  /** True while every field projects from the configuration only (then keys repeat per config snapshot). */
  configOnly = true;
  private lastKeyConfig: readonly unknown[] | null = null;
  private lastKey: Key | null = null;
  private lastUnitsConfig: readonly unknown[] | null = null;
  private lastByUnit = new Map<string, Key>();
  private lastValueKeys: Key[] = [];
  private readonly scratchKeys: Key[] = [];

  addField(group: Field, name: string): Field {
    const f = new Field(name, this.nFields++, false);
    group.sub.push(f);
    this.flat = null;
    this.row.push("");
    return f;
  }

  addGroup(group: Field, name: string): Field {
    const f = new Field(name, -1, true);
    group.sub.push(f);
    return f;
  }

  fields(): Field[] {
    return this.root.sub;
  }

  flattened(): Field[] {
    if (this.flat === null) {
      const out: Field[] = [];
      const walk = (f: Field) => {
        if (f.idx !== -1) out.push(f);
        else f.sub.forEach(walk);
      };
      walk(this.root);
      this.flat = out;
    }
    return this.flat;
  }

  projectKey(r: BenchResult): Key {
    if (this.configOnly && r.config === this.lastKeyConfig && this.lastKey !== null) return this.lastKey;
    this.populate(r);
    const k = this.intern();
    this.lastKeyConfig = this.configOnly ? r.config : null;
    this.lastKey = k;
    return k;
  }

  /**
   * One key per value of r (differing only in .unit when the projection has it).
   * The array is shared with the previous call when every key is the same (callers only read it).
   */
  projectValues(r: BenchResult): readonly Key[] {
    const vs = r.values;
    const prev = this.lastValueKeys;
    const out = this.scratchKeys;
    out.length = vs.length;
    if (this.unitField === null) {
      const k = this.projectKey(r);
      for (let i = 0; i < vs.length; i++) out[i] = k;
      return out.slice();
    }
    // Keys of a config-only projection depend on (config snapshot, unit): remembered per snapshot.
    let populated = false;
    if (!(this.configOnly && r.config === this.lastUnitsConfig)) {
      this.lastByUnit = new Map();
      this.populate(r);
      populated = true;
    }
    const unitIdx = this.unitField.idx;
    for (let i = 0; i < vs.length; i++) {
      const unit = vs[i].unit;
      let k = this.configOnly ? this.lastByUnit.get(unit) : undefined;
      if (k === undefined) {
        if (!populated) {
          this.populate(r);
          populated = true;
        }
        this.row[unitIdx] = unit;
        k = this.intern();
        if (this.configOnly) this.lastByUnit.set(unit, k);
      }
      out[i] = k;
    }
    this.lastUnitsConfig = this.configOnly ? r.config : null;
    if (prev.length === out.length) {
      let same = true;
      for (let i = 0; i < out.length && same; i++) same = prev[i] === out[i];
      if (same) return prev;
    }
    return (this.lastValueKeys = out.slice());
  }

  private populate(r: BenchResult): void {
    this.row.fill("");
    for (const p of this.project) p(r, this.row);
  }

  private intern(): Key {
    const row = this.row;
    let n = row.length;
    while (n > 0 && row[n - 1] === "") n--;
    let node = this.trie;
    for (let i = 0; i < n; i++) {
      node.next ??= new Map();
      let child = node.next.get(row[i]);
      if (child === undefined) node.next.set(row[i], (child = { next: null, key: null }));
      node = child;
    }
    if (node.key !== null) return node.key;
    const vals = row.slice(0, n);
    // First-seen order is recorded for top-level fields only (as benchproc does;
    // .config's sub-fields therefore sort alphabetically).
    for (const f of this.fields()) {
      if (f.order === null) continue;
      const v = f.idx < vals.length ? vals[f.idx] : "";
      if (!f.order.has(v)) f.order.set(v, f.order.size);
    }
    const k = new Key(this, vals);
    node.key = k;
    return k;
  }
}

interface TrieNode {
  next: Map<string, TrieNode> | null;
  key: Key | null;
}

export class ProjectionParser {
  private readonly configKeys = new Set<string>();
  private readonly fullnameKeys: string[] = [];
  private haveConfig = false;
  private haveFullname = false;
  private fullExtractor: Extractor | null = null;

  parse(q: string, filter: Filter): Projection {
    const proj = new Projection();
    const parts = parseProjection(q);
    const filterParts: FilterFn[] = [];
    for (const part of parts) {
      const f = this.makeProjection(proj, q, part);
      if (f !== null) filterParts.push(f);
    }
    if (filterParts.length > 0) {
      filterParts.push(filter.match);
      filter.match = filterOp("and", filterParts);
    }
    return proj;
  }

  parseWithUnit(q: string, filter: Filter): Projection {
    const proj = this.parse(q, filter);
    const f = proj.addField(proj.root, ".unit");
    const order = new Map<string, number>();
    f.order = order;
    f.cmp = (a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
    proj.unitField = f;
    return proj;
  }

  /** What no projection names: the rest of .config and .fullname (for "benchmarks vary in" warnings). */
  residue(): Projection {
    const s = new Projection();
    if (!this.haveConfig) this.makeProjection(s, "", { key: ".config", order: "first", fixed: [], keyOff: 0, orderOff: 0 });
    if (!this.haveFullname) this.makeProjection(s, "", { key: ".fullname", order: "first", fixed: [], keyOff: 0, orderOff: 0 });
    return s;
  }

  private makeProjection(s: Projection, q: string, p: ProjField): FilterFn | null {
    let init: (f: Field) => void;
    let filter: FilterFn | null = null;
    let makeFilter = (_ext: Extractor) => {};
    if (p.order === "fixed") {
      const fixed = new Map<string, number>();
      p.fixed.forEach((v, i) => fixed.set(v, i));
      init = (f) => {
        f.cmp = (a, b) => (fixed.get(a) ?? 0) - (fixed.get(b) ?? 0);
      };
      makeFilter = (ext) => {
        filter = (r) => ({ mask: null, x: fixed.has(ext(r)) });
      };
    } else if (p.order === "first") {
      init = (f) => {
        const order = new Map<string, number>();
        f.order = order;
        f.cmp = (a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
      };
    } else if (p.order in BUILTIN_ORDERS) {
      const cmp = BUILTIN_ORDERS[p.order];
      init = (f) => {
        f.cmp = cmp;
      };
    } else {
      throw new QuerySyntaxError(q, p.orderOff, `unknown order ${JSON.stringify(p.order)}`);
    }
    switch (p.key) {
      case ".config": {
        if (p.order === "fixed") throw new QuerySyntaxError(q, p.orderOff, "fixed order not allowed for .config");
        this.haveConfig = true;
        const group = s.addGroup(s.root, ".config");
        const seen = new Map<string, Field>();
        s.project.push((r, row) => {
          for (const c of r.config) {
            if (!c.file) continue;
            let f = seen.get(c.key);
            if (f === undefined) {
              if (this.configKeys.has(c.key)) continue;
              f = s.addField(group, c.key);
              init(f);
              seen.set(c.key, f); // addField grew the shared row
            }
            row[f.idx] = c.value;
          }
        });
        break;
      }
      case ".fullname": {
        this.haveFullname = true;
        const f = s.addField(s.root, ".fullname");
        s.configOnly = false;
        init(f);
        makeFilter((r) => r.name);
        s.project.push((r, row) => {
          this.fullExtractor ??= fullNameExtractor(this.fullnameKeys);
          row[f.idx] = this.fullExtractor(r);
        });
        break;
      }
      case ".unit":
        throw new QuerySyntaxError(q, p.keyOff, ".unit is only allowed in filters");
      default: {
        if (p.key === ".name" || p.key.startsWith("/")) this.fullnameKeys.push(p.key);
        else this.configKeys.add(p.key);
        let ext: Extractor;
        try {
          ext = newExtractor(p.key);
        } catch (e) {
          throw new QuerySyntaxError(q, p.keyOff, (e as Error).message);
        }
        const f = s.addField(s.root, p.key);
        if (p.key === ".name" || p.key.startsWith("/")) s.configOnly = false; // name-derived, not configuration
        init(f);
        makeFilter(ext);
        s.project.push((r, row) => {
          row[f.idx] = ext(r);
        });
      }
    }
    return filter;
  }
}

/** Fields whose value differs among keys (benchproc.NonSingularFields). */
export function nonSingularFields(keys: Key[]): Field[] {
  if (keys.length <= 1) return [];
  const out: Field[] = [];
  for (const f of keys[0].proj.flattened()) {
    const base = keys[0].get(f);
    if (keys.slice(1).some((k) => k.get(f) !== base)) out.push(f);
  }
  return out;
}

export interface KeyHeaderNode {
  field: number;
  value: string;
  start: number;
  len: number;
  children: KeyHeaderNode[];
}

/** Column header levels: runs of equal values per field (benchproc.NewKeyHeader). */
export function keyHeader(keys: Key[]): KeyHeaderNode[] {
  if (keys.length === 0) return [];
  const fields = keys[0].proj.flattened();
  const walk = (parent: KeyHeaderNode) => {
    const level = parent.field + 1;
    if (level === fields.length) return;
    const field = fields[level];
    let node: KeyHeaderNode | null = null;
    keys.slice(parent.start, parent.start + parent.len).forEach((k, j) => {
      const v = k.get(field);
      if (node !== null && v === node.value) node.len++;
      else {
        node = { field: level, value: v, start: parent.start + j, len: 1, children: [] };
        parent.children.push(node);
      }
    });
    parent.children.forEach(walk);
  };
  const root: KeyHeaderNode = { field: -1, value: "", start: 0, len: keys.length, children: [] };
  walk(root);
  return root.children;
}
