// Acceptance 2 of the engine: go tool pprof is the oracle. Every profile under
// testdata/profiles/ (real captures of our Go workloads) is reported by both
// tools over a matrix of reports x sample_index x granularity x filters, and the
// text must be identical. Without Go on the machine the suite says so loudly.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReportConfig, ReportKind } from "../src/pprof/report/config.js";
import { readProfile } from "../src/api/profiles.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { pprofBinary, ROOT, runPprof, runReport } from "./helpers/run.js";
import { available } from "./helpers/available.js";

const PROFILES = join(ROOT, "testdata/profiles");
const hasGo = available(pprofBinary() !== null, "Go (go tool pprof)");
if (!hasGo) {
  console.warn("\n*** SKIPPED: go is not on PATH, so the go tool pprof differential tests did not run ***\n");
}

function profileFiles(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(PROFILES)) {
    const d = join(PROFILES, dir);
    if (!statSync(d).isDirectory()) continue;
    for (const f of readdirSync(d)) {
      // debug=2 goroutine dumps are not a pprof input format
      if (f.includes("debug2")) continue;
      out.push(join(d, f));
    }
  }
  return out.sort();
}

interface Variant {
  name: string;
  kind: ReportKind;
  args: string[];
  cfg: Partial<ReportConfig>;
  base?: { flag: "diff_base" | "base"; file: string };
  extraSources?: string[];
}

/** A pprof flag list and the equivalent godiag config. */
function variant(kind: ReportKind, extra: [string, Partial<ReportConfig>][], sampleIndex?: string): Variant {
  const args = [`-${kind}`];
  let cfg: Partial<ReportConfig> = {};
  if (sampleIndex !== undefined) {
    args.push(`-sample_index=${sampleIndex}`);
    cfg.sampleIndex = sampleIndex;
  }
  for (const [flag, c] of extra) {
    args.push(flag);
    cfg = { ...cfg, ...c };
  }
  return { name: args.join(" "), kind, args, cfg };
}

function variantsFor(file: string, sampleTypes: string[]): Variant[] {
  const vs: Variant[] = [];
  const grains: [string, Partial<ReportConfig>][] = [
    ["-functions", { granularity: "functions" }],
    ["-filefunctions", { granularity: "filefunctions" }],
    ["-files", { granularity: "files" }],
    ["-lines", { granularity: "lines" }],
    ["-addresses", { granularity: "addresses" }],
  ];
  sampleTypes.forEach((st, i) => {
    const si = sampleTypes.length > 1 ? st : undefined;
    for (const g of grains) {
      vs.push(variant("top", [g], si));
      // Not tree at -files: its default nodecount (80) keeps the top nodes, and at file
      // granularity the ties that straddle the cut are ordered by Go map iteration, so
      // pprof itself picks a different node set from run to run. There is no oracle.
      if (g[0] !== "-files") vs.push(variant("tree", [g], si));
    }
    vs.push(variant("traces", [], si));
    vs.push(variant("tags", [], si));
    if (i > 0) return; // the filters once per file, on the first sample type
    vs.push(variant("top", [["-cum", { cum: true }]], si));
    vs.push(variant("top", [["-noinlines", { noInlines: true }], ["-lines", { granularity: "lines" }]], si));
    vs.push(variant("top", [["-focus=main\\.", { focus: "main\\." }]], si));
    vs.push(variant("top", [["-ignore=runtime\\.", { ignore: "runtime\\." }]], si));
    vs.push(variant("top", [["-hide=runtime", { hide: "runtime" }]], si));
    vs.push(variant("top", [["-show_from=main\\.", { showFrom: "main\\." }]], si));
    vs.push(variant("tree", [["-focus=main\\.", { focus: "main\\." }], ["-relative_percentages", { relativePercentages: true }]], si));
    vs.push(variant("top", [["-nodecount=5", { nodeCount: 5 }], ["-nodefraction=0.1", { nodeFraction: 0.1 }]], si));
    vs.push(peek(si));
    vs.push(variant("top", [["-tagfocus=stage=parse", { tagFocus: "stage=parse" }]], si));
    vs.push(variant("top", [["-unit=ms", { unit: "ms" }]], si));
    vs.push(variant("raw", [], si));
  });
  // Comparisons and merges against another capture of the same kind.
  const kind = file.split("/").pop() ?? "";
  const other = join(PROFILES, file.includes("/cpubound/") ? "labels" : "cpubound", kind);
  if (kind.endsWith(".pb.gz") && existsSync(other)) {
    for (const flag of ["diff_base", "base"] as const) {
      vs.push({ ...variant("top", []), name: `-top -${flag}`, base: { flag, file: other } });
    }
    vs.push({ ...variant("tree", []), name: "-tree -diff_base", base: { flag: "diff_base", file: other } });
    vs.push({ ...variant("top", []), name: "-top (merged with another capture)", extraSources: [other] });
  }
  return vs;
}

