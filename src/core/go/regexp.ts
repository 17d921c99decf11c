// Go regular expressions (RE2 syntax) as JavaScript RegExps.
//
// Users type pprof's flags with Go syntax. The common subset is identical; we
// translate the differences that show up in practice: leading flag groups like
// `(?i)` / `(?s)`, `\z`, `\Q...\E` and POSIX classes such as `[[:alpha:]]`.
// Go's matching is unanchored like RegExp.test, so no anchoring is added.

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-/:-@[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

export class RegexError extends Error {}

/** Compile a Go regexp; throws RegexError with Go-like wording on bad syntax. */
export function goRegExp(src: string): RegExp {
  let flags = "u";
  let body = src;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    body = body.slice(lead[0].length);
    if (lead[1].includes("i")) flags += "i";
    if (lead[1].includes("s")) flags += "s";
    if (lead[1].includes("m")) flags += "m";
  }
  body = body
    .replace(/\\Q([\s\S]*?)(\\E|$)/g, (_m, lit: string) => lit.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
    .replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => {
      const cls = POSIX[name];
      if (!cls) return m;
      return neg ? `^${cls}` : cls;
    })
    .replace(/\\z/g, "$(?![\\s\\S])");
  try {
    return new RegExp(body, flags);
  } catch {
    try {
      // The unicode flag is strict about escapes Go accepts (e.g. `\-` outside classes).
      return new RegExp(body, flags.replace("u", ""));
    } catch (e) {
      throw new RegexError(`error parsing regexp: ${(e as Error).message}: \`${src}\``);
    }
  }
}
