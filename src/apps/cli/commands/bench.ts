// `godiag bench`: benchstat-exact summaries and A/B comparisons of Go benchmark
// output (text/CSV byte-identical to benchstat), JSON and markdown renderings,
// CI gates; and the evidence an optimisation PR needs: latency percentiles with ΔP99
// (--latency) and the GC pause time reduction ratio from two gctrace logs (--gc).

import type { Command } from "commander";
import { limitOptions, numberFlag, type IO } from "../flags.js";
import { EXIT } from "../exit.js";
import { BenchstatUsageError, DEFAULT_BENCHSTAT, runBenchstat, checkGates, GateSyntaxError, parseGate, type GateReport, seedRatios, signedPct, compareLatency, summarizeLatency, type Estimate, type LatencySummary, pauseReduction, type PauseStats, parseGcTrace, parseLatency, benchstatJSON, renderBenchstatMarkdown, renderBenchstatCSV, renderBenchstatText } from "../../../api/bench.js";
import { readFileCapped, InputError, UsageError, textOf } from "../../../api/errors.js";

interface BenchFlags {
  table: string;
  row: string;
  col: string;
  ignore: string;
  filter: string;
  alpha: string;
  confidence: string;
  format: string;
  json?: boolean;
  md?: boolean;
  gate: string[];
  ratios?: boolean;
  latency?: boolean;
  gc?: boolean;
  seed: string;
  resamples?: string;
  max_input?: string;
}


const num = (flag: string, v: string): number => numberFlag(`-${flag}`, v);

export function registerBenchCommand(program: Command, io: IO): void {
  program
    .command("bench")
    .description("compare Go benchmark runs exactly like benchstat (+ --json/--md, --gate); --latency: P50..P99.9 and ΔP99; --gc: GC pause reduction")
    .argument("<inputs...>", "benchmark outputs (old first; label=path names a column), or latency files / gctrace logs")
    .option("--table <projection>", "split results into tables by distinct values of projection", DEFAULT_BENCHSTAT.table)
    .option("--row <projection>", "split results into rows by distinct values of projection", DEFAULT_BENCHSTAT.row)
    .option("--col <projection>", "split results into columns by distinct values of projection", DEFAULT_BENCHSTAT.col)
    .option("--ignore <keys>", "ignore variations in keys", DEFAULT_BENCHSTAT.ignore)
    .option("--filter <query>", "use only benchmarks matching benchfilter query", DEFAULT_BENCHSTAT.filter)
    .option("--alpha <α>", "consider change significant if p < α", "0.05")
    .option("--confidence <level>", "confidence level for ranges", "0.95")
    .option("--format <format>", "text | csv (csv warnings go to stderr)", "text")
    .option("--json", "all numbers as JSON (docs/JSON.md)")
    .option("--md", "markdown for a pull-request comment")
    .option("--gate <spec>", "fail (exit 1) on a significant change beyond e.g. 'sec/op<=+5%' or 'allocs/op<=0' (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--ratios", "after the table, print allocs/op, B/op and sec/op decrease (seed protocol)")
    .option("--latency", "inputs are latency samples (one per line, CSV, hey -o csv, vegeta csv/json): percentiles, ΔP99")
    .option("--gc", "inputs are two GODEBUG=gctrace=1 logs: GC pause time reduction ratio")
    .option("--seed <n>", "bootstrap PRNG seed (--latency)", "1")
    .option("--resamples <n>", "bootstrap resamples (--latency; default 1000, fewer for huge samples)")
    .option("--max_input <bytes>", "largest input file read")
    .action((inputs: string[], f: BenchFlags) => {
      const limits = limitOptions(f.max_input, undefined);
      const readText = (path: string) => textOf(readFileCapped(path, limits), path);
      if (f.latency && f.gc) throw new UsageError("--latency and --gc are different modes; pick one");
      if (f.latency) return latencyMode(inputs, f, readText, io);
      if (f.gc) return gcMode(inputs, f, readText, io);
      benchMode(inputs, f, readText, io);
    });
}