function filesCanonical(s: string): string[] {
  // drop the third column (sum%) of report rows: "<flat> <flat%> <sum%> <cum> <cum%> ..."
  return s
    .split("\n")
    .map((l) => l.replace(/^(\s*\S+\s+\S+%)\s+\S+%(\s+)/, "$1$2"))
    .sort();
}

function blocksCanonical(s: string): string[][] {
  return s.split(/^-+\+-+$/m).map((b) => b.split("\n").sort());
}

function peek(si: string | undefined): Variant {
  const args = ["-peek=main\\."];
  if (si !== undefined) args.push(`-sample_index=${si}`);
  return { name: args.join(" "), kind: "peek", args, cfg: { symbol: "main\\.", ...(si ? { sampleIndex: si } : {}) } };
}

describe.skipIf(!hasGo)("differential vs go tool pprof on testdata/profiles", () => {
  const files = profileFiles();
  it("has real profiles to compare", () => {
    expect(files.length).toBeGreaterThan(20);
  });
  for (const file of files) {
    const rel = file.slice(ROOT.length + 1);
    describe(rel, () => {
      let sampleTypes: string[];
      try {
        sampleTypes = readProfile(file, DEFAULT_LIMITS).sampleTypes.map((t) => t.type);
      } catch {
        sampleTypes = [];
      }
      for (const v of variantsFor(file, sampleTypes)) {
        it(v.name, () => {
          const theirs = runPprof(["-symbolize=none", ...v.args, ...(v.base ? [`-${v.base.flag}=${v.base.file}`] : []), ...(v.extraSources ?? []), file]);
          let ours: string;
          try {
            [ours] = runReport(
              v.kind,
              {
                sources: [...(v.extraSources ?? []), file],
                bases: v.base ? [v.base.file] : [],
                diffBase: v.base?.flag === "diff_base",
              },
              v.cfg,
            );
          } catch (e) {
            // pprof must have failed too (e.g. peek with no match)
            expect(theirs.code, `${(e as Error).message}\npprof said: ${theirs.stderr}`).not.toBe(0);
            return;
          }
          expect(theirs.code, theirs.stderr).toBe(0);
          if (v.args.includes("-files")) {
            // At file granularity pprof keeps one node per (file, function start line), so one
            // file can fill several rows with the same name and numbers tie; pprof orders such
            // ties by Go map iteration, differently on each run (try it). Compare the rows as a
            // multiset, without the running sum% column that depends on that order.
            expect(filesCanonical(ours)).toEqual(filesCanonical(theirs.stdout));
          } else if (v.base && v.kind === "tree") {
            // With a diff base, callers/callees of equal |weight| and opposite sign are ties that
            // pprof leaves in map order (again different on each run): compare each block's lines as a set.
            expect(blocksCanonical(ours)).toEqual(blocksCanonical(theirs.stdout));
          } else {
            expect(ours).toBe(theirs.stdout);
          }
        });
      }
    });
  }
});
