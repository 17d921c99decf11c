// User regexps (--focus, --ignore, --hide, --show, --show_from, --prune_from, --tagfocus,
// --tagshow, peek's regex, benchstat's -filter) are Go RE2 syntax with Go semantics, run in
// linear time (core/go/regexp.ts: re2js, or plain string search for literal patterns).
// - pathological patterns finish (V8's backtracking engine took hours on them);
// - Go-only syntax works, Go's error messages come out as one-line usage errors;
// - the literal fast path agrees with re2js on every pattern it takes;
// - reports with regexps that run on re2js are byte-identical to go tool pprof.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { goRegExp, re2js, RegexError } from "../src/core/go/regexp.js";
import { ProfileBuilder } from "../src/core/model/builder.js";
import type { Profile } from "../src/core/model/profile.js";
import { writeProfileGz } from "../src/core/codec/pprof-write.js";
import { defaultConfig, type ReportConfig, type ReportKind } from "../src/pprof/report/config.js";
import { prepareReport } from "../src/pprof/report/report.js";
import { renderReport } from "../src/pprof/report/render.js";
import { pprofBinary, ROOT, runCli, runPprof, runReport } from "./helpers/run.js";
import { available } from "./helpers/available.js";

/**
 * Functions named by runs of 'a' (n = 40..79) then ".b", and one "main.aaaa" that `(a+)+$`
 * does match. On a run of n a's that is not followed by the end of the text, a backtracking
 * engine tries every way to split the run among the `+`s: 2^n steps per start position.
 * Measured with V8 on this machine: 1.3 s at n = 26, doubling with each extra 'a', so hours
 * at n = 40 and far longer than the age of the universe at n = 79. A linear engine needs
 * O(n) per name. The time limit below (10 s) only separates "finishes" from "hangs": the
 * real time is a few milliseconds.
 */
function aRuns(): Profile {
  const b = new ProfileBuilder();
  b.sampleTypes = [
    { type: "samples", unit: "count" },
    { type: "cpu", unit: "nanoseconds" },
  ];
  b.periodType = { type: "cpu", unit: "nanoseconds" };
  b.period = 10_000_000;
  const main = b.addLocation([{ func: b.addFunction("main.main", "main.main", "main.go"), line: 1 }]);
  const hit = b.addLocation([{ func: b.addFunction("main.aaaa", "main.aaaa", "main.go"), line: 2 }]);
  b.addSample([hit, main], [7, 70_000_000]);
  for (let i = 0; i < 40; i++) {
    const name = "a".repeat(40 + i) + ".b";
    const x = "x".repeat(40 + i); // for (x+x+)+y
    const loc = b.addLocation([{ func: b.addFunction(name, name, x + ".go"), line: 1 }]);
    b.addSample([loc, main], [1, 10_000_000]);
  }
  return b.build();
}

function report(p: Profile, kind: ReportKind, cfg: Partial<ReportConfig>): { out: string; err: string } {
  let err = "";
  const rpt = prepareReport(p, kind, { ...defaultConfig(), ...cfg }, (m) => (err += m + "\n"));
  return { out: renderReport(rpt, false), err };
}

