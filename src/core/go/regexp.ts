// Go regular expressions (RE2 syntax, RE2 semantics) for patterns users type:
// pprof's --focus/--ignore/--hide/--show/--show_from/--prune_from/--tagfocus/...,
// peek's symbol, benchstat's -filter regexps, and a profile's drop_frames.
//
// They run on re2js, a port of Go's regexp package: Go's syntax and error
// messages as they are (`\pL`, `(?i)`, `\Q...\E`, `[[:alpha:]]`, `\z`, `(?U)`,
// ASCII `\s`/`\d`/`\w`, `.` matching `\r`), and matching in time linear in the
// input. V8's backtracking RegExp, used here before, took hours on a pattern such
// as `(a+)+$` or `([a-z./]+)+X` against real function names: the command hung.
//
// re2js costs more than V8 per name (0.1-0.3 us against 0.02 us warm, ~1.5 us
// cold) plus ~6 ms to load, but every pattern is matched once per distinct name
// (function, file, mapping, label value), not per sample: +0-12% CPU on whole
// reports, +80 ms at most on a 1M-sample profile (docs/PERFORMANCE.md, "Regular
// expressions"). User patterns stay on a linear engine regardless.
// The commonest patterns are literal text, optionally `^`/`$`-anchored, `|`-separated,
// or case-insensitive (`json`, `^runtime\.`, `Encode$`, `Get|Put`, `(?i)json`):
// those are matched with String includes/startsWith/endsWith, which is exactly
// what Go matches for them, in linear time, as fast as V8, and without loading re2js.
// Matching is unanchored, like Go's MatchString.

import type * as Re2js from "re2js";

let re2jsModule: typeof Re2js | null = null;

/**
 * The re2js module, run on first use. A static import would run its 260 KB at
 * the start of every command that imports core/go, regexp or not: ~4 ms of CPU
 * to parse it, which the bundle still pays (esbuild puts it in a chunk those
 * commands load), and ~3 ms to run its top level, which only a first regexp
 * pays now. esbuild bundles this require() as a module that runs when first
 * called; vitest provides require.
 */
export function re2js(): typeof Re2js {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (re2jsModule ??= require("re2js") as typeof Re2js);
}

/** What the callers need of a compiled Go regexp. */
export interface GoRegExp {
  /** the pattern as given */
  readonly source: string;
  /** Go's MatchString: whether the pattern matches anywhere in s */
  test(s: string): boolean;
}

export class RegexError extends Error {}

class Re2 implements GoRegExp {
  constructor(
    readonly source: string,
    private readonly re: Re2js.RE2JS,
  ) {}
  test(s: string): boolean {
    return this.re.test(s);
  }
}

interface Literal {
  text: string;
  /** `^`: at the beginning of the text (Go's `^` without (?m)) */
  start: boolean;
  /** `$`: at the end of the text (Go's `$` without (?m) is `\z`) */
  end: boolean;
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A pattern that is literal text: an alternation of optionally anchored literals.
 * With `(?i)` the literals are ASCII and compared with ASCII case folding, which is
 * Go's folding as long as the text is ASCII too; Go also folds k with U+212A (Kelvin
 * sign) and s with U+017F (long s), so a text with any non-ASCII char goes to re2js.
 */
class Literals implements GoRegExp {
  private full: GoRegExp | null = null;
  constructor(
    readonly source: string,
    private readonly alts: Literal[],
    private readonly fold: boolean,
  ) {}
  test(s: string): boolean {
    if (this.fold) {
      if (NON_ASCII.test(s)) return (this.full ??= compileRe2(this.source)).test(s);
      s = s.toLowerCase();
    }
    for (const a of this.alts) {
      if (a.start ? (a.end ? s === a.text : s.startsWith(a.text)) : a.end ? s.endsWith(a.text) : s.includes(a.text)) return true;
    }
    return false;
  }
}

const META = ".+*?()[]{}^$|\\";
/** ASCII punctuation: Go reads a backslash before any of these as the char itself. */
const PUNCT = /^[!-/:-@[-`{-~]$/;

/**
 * The alternatives of src when it is only literal text, escaped punctuation,
 * `^` first and `$` last in an alternative, and `|` between them, after an
 * optional leading `(?i)` (then ASCII only, lowercased); null for anything
 * else (classes, repeats, groups, other flags and escapes), which re2js
 * compiles. Such a pattern is valid Go syntax and matches the same.
 */
function literalAlternatives(src: string, fold: boolean): Literal[] | null {
  if (fold && NON_ASCII.test(src)) return null;
  const alts: Literal[] = [];
  let cur: Literal = { text: "", start: false, end: false };
  for (let i = fold ? 4 : 0; i < src.length; i++) {
    const c = src[i];
    const code = src.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) return null; // surrogates: leave UTF-16 subtleties to re2js
    if (cur.end && c !== "|") return null;
    if (c === "|") {
      alts.push(cur);
      cur = { text: "", start: false, end: false };
    } else if (c === "^") {
      if (cur.start || cur.text !== "") return null;
      cur.start = true;
    } else if (c === "$") {
      cur.end = true;
    } else if (c === "\\") {
      const e = src[i + 1];
      if (e === undefined || !PUNCT.test(e)) return null;
      cur.text += e;
      i++;
    } else if (META.includes(c)) {
      return null;
    } else {
      cur.text += c;
    }
  }
  alts.push(cur);
  if (fold) for (const a of alts) a.text = a.text.toLowerCase();
  return alts;
}

function compileRe2(src: string): GoRegExp {
  const { RE2JS, RE2JSException } = re2js();
  try {
    return new Re2(src, RE2JS.compile(src));
  } catch (e) {
    if (e instanceof RE2JSException) throw new RegexError(e.message.split("\n")[0]);
    throw e;
  }
}

/**
 * Compile a Go regexp; throws RegexError with Go's wording on bad syntax,
 * e.g. "error parsing regexp: missing closing ): `(`".
 */
export function goRegExp(src: string): GoRegExp {
  const fold = src.startsWith("(?i)");
  const lits = literalAlternatives(src, fold);
  return lits !== null ? new Literals(src, lits, fold) : compileRe2(src);
}
