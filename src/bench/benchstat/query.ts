// benchproc's query syntax (golang.org/x/perf/benchproc/syntax): filter
// expressions (`key:value`, `key:/regexp/`, `key:(a OR b)`, AND/OR/-/parens, `*`)
// and projections (`key`, `key@order`, `key@(v1 v2)`, comma or space separated).
// Errors read like benchproc's: "syntax error: msg", the query, and a caret.

import { goRegExp, RegexError, type GoRegExp } from "../../core/go/index.js";

export class QuerySyntaxError extends Error {
  constructor(
    readonly query: string,
    readonly off: number,
    readonly msg: string,
  ) {
    let pos = 0;
    let i = 0;
    for (const ch of query) {
      if (i >= off) break;
      if (/[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]/u.test(ch)) pos++;
      i += Buffer.byteLength(ch);
    }
    super(`syntax error: ${msg}\n\t${query}\n\t${" ".repeat(pos)}^`);
  }
}

export type FilterNode =
  | { op: "and" | "or" | "not"; exprs: FilterNode[] }
  | { key: string; lit: string; re: GoRegExp | null; off: number };

interface Tok {
  kind: string; // '(' ')' ':' '@' ',' '-' '*' 'w' 'q' 'r' 'A' 'O' or '' at end
  off: number;
  tok: string;
  re: GoRegExp | null;
}

const isOp = (c: string) => c === "(" || c === ")" || c === ":" || c === "@" || c === ",";
const isStartOp = (c: string) => isOp(c) || c === "-" || c === "*";
const isSpace = (c: string) => /^\s$/u.test(c) && c !== "\ufeff";

// The tokenizer is a persistent cursor (offsets are bytes of the UTF-8 query, as in Go).
class Tokenizer {
  err: QuerySyntaxError | null = null;
  constructor(readonly q: string) {}

  private byteOff(i: number): number {
    return Buffer.byteLength(this.q.slice(0, i));
  }

  error(at: number, msg: string): [Tok, number] {
    if (this.err === null) this.err = new QuerySyntaxError(this.q, this.byteOff(at), msg);
    return [{ kind: "", off: this.byteOff(at), tok: "", re: null }, this.q.length];
  }

  next(at: number, allowRegexp: boolean): [Tok, number] {
    const q = this.q;
    while (at < q.length) {
      const c = q[at];
      if (isStartOp(c)) return [{ kind: c, off: this.byteOff(at), tok: c, re: null }, at + 1];
      if (isSpace(c)) {
        at++;
        continue;
      }
      if (allowRegexp && c === "/") return this.regexp(at);
      if (c === '"') return this.quoted(at);
      let end = at;
      while (end < q.length && !isSpace(q[end]) && !isOp(q[end])) end++;
      const word = q.slice(at, end);
      const kind = word === "AND" ? "A" : word === "OR" ? "O" : "w";
      return [{ kind, off: this.byteOff(at), tok: word, re: null }, end];
    }
    return [{ kind: "", off: this.byteOff(q.length), tok: "", re: null }, q.length];
  }

  end(at: number): void {
    const [t] = this.next(at, false);
    if (t.kind !== "") this.error(at, "unexpected " + JSON.stringify(t.tok));
  }

  private quoted(at: number): [Tok, number] {
    const q = this.q;
    let pos = at + 1;
    while (pos < q.length && (q[pos] !== '"' || q[pos - 1] === "\\")) pos++;
    if (pos === q.length) return this.error(at, "missing end quote");
    const word = unquoteGo(q.slice(at + 1, pos));
    if (word === null) return this.error(at, "bad escape sequence");
    return [{ kind: "q", off: this.byteOff(at), tok: word, re: null }, pos + 1];
  }

  private regexp(at: number): [Tok, number] {
    const q = this.q;
    // Find the closing '/' outside brackets and parentheses.
    let cs = 0;
    let cp = 0;
    let i = at + 1;
    let close = -1;
    while (i < q.length) {
      if (cs === 0 && cp === 0 && q[i] === "/") {
        close = i;
        break;
      }
      const c = q[i];
      if (c === "[") cs++;
      else if (c === "]") cs = Math.max(cs - 1, 0);
      else if (c === "(" && cs === 0) cp++;
      else if (c === ")" && cs === 0) cp--;
      else if (c === "\\") i++;
      i++;
    }
    if (close < 0) return this.error(at, 'missing close "/"');
    const expr = q.slice(at + 1, close);
    let re: GoRegExp;
    try {
      re = goRegExp(expr);
    } catch (e) {
      if (e instanceof RegexError) return this.error(at, e.message);
      throw e;
    }
    const after = close + 1;
    if (!(after >= q.length || isSpace(q[after]) || isStartOp(q[after]))) {
      return this.error(after, 'regexp must be followed by space or an operator (unescaped "/"?)');
    }
    return [{ kind: "r", off: this.byteOff(at), tok: expr, re }, after];
  }
}

/** Go's strconv.Unquote body of a double-quoted string, or null on a bad escape. */
function unquoteGo(s: string): string | null {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = s[++i];
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"' };
    if (e in simple) out += simple[e];
    else if (e === "x" || e === "u" || e === "U") {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = s.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) return null;
      out += String.fromCodePoint(parseInt(hex, 16));
      i += n;
    } else if (e !== undefined && e >= "0" && e <= "7") {
      const oct = s.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return null;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else return null;
  }
  return out;
}

