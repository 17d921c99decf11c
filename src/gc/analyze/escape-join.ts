// Join escape-analysis diagnostics (go build -gcflags=-m=2) to allocation sites
// by file:line: the hot allocations that escape, with the compiler's reason.
// Compiler paths are relative to the build directory (./main.go) while profiles
// hold absolute paths, so a diagnostic matches a site whose path ends with it.

import type { EscapeEntry } from "../read/escape.js";
import type { AllocSite } from "./alloc-sites.js";

export interface EscapingAlloc {
  site: string;
  file: string;
  line: number;
  allocBytes: number;
  allocObjects: number;
  escapes: { kind: EscapeEntry["kind"]; what: string; reasons: string[] }[];
}

function pathMatches(profileFile: string, compilerFile: string): boolean {
  const c = compilerFile.replace(/^\.\//, "");
  return profileFile === c || profileFile.endsWith("/" + c);
}

export function joinEscapes(sites: readonly AllocSite[], entries: readonly EscapeEntry[]): EscapingAlloc[] {
  const byLine = new Map<number, EscapeEntry[]>();
  for (const e of entries) {
    const l = byLine.get(e.line) ?? [];
    l.push(e);
    byLine.set(e.line, l);
  }
  const out: EscapingAlloc[] = [];
  const seen = new Set<string>();
  for (const s of sites) {
    const fr = s.userFrame ?? s;
    const key = `${fr.file}:${fr.line}`;
    const cand = (byLine.get(fr.line) ?? []).filter((e) => pathMatches(fr.file, e.file));
    if (cand.length === 0) continue;
    const prev = seen.has(key) ? out.find((o) => `${o.file}:${o.line}` === key) : undefined;
    if (prev) {
      prev.allocBytes += s.allocBytes;
      prev.allocObjects += s.allocObjects;
      continue;
    }
    seen.add(key);
    out.push({
      site: fr.name,
      file: fr.file,
      line: fr.line,
      allocBytes: s.allocBytes,
      allocObjects: s.allocObjects,
      escapes: cand.map((e) => ({ kind: e.kind, what: e.what, reasons: e.reasons })),
    });
  }
  return out.sort((a, b) => b.allocBytes - a.allocBytes);
}
