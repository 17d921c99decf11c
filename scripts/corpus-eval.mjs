#!/usr/bin/env node
// Scores `godiag diagnose` on every capture of the fault corpus against the ground truth
// and prints the confusion matrix (true category x top finding) per half.
//
//   node scripts/corpus-eval.mjs [--half tuning|validation] [--md] [--verbose]
//
// Cases: testdata/corpus/<service>/<variant>/ (truth: testdata/services/<service>/truth.json)
// and the older fault bundles testdata/captures/<workload>/ (truth: CAPTURE_TRUTH below,
// from each workload's own description in testdata/workloads/faults/).
// The split into halves is the fixed rule of docs/DIAGNOSE.md ("Tuning and validation"):
// a service is in the tuning half when the first hex digit of sha256(name) is 0-7.
// Needs dist/ (npm run build).

import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const onlyHalf = args.includes("--half") ? args[args.indexOf("--half") + 1] : undefined;
const md = args.includes("--md");
const verbose = args.includes("--verbose");

export const CAPTURE_TRUTH = {
  backpressure: { category: "channel-backpressure", function: "main.enqueueJob" },
  cpuhotspot: { category: "cpu-hotspot", function: "main.validateEmail" },
  // A lock-order inversion is fixed in either function of the cycle.
  deadlock: { category: "deadlock", function: ["main.transferFunds", "main.auditLedger"] },
  gcpressure: { category: "gc-pressure", function: "main.buildRequestTree" },
  healthy: { category: "none", function: "" },
  heapgrowth: { category: "heap-growth", function: "main.cacheResponse" },
  leakserver: { category: "goroutine-leak", function: "main.notifyAudit" },
  lockcontention: { category: "mutex-contention", function: "main.(*registry).touch" },
  memlimit: { category: "memory-limit-thrash", function: "main.loadDataset" },
  // The server is built and served by the workloads' harness, which is user code here.
  notimeout: { category: "connection-pileup", function: "godiag.test/workloads/internal/faultserver.(*Session).Serve" },
  tinywrites: { category: "syscall-heavy", function: "main.writeAuditRecord" },
};

export function halfOf(name) {
  const h = createHash("sha256").update(name).digest("hex");
  return parseInt(h[0], 16) < 8 ? "tuning" : "validation";
}

export function corpusCases() {
  const cases = [];
  const corpus = join(ROOT, "testdata/corpus");
  for (const service of readdirSync(corpus).sort()) {
    const dir = join(corpus, service);
    const truthFile = join(ROOT, "testdata/services", service, "truth.json");
    if (!statSync(dir).isDirectory() || !existsSync(truthFile)) continue;
    const truth = JSON.parse(readFileSync(truthFile, "utf8"));
    for (const variant of readdirSync(dir).sort()) {
      if (!statSync(join(dir, variant)).isDirectory()) continue;
      cases.push({ service, variant, dir: join(dir, variant), truth, half: halfOf(service) });
    }
  }
  for (const [name, truth] of Object.entries(CAPTURE_TRUTH)) {
    const dir = join(ROOT, "testdata/captures", name);
    if (existsSync(dir)) cases.push({ service: name, variant: "bundle", dir, truth, half: halfOf(name) });
  }
  return cases;
}

/** The verdict: the top finding above info, or "none". */
export function verdictOf(diagnosis) {
  const top = diagnosis.findings.find((f) => f.severity !== "info");
  if (!top) return { category: "none", function: "", severity: "info" };
  return { category: top.category, function: top.functions?.[0] ?? "", severity: top.severity, title: top.title };
}

/** A closure is named after its function by Go (F.func1, F.func1.2): either names the place to fix. */
export function sameFunction(got, want) {
  return got === want || (got.startsWith(want) && /^(\.func\d+|\.\d+)+$/.test(got.slice(want.length)));
}

export function judge(truth, v) {
  if (truth.category === "none") return v.category === "none";
  const wants = Array.isArray(truth.function) ? truth.function : [truth.function];
  return v.category === truth.category && wants.some((w) => sameFunction(v.function, w));
}

function main() {
  const godiag = join(ROOT, "dist/godiag.mjs");
  const rows = [];
  for (const c of corpusCases()) {
    if (onlyHalf && c.half !== onlyHalf) continue;
    const r = spawnSync(process.execPath, [godiag, "diagnose", "--json", c.dir], { encoding: "utf8", maxBuffer: 1 << 28 });
    let v;
    if (r.status === 2 || r.status === 70) v = { category: `error(${r.status})`, function: r.stderr.trim().slice(0, 100) };
    else v = verdictOf(JSON.parse(r.stdout));
    rows.push({ ...c, v, ok: judge(c.truth, v) });
  }
  for (const half of ["tuning", "validation"]) {
    const hs = rows.filter((r) => r.half === half);
    if (hs.length === 0) continue;
    const ok = hs.filter((r) => r.ok).length;
    console.log(`\n${half}: ${ok}/${hs.length} right (${((100 * ok) / hs.length).toFixed(0)} %)`);
    const cats = [...new Set(hs.map((r) => r.truth.category))].sort();
    const got = [...new Set(hs.map((r) => (r.v.category === r.truth.category && !r.ok ? `${r.v.category} (wrong fn)` : r.v.category)))].sort();
    if (md) {
      console.log(`\n| true \\ top finding | ${got.join(" | ")} |`);
      console.log(`|---|${got.map(() => "---:").join("|")}|`);
      for (const t of cats) {
        const cells = got.map((g) => hs.filter((r) => r.truth.category === t && (r.v.category === r.truth.category && !r.ok ? `${r.v.category} (wrong fn)` : r.v.category) === g).length || "");
        console.log(`| ${t} | ${cells.join(" | ")} |`);
      }
    }
    for (const r of hs) {
      if (r.ok && !verbose) continue;
      console.log(`${r.ok ? "ok  " : "MISS"} ${r.service}/${r.variant}: want ${r.truth.category} ${r.truth.function} | got ${r.v.category} ${r.v.function} ${r.v.severity ?? ""}`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
