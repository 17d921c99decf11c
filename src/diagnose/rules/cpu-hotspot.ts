// cpu-hotspot: one function of the service's own code (with the library code it
// calls) takes a large share of the CPU the process burns. What makes it a
// problem is the kind of work, not how loaded the service happened to be:
//   - a known mistake under it (a regexp compiled or a template parsed per call):
//     a warning from MIN_WASTE_SHARE, critical when the process is busy;
//   - its own instructions (a loop in user code: quadratic scans, needless
//     recomputation, or the service's real work: the profile cannot tell) take
//     MIN_SHARE of the CPU: a warning at any load and any share;
//   - it holds most of the process's CPU (MOST) building bytes in memory
//     (json.Marshal, fmt.Sprintf...) off the response path (response-path.ts): a
//     warning: the process spends more on bytes it does not send as responses than
//     on everything else it does together;
//   - otherwise the time goes to library work it asked for (encoding, hashing,
//     sorting, I/O): that is where the CPU goes, not a defect: info.

import { topEntries, type Attribution } from "../../core/go/index.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../finding.js";
import { pct, secs, type Rule } from "../rule.js";
import { cpuAnalysis, LOOP_LEAVES } from "../cpu.js";
import { attributeFolded, selfFolded } from "./callbacks.js";
import { responsePath, type ResponsePath } from "./response-path.js";

/** A function's own instructions must take at least this share of CPU samples to be a hot spot. */
const MIN_SHARE = 0.2;
/**
 * ... and this many samples of its own: a share of fewer is not a measurement (with
 * k samples the share's relative error is about 1/√k; at 100 Hz, 10 samples are
 * 100 ms of its own instructions). A nearly idle process's 3 samples are noise.
 */
const MIN_OWN_SAMPLES = 10;
/**
 * A known mistake (KNOWN_WASTE below) is named from this share on: compiling a
 * regexp per request at 10 % of CPU is worth fixing even when it is not the top item.
 */
const MIN_WASTE_SHARE = 0.1;
/**
 * Critical needs a busy process (this many cores on average): a defect in an idle
 * process is still a defect (warning), but not an incident.
 */
const MIN_CORES = 0.25;
/**
 * "Most of the process's CPU": more than everything else the process does together
 * (serving requests, reading bodies, writing responses, the runtime and the GC). A
 * function that holds that much building bytes in memory that it does not write as a
 * response is what `pprof -top -cum` puts in front of the reader, whatever the flat
 * frames are.
 */
const MOST = 0.5;

/**
 * Calls worth recognising under a hot function. `mistake`: almost always wrong on a
 * request path (named from MIN_WASTE_SHARE, critical, and reported as the finding's
 * pattern); the others are legitimate but costly work that only sharpens the advice.
 */
const KNOWN_WASTE: Array<{ pattern: string; mistake: boolean; re: RegExp; what: string; fix: string }> = [
  {
    pattern: "regexp-compile-per-call",
    mistake: true,
    re: /^regexp\.(Must)?Compile(POSIX)?$|^regexp\.compile$|^regexp\/syntax\./,
    what: "compiles a regular expression on every call",
    fix: "compile the pattern once (a package-level `var re = regexp.MustCompile(...)`) and reuse it",
  },
  {
    pattern: "template-parse-per-call",
    mistake: true,
    re: /^text\/template\.\(\*Template\)\.Parse$|^html\/template\.\(\*Template\)\.Parse$|^text\/template\.New$/,
    what: "parses a template on every call",
    fix: "parse templates once at start-up and execute the parsed template",
  },
  {
    pattern: "reflection-json",
    mistake: false,
    re: /^encoding\/json\.(Marshal|Unmarshal|\(\*decodeState\)|\(\*encodeState\))/,
    what: "spends its time in reflection-based encoding/json",
    fix: "encode less (smaller payloads, cache encoded responses), or use a generated/streaming encoder",
  },
  {
    pattern: "fmt-in-hot-path",
    mistake: false,
    re: /^fmt\.(Sprintf|Sprint|Fprintf)$/,
    what: "formats strings with fmt in a hot path",
    fix: "use strconv/append-style formatting or precompute the strings",
  },
  {
    pattern: "large-hashing",
    mistake: false,
    re: /^crypto\/(sha256|sha512|sha1|md5)\.|^crypto\/internal\/fips140\/sha(256|512)\./,
    what: "hashes large inputs",
    fix: "hash less data or less often (cache the digest, hash only what changed)",
  },
];