function benchMode(inputs: string[], f: BenchFlags, readText: (p: string) => string, io: IO): void {
  if (f.format !== "text" && f.format !== "csv") throw new UsageError("-format must be text or csv");
  let gates;
  try {
    gates = f.gate.map(parseGate);
  } catch (e) {
    if (e instanceof GateSyntaxError) throw new UsageError(e.message);
    throw e;
  }
  let r;
  try {
    r = runBenchstat(
      inputs,
      {
        table: f.table,
        row: f.row,
        col: f.col,
        ignore: f.ignore,
        filter: f.filter,
        alpha: num("alpha", f.alpha),
        confidence: num("confidence", f.confidence),
      },
      readText,
    );
  } catch (e) {
    if (e instanceof BenchstatUsageError) throw new UsageError(e.message);
    throw e;
  }
  for (const d of r.diagnostics) io.err(d + "\n");
  const gateReport: GateReport | null = gates.length > 0 ? checkGates(r.tables, gates) : null;
  if (f.json) {
    io.out(JSON.stringify({ ...benchstatJSON(r.tables, r.diagnostics, gateReport), ratios: seedRatios(r.tables) }, null, 2) + "\n");
  } else if (f.md) {
    io.out(renderBenchstatMarkdown(r.tables, gateReport));
  } else if (f.format === "csv") {
    const c = renderBenchstatCSV(r.tables);
    io.out(c.stdout);
    io.err(c.stderr);
  } else {
    io.out(renderBenchstatText(r.tables));
    if (f.ratios) {
      const rs = seedRatios(r.tables);
      if (rs.length > 0) io.out("\n");
      for (const x of rs) {
        const g = x.geomeanDecrease === null ? "?" : pct(x.geomeanDecrease);
        io.out(`${x.unit} decrease (${x.column} vs base, geomean): ${g}\n`);
      }
    }
  }
  if (gateReport !== null) {
    for (const v of gateReport.violations) {
      io.err(`godiag: gate ${v.gate} broken: ${v.row}${v.column ? ` [${v.column}]` : ""} ${signedPct(v.deltaPercent)} (p=${v.p.toFixed(3)})\n`);
    }
    if (gateReport.violations.length > 0) process.exitCode = EXIT.WARNING;
  }
}

const pct = (x: number) => (x * 100).toFixed(2) + "%";
const sig = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(4)) : String(x));
const est = (e: Estimate) => `${sig(e.value)} [${sig(e.lo)}, ${sig(e.hi)}]`;
const pname = (p: number) => "P" + String(p * 100);

