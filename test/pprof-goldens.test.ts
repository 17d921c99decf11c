// Acceptance 1 of the engine: google/pprof's own report goldens, byte for byte.
// The cases come from ../shared/corpus/google-pprof/INDEX.md (section 2), with
// pprof's test base flags; every case whose report we implement runs.

import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Granularity, ReportConfig, ReportKind } from "../src/pprof/report/config.js";
import { CORPUS, runReport } from "./helpers/run.js";

const PPROF = join(CORPUS, "google-pprof");

interface Case {
  golden: string;
  flags: string;
  input: string;
  status: string;
}

function readCases(): Case[] {
  const md = readFileSync(join(PPROF, "INDEX.md"), "utf8");
  const section = md.split("## 2.")[1].split("## 3.")[0];
  const cases: Case[] = [];
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 6 || !cells[1].startsWith("pprof.")) continue;
    const flags = /`([^`]*)`/.exec(cells[2])?.[1] ?? "";
    const input = /synthetic\/[\w.]+/.exec(cells[3])?.[0] ?? "";
    cases.push({ golden: cells[1], flags, input, status: cells[4] });
  }
  return cases;
}

const REPORTS: Record<string, ReportKind> = {
  text: "text",
  tree: "tree",
  traces: "traces",
  tags: "tags",
  peek: "peek",
  comments: "comments",
  dot: "dot",
};

/** Turn an INDEX flags cell (`text,lines,cum,hide=line[X3]0`) into a report kind and config. */
function toConfig(flags: string): { kind: ReportKind; cfg: Partial<ReportConfig>; addComment: string } | null {
  let addComment = "";
  // pprof's driver test base flags
  const cfg: Partial<ReportConfig> = {
    compactLabels: true,
    trim: true,
    nodeCount: 20,
    nodeFraction: 0.05,
    edgeFraction: 0.01,
    divideBy: 1,
    unit: "minimum",
  };
  let kind: ReportKind | null = null;
  // Split on commas that start a new key (values such as `1mb:2gb` have no commas).
  for (const part of flags.split(",")) {
    const eq = part.indexOf("=");
    const key = eq >= 0 ? part.slice(0, eq) : part;
    const val = eq >= 0 ? part.slice(eq + 1) : "";
    if (key in REPORTS && kind === null) {
      kind = REPORTS[key];
      if (key === "peek") cfg.symbol = val;
      continue;
    }
    switch (key) {
      case "functions":
      case "filefunctions":
      case "files":
      case "lines":
      case "addresses":
        cfg.granularity = key as Granularity;
        break;
      case "flat":
        cfg.cum = false;
        break;
      case "cum":
        cfg.cum = true;
        break;
      case "noinlines":
        cfg.noInlines = true;
        break;
      case "call_tree":
        cfg.callTree = true; // honoured by dot only, as in pprof
        break;
      case "relative_percentages":
        cfg.relativePercentages = true;
        break;
      case "nodecount":
        cfg.nodeCount = Number(val);
        break;
      case "unit":
        cfg.unit = val;
        break;
      case "focus":
        cfg.focus = val;
        break;
      case "ignore":
        cfg.ignore = val;
        break;
      case "hide":
        cfg.hide = val;
        break;
      case "show":
        cfg.show = val;
        break;
      case "show_from":
        cfg.showFrom = val;
        break;
      case "tagfocus":
        cfg.tagFocus = val;
        break;
      case "tagignore":
        cfg.tagIgnore = val;
        break;
      case "tagshow":
        cfg.tagShow = val;
        break;
      case "taghide":
        cfg.tagHide = val;
        break;
      case "add_comment":
        addComment = val;
        break;
      case "alloc_objects":
      case "alloc_space":
      case "inuse_objects":
      case "inuse_space":
        cfg.sampleIndex = key;
        break;
      default:
        return null; // a flag of a report we do not implement (dot, callgrind, all_frames...)
    }
  }
  return kind === null ? null : { kind, cfg, addComment };
}

const cases = readCases();

describe("google/pprof report goldens (INDEX.md section 2)", () => {
  it("finds the cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });
  const skipped: string[] = [];
  for (const c of cases) {
    const spec = toConfig(c.flags);
    if (spec === null) {
      skipped.push(`${c.golden} (${c.flags})`);
      continue;
    }
    it(`${c.golden} [${c.flags}]`, () => {
      const golden = readFileSync(join(PPROF, "internal/driver/testdata", c.golden), "utf8");
      const input = join(PPROF, c.input);
      expect(existsSync(input)).toBe(true);
      const [out] = runReport(spec.kind, { sources: [input], addComment: spec.addComment }, spec.cfg);
      expect(out).toBe(golden);
    });
  }
  it("lists what it skips", () => {
    // Skipped: callgrind, comments, topproto, disasm, weblist and all_frames cases
    // (reports godiag does not implement yet). Printed so the gap stays visible.
    console.log(`pprof goldens skipped (report not implemented):\n  ${skipped.join("\n  ")}`);
    expect(skipped.filter((s) => /^pprof\.[\w.]*\.(text|tree|traces|tags|peek|comments|dot)\b/.test(s) && !/all_frames|topproto/.test(s))).toEqual([]);
  });
});