export const cpuHotspotRule: Rule = {
  name: "cpu-hotspot",
  run(ctx: DiagnoseContext): Finding[] {
    const analysis = cpuAnalysis(ctx);
    if (!analysis) return [];
    const { input: cpu, typeIndex: ti } = analysis;
    if (ti < 0) return [];
    // Closures the library calls back (sort.Slice's less) are their enclosing function's code (callbacks.ts).
    const origins = ctx.origins();
    const attr = attributeFolded(cpu.frames, ti, undefined, origins);
    const self = selfFolded(cpu.frames, ti, LOOP_LEAVES, origins.isUser);
    if (attr.total === 0) return [];
    const cores = cpu.seconds ? attr.total / 1e9 / cpu.seconds : undefined;
    const busy = cores === undefined || cores >= MIN_CORES;
    const out: Finding[] = [];
    const seen = new Map<string, Attribution>();
    let path: ResponsePath | undefined;
    for (const [fn, v] of topEntries(attr.byFunction, 3)) {
      const share = v / attr.total;
      if (share < MIN_WASTE_SHARE) break;
      const callees = topEntries(attr.callees.get(fn) ?? new Map(), 5);
      // Time that is mostly system calls is syscall-heavy's finding, not a CPU hot spot.
      const sys = analysis.syscalls.byFunction.get(fn) ?? 0;
      if (sys > 0.5 * v) continue;
      const waste = findWaste(ctx, fn, ti, seen, attr);
      const mistake = waste?.mistake === true;
      const own = self.get(fn) ?? 0;
      const period = analysis.input.profile.period > 0 ? analysis.input.profile.period : 1e7;
      const ownLoop = own >= MIN_SHARE * attr.total && own >= MIN_OWN_SAMPLES * period;
      if (share < MIN_SHARE && !mistake) continue;
      // Bytes built in memory (most of the function's time in one encode-to-memory
      // call), off the response path, with most of the process's CPU.
      let offPath: string | undefined;
      if (!mistake && !ownLoop && share >= MOST && v >= MIN_OWN_SAMPLES * period) {
        path ??= responsePath(analysis);
        const enc = path.encodeToMemory.get(fn) ?? 0;
        if (enc >= 0.5 * v && !path.onResponsePath.has(fn)) offPath = path.encoder.get(fn);
      }
      // A profile shows where the CPU goes, not whether the work is needed: a
      // renderer's pixel loop and a quadratic scan are both the function's own
      // instructions, so own loops are a warning at any share. Critical is kept for a
      // recognised mistake (work provably not needed) in a busy process.
      const severity = mistake ? (busy ? "critical" : "warning") : ownLoop || offPath ? "warning" : "info";
      const calleeText = callees.map(([c, cv]) => `${c} ${pct(cv, attr.total)}`).join(", ");
      out.push({
        id: `cpu-hotspot:${fn}`,
        category: "cpu-hotspot",
        severity,
        confidence: Math.min(0.95, 0.5 + share),
        title: waste ? `${fn} ${waste.what} (${pct(v, attr.total)} of CPU)` : `CPU hot spot: ${fn} (${pct(v, attr.total)} of CPU)`,
        summary:
          `${fn} and the library code it calls take ${pct(v, attr.total)} of the CPU samples` +
          (cores !== undefined ? ` while the process uses ${cores.toFixed(2)} cores on average` : "") +
          `. Most of it goes to: ${calleeText || "its own code"}` +
          (ownLoop
            ? `; ${pct(own, attr.total)} of all CPU is its own loops, not library work.`
            : mistake
              ? "."
              : offPath
                ? `. Most of the process's CPU goes to bytes ${fn} builds in memory with ${offPath}, and ${fn} neither serves nor writes an HTTP response: ` +
                  `the bytes are made for something else (a log line, a cache, a queue), more CPU than everything else the process does.`
                : ". That is library work it asked for, not a defect by itself."),
        evidence: [
          {
            source: cpu.file.path,
            kind: "cpu profile",
            numbers: {
              function_cpu_ns: v,
              own_instructions_cpu_ns: own,
              total_cpu_ns: attr.total,
              share_pct: round1(100 * share),
              ...(cores !== undefined ? { cores_used: round2(cores) } : {}),
              ...(cpu.seconds !== undefined ? { profile_seconds: round2(cpu.seconds) } : {}),
            },
            functions: [fn, ...callees.map(([c]) => c)],
            excerpt: callees.map(([c, cv]) => `${secs(cv).padStart(8)}  ${fn} -> ${c}`).join("\n"),
          },
        ],
        functions: [fn, ...callees.map(([c]) => c)],
        recommendation: waste && !offPath
          ? `${fn} ${waste.what}: ${waste.fix}.`
          : offPath
            ? `Check what the bytes ${fn} builds with ${offPath} are used for: build them only when they are used ` +
              `(a debug log line the level drops, a trace nobody reads), or less often (cache them).`
            : `Profile ${fn} with \`godiag top --focus '${escapeRe(fn)}'\` and the flame graph; reduce the work it does per call or how often it runs.`,
        docs: ["https://go.dev/doc/diagnostics#profiling"],
        ...(mistake ? { pattern: waste!.pattern } : {}),
      });
    }
    return out;
  },
};

// The waste pattern must cover a good part of the function's own time, not one sample.
// It is looked for anywhere under the function, not only in what it calls directly:
// regexp.MatchString, regexp.Match and (*Template).ParseFiles compile or parse inside.
// `seen` keeps each pattern's attribution for the other top functions.
function findWaste(ctx: DiagnoseContext, fn: string, ti: number, seen: Map<string, Attribution>, attr: Attribution) {
  const { input: cpu } = cpuAnalysis(ctx)!;
  for (const w of KNOWN_WASTE) {
    let under = seen.get(w.pattern);
    if (!under) seen.set(w.pattern, (under = attributeFolded(cpu.frames, ti, (fr) => fr.some((f) => w.re.test(f)), ctx.origins())));
    const part = under.byFunction.get(fn) ?? 0;
    const all = attr.byFunction.get(fn) ?? 1;
    if (part >= 0.4 * all) return w;
  }
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;
