// `go build -gcflags=-m=2` (or -m) output: the compiler's escape-analysis
// diagnostics, one "file:line:col: message" per line. We keep what puts values
// on the heap — "moved to heap: x" and "EXPR escapes to heap" — with the -m=2
// explanation lines that follow at the same position ("flow: ...",
// "from EXPR (reason) at POS"), so a hot allocation can be shown with its why.

export interface EscapeEntry {
  /** file as the compiler printed it (often relative: ./main.go) */
  file: string;
  line: number;
  col: number;
  kind: "moved" | "escapes";
  /** the variable (moved) or expression (escapes) */
  what: string;
  /** the -m=2 "from ... (reason)" reasons, outermost last, deduplicated */
  reasons: string[];
  /** 1-based line of the diagnostic in the input */
  inputLine: number;
}

export interface EscapeReport {
  file: string;
  entries: EscapeEntry[];
  /** diagnostics we recognise but do not keep (inlining, does not escape, leaking param...) */
  other: number;
  /** lines that are not compiler diagnostics at all (package headers excepted) */
  skipped: number;
}

const DIAG_RE = /^(.+?\.go):(\d+):(\d+): (.*)$/;
const FROM_RE = /^\s+from .*? \(([^)]+)\) at /;

export function parseEscape(text: string, file: string): EscapeReport {
  const out: EscapeReport = { file, entries: [], other: 0, skipped: 0 };
  const lines = text.split("\n");
  let cur: EscapeEntry | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    if (line.trim() === "" || line.startsWith("# ")) continue;
    const m = DIAG_RE.exec(line);
    if (m === null) {
      out.skipped++;
      continue;
    }
    const [, f, ln, col, msg] = m;
    if (/^\s/.test(msg)) {
      // -m=2 explanation of the diagnostic just above at the same position
      const r = FROM_RE.exec(msg);
      if (cur && r && cur.file === f && cur.line === Number(ln) && !cur.reasons.includes(r[1])) cur.reasons.push(r[1]);
      continue;
    }
    cur = null;
    let kind: EscapeEntry["kind"] | null = null;
    let what = "";
    let mm: RegExpExecArray | null;
    if ((mm = /^moved to heap: (.+)$/.exec(msg))) {
      kind = "moved";
      what = mm[1];
    } else if ((mm = /^(.+) escapes to heap(?: in .*)?:?$/.exec(msg))) {
      kind = "escapes";
      what = mm[1];
    }
    if (kind === null) {
      out.other++;
      continue;
    }
    cur = { file: f, line: Number(ln), col: Number(col), kind, what, reasons: [], inputLine: i + 1 };
    out.entries.push(cur);
  }
  out.entries = dedupe(out.entries);
  return out;
}

/**
 * -m=2 states each fact up to three times: "x escapes to heap in F:" with its
 * explanation, the plain "x escapes to heap", and for variables "moved to heap: x".
 * Keep one entry per position and value, with the reasons merged.
 */
function dedupe(entries: EscapeEntry[]): EscapeEntry[] {
  const byKey = new Map<string, EscapeEntry>();
  const pos = (e: EscapeEntry) => `${e.file}:${e.line}:${e.col}\0${e.what}`;
  // moved entries first, so an escape of the same variable folds into them
  const ordered = [...entries.filter((e) => e.kind === "moved"), ...entries.filter((e) => e.kind !== "moved")];
  for (const e of ordered) {
    const prev = byKey.get(pos(e));
    if (prev) {
      for (const r of e.reasons) if (!prev.reasons.includes(r)) prev.reasons.push(r);
      prev.inputLine = Math.min(prev.inputLine, e.inputLine);
    } else {
      byKey.set(pos(e), e);
    }
  }
  return [...byKey.values()].sort((a, b) => a.inputLine - b.inputLine);
}