describe("pathological patterns finish", () => {
  const p = aRuns();
  const cases: [string, Partial<ReportConfig>][] = [
    ["--focus (a+)+$", { focus: "(a+)+$" }],
    ["--ignore (a|aa)+$", { ignore: "(a|aa)+$" }],
    ["--focus (x+x+)+y (against the file names)", { focus: "(x+x+)+y" }],
    ["--hide (a*)*$ --show ^(a|a)*\\.", { hide: "(a*)*$", show: "^(a|a)*\\." }],
    ["--show_from ((a+)+)+$", { showFrom: "((a+)+)+$" }],
    ["--prune_from (a+)+$", { pruneFrom: "(a+)+$" }],
  ];
  for (const [name, cfg] of cases) {
    it(name, () => {
      const t0 = Date.now();
      const { out } = report(p, "top", cfg);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(out).toContain("Showing nodes accounting for");
    });
  }
  it("(a+)+$ keeps exactly the sample whose frame ends in a run of a's", () => {
    const { out, err } = report(p, "top", { focus: "(a+)+$" });
    expect(err).toBe("");
    expect(out).toContain("Showing nodes accounting for 70ms, 14.89% of 470ms total\n");
    expect(out).toContain("main.aaaa\n");
    expect(out).not.toContain(".b\n");
  });
  it("(a|aa)+$ as --ignore drops only that sample", () => {
    const { out } = report(p, "top", { ignore: "(a|aa)+$" });
    expect(out).toContain("Showing nodes accounting for 400ms, 85.11% of 470ms total\n");
    expect(out).not.toContain("main.aaaa\n");
  });
  it("peek (a+)+$ and a tag filter on a long label value", () => {
    expect(report(p, "peek", { symbol: "(a+)+$" }).out).toContain("main.aaaa");
    const b = new ProfileBuilder();
    b.sampleTypes = [{ type: "samples", unit: "count" }];
    const loc = b.addLocation([{ func: b.addFunction("main.f"), line: 1 }]);
    b.addSample([loc], [1], [{ key: "k", str: "a".repeat(5000) + "!" }]);
    b.addSample([loc], [2], [{ key: "k", str: "a".repeat(5000) }]);
    const t0 = Date.now();
    const r = report(b.build(), "top", { tagFocus: "k=(a+)+$" });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.out).toContain("Showing nodes accounting for 2, 66.67% of 3 total\n");
  });
  it("the CLI (dist/) finishes too", () => {
    const dir = mkdtempSync(join(tmpdir(), "godiag-regexp-"));
    const file = join(dir, "a-runs.pb.gz");
    writeFileSync(file, writeProfileGz(p));
    const t0 = Date.now();
    const r = runCli(["top", "--focus", "(a+)+$", file], { timeoutMs: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.stdout).toContain("main.aaaa\n");
  });
});

describe("Go syntax and semantics", () => {
  const m = (re: string, s: string) => goRegExp(re).test(s);
  it("Unicode classes: \\pL, \\p{Greek}, \\PL", () => {
    expect(m("^\\pL+$", "héllo")).toBe(true);
    expect(m("\\pL", "pL")).toBe(true);
    expect(m("^\\pL+$", "pL1")).toBe(false); // V8 without the u flag read \pL as "pL"
    expect(m("\\p{Greek}", "λ.func1")).toBe(true);
    expect(m("^\\PL+$", "123")).toBe(true);
  });
  it("flags: (?i), mid-pattern flags, (?s), (?U), (?i:...)", () => {
    expect(m("(?i)json", "encoding/JSON.Marshal")).toBe(true);
    expect(m("a(?i)b", "aB")).toBe(true);
    expect(m("a(?i)b", "AB")).toBe(false);
    expect(m("(?i:A)b", "ab")).toBe(true);
    expect(m("(?i:A)b", "aB")).toBe(false);
    expect(m("^a.b$", "a\nb")).toBe(false);
    expect(m("(?s)^a.b$", "a\nb")).toBe(true);
    expect(m("(?U)^a+$", "aaa")).toBe(true);
    // Go's case folding: k K and U+212A (Kelvin sign), s S and U+017F (long s)
    expect(m("(?i)k", "\u212a")).toBe(true);
    expect(m("(?i)^MAIN\\.", "main.run")).toBe(true);
    expect(m("(?i)s$", "pkg.Clas\u017f")).toBe(true);
    expect(m("(?i)é", "É")).toBe(true);
  });
  it("\\Q...\\E, POSIX classes, \\A and \\z, named groups", () => {
    expect(m("\\Q(*T).M\\E", "pkg.(*T).M")).toBe(true);
    expect(m("\\Qa.b\\E", "axb")).toBe(false);
    expect(m("^[[:alpha:]]+\\.[[:upper:]]", "main.Run")).toBe(true);
    expect(m("[[:^digit:]]", "123")).toBe(false);
    expect(m("\\Amain\\.F\\z", "main.F")).toBe(true);
    expect(m("\\Amain\\.F\\z", "main.F\n")).toBe(false);
    expect(m("(?P<pkg>[a-z]+)\\.(?<fn>[A-Z]\\w*)", "main.Run")).toBe(true);
  });
  it("Go's meaning where V8's differs: . matches \\r, \\s is ASCII, $ is the end of the text", () => {
    expect(m("^a.b$", "a\rb")).toBe(true);
    expect(m("\\s", "\u00a0")).toBe(false);
    expect(m("\\s", "\u2028")).toBe(false);
    expect(m("\\w", "é")).toBe(false);
    expect(m("a$", "a\n")).toBe(false);
    expect(m("(?m)a$", "a\nb")).toBe(true);
  });
  it("bad syntax is a RegexError with Go's message", () => {
    const msg = (re: string): string => {
      try {
        goRegExp(re);
      } catch (e) {
        expect(e).toBeInstanceOf(RegexError);
        return (e as Error).message;
      }
      throw new Error(`${re} compiled`);
    };
    expect(msg("(")).toBe("error parsing regexp: missing closing ): `(`");
    expect(msg("a**")).toBe("error parsing regexp: invalid nested repetition operator: `**`");
    expect(msg("[z-a]")).toBe("error parsing regexp: invalid character class range: `z-a`");
    expect(msg("\\8")).toBe("error parsing regexp: invalid escape sequence: `\\8`");
    expect(msg("x{1001}")).toBe("error parsing regexp: invalid repeat count: `{1001}`");
    expect(msg("(?<n>")).toBe("error parsing regexp: missing closing ): `(?<n>`");
    expect(msg("[[:foo:]]")).toMatch(/^error parsing regexp: invalid character class range: /);
  });
});