/** Parse a filter expression. */
export function parseFilter(q: string): FilterNode {
  const t = new Tokenizer(q);
  const fail = (): never => {
    throw t.err!;
  };

  const expr = (at: number): [FilterNode, number] => {
    const terms: FilterNode[] = [];
    for (;;) {
      const [node, rest] = andExpr(at);
      terms.push(node);
      at = rest;
      const [op, at2] = t.next(at, false);
      if (op.kind !== "O") break;
      at = at2;
    }
    return [terms.length === 1 ? terms[0] : { op: "or", exprs: terms }, at];
  };

  const andExpr = (at: number): [FilterNode, number] => {
    let [node, rest] = match(at);
    const terms = [node];
    at = rest;
    for (;;) {
      const [op, at2] = t.next(at, false);
      if (op.kind === "A") {
        at = at2;
        continue;
      }
      if (op.kind === "(" || op.kind === "-" || op.kind === "*" || op.kind === "w" || op.kind === "q") {
        [node, rest] = match(at);
        terms.push(node);
        at = rest;
        continue;
      }
      if (op.kind === ")" || op.kind === "O" || op.kind === "") break;
      t.error(at, "unexpected " + JSON.stringify(op.tok));
      fail();
    }
    return [terms.length === 1 ? terms[0] : { op: "and", exprs: terms }, at];
  };

  const match = (start: number): [FilterNode, number] => {
    const [tok, rest] = t.next(start, false);
    if (t.err) fail();
    switch (tok.kind) {
      case "(": {
        const [node, r2] = expr(rest);
        const [op, r3] = t.next(r2, false);
        if (op.kind !== ")") {
          t.error(r2, 'missing ")"');
          fail();
        }
        return [node, r3];
      }
      case "-": {
        const [node, r2] = match(rest);
        return [{ op: "not", exprs: [node] }, r2];
      }
      case "*":
        return [{ op: "and", exprs: [] }, rest];
      case "w":
      case "q": {
        const [colon, r2] = t.next(rest, false);
        if (colon.kind !== ":") {
          t.error(start, "expected key:value");
          fail();
        }
        const [val, r3] = t.next(r2, true);
        if (t.err) fail();
        const mk = (v: Tok): FilterNode => ({ key: tok.tok, lit: v.kind === "r" ? "" : v.tok, re: v.re, off: tok.off });
        if (val.kind === "w" || val.kind === "q" || val.kind === "r") return [mk(val), r3];
        if (val.kind !== "(") {
          t.error(start, "expected key:value");
          fail();
        }
        const terms: FilterNode[] = [];
        let at = r3;
        for (;;) {
          const [v, a2] = t.next(at, true);
          if (t.err) fail();
          if (!(v.kind === "w" || v.kind === "q" || v.kind === "r")) {
            t.error(at, "expected value");
            fail();
          }
          terms.push(mk(v));
          at = a2;
          const [sep, a3] = t.next(at, true);
          if (sep.kind === ")") return [{ op: "or", exprs: terms }, a3];
          if (sep.kind !== "O") {
            t.error(at, "value list must be separated by OR");
            fail();
          }
          at = a3;
        }
      }
    }
    t.error(start, "expected key:value or subexpression");
    return fail();
  };

  const [node, at] = expr(0);
  if (t.err) fail();
  t.end(at);
  if (t.err) fail();
  return node;
}

export interface ProjField {
  key: string;
  order: string; // "first", "fixed", or a named order
  fixed: string[];
  keyOff: number;
  orderOff: number;
}

/** Parse a projection: a comma- or space-separated list of keys with optional @order. */
export function parseProjection(q: string): ProjField[] {
  const t = new Tokenizer(q);
  const fields: ProjField[] = [];
  let at = 0;
  for (;;) {
    let [tok, at2] = t.next(at, false);
    if (tok.kind === "") break;
    if (tok.kind === "," && fields.length > 0) at = at2;
    [tok, at2] = t.next(at, false);
    if (!(tok.kind === "w" || tok.kind === "q")) {
      t.error(at, "expected key");
      break;
    }
    const f: ProjField = { key: tok.tok, order: "first", fixed: [], keyOff: tok.off, orderOff: tok.off + Buffer.byteLength(tok.tok) };
    at = at2;
    fields.push(f);
    const [sep, at3] = t.next(at, false);
    if (sep.kind !== "@") continue;
    at = at3;
    const [order, at4] = t.next(at, false);
    f.orderOff = order.off;
    if (order.kind === "w" || order.kind === "q") {
      f.order = order.tok;
      at = at4;
      continue;
    }
    if (order.kind === "(") {
      f.order = "fixed";
      at = at4;
      for (;;) {
        const [v, a2] = t.next(at, false);
        if (v.kind === "w" || v.kind === "q") {
          at = a2;
          f.fixed.push(v.tok);
        } else if (v.kind === ")") {
          if (f.fixed.length === 0) t.error(at, "nothing to match");
          else at = a2;
          break;
        } else {
          t.error(at, "missing )");
          break;
        }
      }
      if (t.err) break;
      continue;
    }
    t.error(at, "expected named sort order or parenthesized list");
    break;
  }
  if (t.err) throw t.err;
  t.end(at);
  if (t.err) throw t.err;
  return fields;
}