function latencyMode(inputs: string[], f: BenchFlags, readText: (p: string) => string, io: IO): void {
  if (inputs.length < 1 || inputs.length > 2) throw new UsageError("--latency takes one file (summary) or two (old new)");
  const confidence = num("confidence", f.confidence);
  if (!(confidence > 0 && confidence < 1)) throw new UsageError("-confidence must be in range (0, 1)");
  const seed = num("seed", f.seed);
  const resamples = f.resamples !== undefined ? Math.max(10, Math.floor(num("resamples", f.resamples))) : undefined;
  const data = inputs.map((p) => parseLatency(readText(p), p));
  const opts = { confidence, seed, resamples };
  const level = `${+(confidence * 100).toFixed(4)}%`;
  if (data.length === 1) {
    const s = summarizeLatency(data[0].values, opts);
    if (f.json) return io.out(JSON.stringify({ unit: "ms", format: data[0].format, skipped: data[0].skipped, summary: s }, null, 2) + "\n");
    io.out(`latency (ms, ${level} bootstrap CI)  ${data[0].file}\n`);
    io.out(summaryLines(s).map(([k, v]) => `${k.padEnd(6)} ${v}\n`).join(""));
    return;
  }
  const c = compareLatency(data[0].values, data[1].values, opts);
  if (f.json) {
    return io.out(
      JSON.stringify({ unit: "ms", files: data.map((d) => ({ file: d.file, format: d.format, skipped: d.skipped })), ...c }, null, 2) + "\n",
    );
  }
  const a = summaryLines(c.old);
  const b = summaryLines(c.new);
  const w1 = Math.max(data[0].file.length, ...a.map(([, v]) => v.length));
  const w2 = Math.max(data[1].file.length, ...b.map(([, v]) => v.length));
  const rows: string[][] = [[`ms`, data[0].file, data[1].file, `delta (${level} CI)`]];
  a.forEach(([k, v], i) => {
    const d = c.deltas.find((x) => pname(x.p) === k);
    const delta = d === undefined ? "" : `${d.significant ? signedPct(d.rel.value * 100) : "~"} [${signedPct(d.rel.lo * 100)}, ${signedPct(d.rel.hi * 100)}]`;
    rows.push([k, v, b[i][1], delta]);
  });
  for (const r of rows) io.out(`${r[0].padEnd(6)}  ${r[1].padEnd(w1)}  ${r[2].padEnd(w2)}  ${r[3]}`.trimEnd() + "\n");
  const d99 = c.deltas.find((x) => x.p === 0.99)!;
  io.out(
    `\nΔP99: ${signedPct(d99.rel.value * 100)} (${sig(c.old.percentiles[2].est.value)} ms → ${sig(c.new.percentiles[2].est.value)} ms; ` +
      `${level} CI ${signedPct(d99.rel.lo * 100)} .. ${signedPct(d99.rel.hi * 100)}${d99.significant ? "" : ", not significant"})\n`,
  );
  for (const d of data) if (d.skipped > 0) io.err(`godiag: ${d.file}: skipped ${d.skipped} failed requests\n`);
}

function summaryLines(s: LatencySummary): [string, string][] {
  return [["n", String(s.n)], ["mean", sig(s.mean)], ...s.percentiles.map((p) => [pname(p.p), est(p.est)] as [string, string]), ["max", sig(s.max)]];
}

function gcMode(inputs: string[], f: BenchFlags, readText: (p: string) => string, io: IO): void {
  if (inputs.length !== 2) throw new UsageError("--gc takes two gctrace logs: old new");
  const traces = inputs.map((p) => {
    const t = parseGcTrace(readText(p), p);
    if (t.cycles.length === 0) throw new InputError(p, "not a gctrace log (no \"gc N @...\" lines; run with GODEBUG=gctrace=1)");
    return t;
  });
  const r = pauseReduction(traces[0], traces[1]);
  if (f.json) return io.out(JSON.stringify(r, null, 2) + "\n");
  const row = (label: string, g: (s: PauseStats) => string, red: number | null) =>
    `${label.padEnd(18)} ${g(r.old).padStart(12)} ${g(r.new).padStart(12)}  ${red === null ? "" : pct(red)}\n`;
  const ms = (x: number | null) => (x === null ? "-" : sig(x));
  io.out(`${"STW pause (ms)".padEnd(18)} ${"old".padStart(12)} ${"new".padStart(12)}  reduction\n`);
  io.out(row("cycles", (s) => String(s.cycles), null));
  io.out(row("pause sum", (s) => ms(s.sumMs), r.sumReduction));
  io.out(row("pause p99", (s) => ms(s.p99Ms), r.p99Reduction));
  io.out(row("pause max", (s) => ms(s.maxMs), null));
  io.out(row("pause per second", (s) => ms(s.msPerSec), r.msPerSecReduction));
  io.out(`\nGC pause time reduction ratio (pause_old − pause_new)/pause_old: ${r.sumReduction === null ? "?" : r.sumReduction.toFixed(4)}\n`);
  for (const t of traces) for (const w of t.warnings) io.err(`godiag: ${t.file}: ${w}\n`);
}