describe("the literal fast path agrees with re2js", () => {
  it("on literal text, escaped punctuation, ^ $, | and a leading (?i) in every combination", () => {
    const { RE2JS } = re2js();
    // Pattern pieces: literal chars, escapes, anchors, alternation, and metachars that send the
    // pattern to re2js (so both sides agree trivially there, and the split is exercised).
    const pieces = ["a", "b", "B", "k", "s", ".", "\\.", "\\(", "\\*", "^", "$", "|", "(", ")", "*", "\\$", "\\^", "\\|", "é", " ", "ab", "\\d", "]", "(?i)"];
    // (?i): Go folds k with U+212A (Kelvin sign) and s with U+017F (long s), é with É.
    const texts = ["", "a", "A", "b", "ab", "Ab", "ba", "a.b", "a(b", "a*b", "$", "^", "|", "é", "É", "aé", "a b", "a$b", "x^y", "1", "a]", "(a)", "aab.", "k", "K", "\u212a", "s", "S", "\u017f", "a\u212ab"];
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    let literal = 0;
    let literalFold = 0;
    for (let t = 0; t < 4000; t++) {
      let pat = rnd(3) === 0 ? "(?i)" : "";
      for (let k = 1 + rnd(5); k > 0; k--) pat += pieces[rnd(pieces.length)];
      let ref: { test(s: string): boolean } | null;
      try {
        ref = RE2JS.compile(pat);
      } catch {
        ref = null;
      }
      if (ref === null) {
        expect(() => goRegExp(pat), pat).toThrow(RegexError);
        continue;
      }
      const ours = goRegExp(pat);
      if (ours.constructor.name === "Literals") {
        literal++;
        if (pat.startsWith("(?i)")) literalFold++;
      }
      for (const s of texts) expect(ours.test(s), `${JSON.stringify(pat)} on ${JSON.stringify(s)}`).toBe(ref.test(s));
    }
    expect(literal).toBeGreaterThan(500); // the fast path was exercised
    expect(literalFold).toBeGreaterThan(100); // with (?i) too
  });
});

describe("the CLI: one-line usage errors in Go's words", () => {
  const CPU = join(ROOT, "testdata/profiles/cpubound/cpu.pb.gz");
  const LABELS = join(ROOT, "testdata/profiles/labels/cpu.pb.gz");
  const oneLine = (args: string[], want: string) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe(want + "\n");
    expect(r.stdout).toBe("");
  };
  it("--focus '(' exits 2 with pprof's message", () => {
    // go tool pprof -top -focus '(' prints "parsing focus regexp: error parsing regexp: missing closing ): `(`"
    oneLine(["top", "--focus", "(", CPU], "godiag: parsing focus regexp: error parsing regexp: missing closing ): `(`");
  });
  it("--ignore, --tagfocus, peek", () => {
    oneLine(["top", "--ignore", "a**", CPU], "godiag: parsing ignore regexp: error parsing regexp: invalid nested repetition operator: `**`");
    oneLine(["top", "--tagfocus", "stage=(", LABELS], "godiag: parsing tagfocus regexp: error parsing regexp: missing closing ): `(`");
    // was "godiag: internal error: ..." and exit 3
    oneLine(["peek", "[", CPU], "godiag: parsing argument regexp [: error parsing regexp: missing closing ]: `[`");
  });
});

// Patterns that run on re2js (not the literal fast path), and literal ones, on real profiles:
// byte-identical to go tool pprof.
const hasGo = available(pprofBinary() !== null, "Go (go tool pprof)");
describe.skipIf(!hasGo)("reports with Go regexps match go tool pprof", () => {
  const files = ["cpubound/cpu.pb.gz", "labels/cpu.pb.gz", "allocheavy/heap.pb.gz", "chanblock/block.pb.gz"].map((f) =>
    join(ROOT, "testdata/profiles", f),
  );
  const variants: [ReportKind, string[], Partial<ReportConfig>][] = [
    ["top", ["-focus=(?i)^MAIN\\."], { focus: "(?i)^MAIN\\." }],
    ["top", ["-focus=main\\.[a-z]+$"], { focus: "main\\.[a-z]+$" }],
    ["top", ["-focus=\\pL+\\.func\\d+"], { focus: "\\pL+\\.func\\d+" }],
    ["top", ["-ignore=^runtime\\.(mallocgc|memmove|morestack)"], { ignore: "^runtime\\.(mallocgc|memmove|morestack)" }],
    ["top", ["-ignore=runtime|syscall"], { ignore: "runtime|syscall" }],
    ["top", ["-hide=[[:upper:]]\\w+\\.", "-show=^(main|runtime)\\."], { hide: "[[:upper:]]\\w+\\.", show: "^(main|runtime)\\." }],
    ["top", ["-show_from=\\Qmain.\\E"], { showFrom: "\\Qmain.\\E" }],
    ["top", ["-prune_from=^runtime\\.[a-z]+$"], { pruneFrom: "^runtime\\.[a-z]+$" }],
    ["top", ["-tagfocus=stage:pa.se,service:(api|batch)"], { tagFocus: "stage:pa.se,service:(api|batch)" }],
    ["top", ["-tagfocus=stage=^(parse|render)$"], { tagFocus: "stage=^(parse|render)$" }],
    ["top", ["-tagignore=tenant=(?i)ACME"], { tagIgnore: "tenant=(?i)ACME" }],
    ["tags", ["-tagshow=^s", "-taghide=vice$"], { tagShow: "^s", tagHide: "vice$" }],
    ["tree", ["-focus=main\\.", "-ignore=(?i)GC"], { focus: "main\\.", ignore: "(?i)GC" }],
    ["peek", ["-peek=^main\\.\\w+$"], { symbol: "^main\\.\\w+$" }],
  ];
  for (const file of files) {
    for (const [kind, args, cfg] of variants) {
      it(`${file.slice(ROOT.length + 1)} -${kind} ${args.join(" ")}`, () => {
        const pprofArgs = kind === "peek" ? ["-symbolize=none", ...args, file] : ["-symbolize=none", `-${kind}`, ...args, file];
        const theirs = runPprof(pprofArgs);
        let ours: string;
        try {
          [ours] = runReport(kind, { sources: [file] }, cfg);
        } catch (e) {
          // pprof must have failed too (peek with no match)
          expect(theirs.code, `${(e as Error).message}\npprof said: ${theirs.stderr}`).not.toBe(0);
          return;
        }
        expect(theirs.code, theirs.stderr).toBe(0);
        expect(ours).toBe(theirs.stdout);
      });
    }
  }
});
