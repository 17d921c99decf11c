// `godiag gc <files...>`: GC and memory analysis from a gctrace log, MemStats
// (heap?debug=1 or /debug/vars), CPU and heap/allocs profiles and -m=2 output,
// recognised by content. A capture bundle directory may be given instead of files.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { limitOptions, numberFlag, parseBytes } from "../flags.js";
import { InputError, UsageError } from "../../../api/errors.js";
import { analyzeGc, type GcAnalysisInput, type Goal, readGcInput, type GcInput, renderGcJson, renderGcText , goMemLimitMiB } from "../../../api/gc.js";
import { parseManifest, uniqueMembers } from "../../../api/goroutines.js";

interface GcFlags {
  json?: boolean;
  cycles?: boolean;
  base?: string;
  goal?: string;
  memBudget?: string;
  gogc?: string;
  gomemlimit?: string;
  max_input?: string;
  max_decompressed?: string;
}

const MiB = 1 << 20;
const BUNDLE_KINDS = new Set(["gctrace", "heap-debug1", "expvar", "cpu", "allocs", "heap", "escape"]);

interface Settings {
  gogc?: number;
  limitMB?: number;
}

function settingsFromEnv(env: Record<string, string> | undefined, into: Settings): void {
  if (!env) return;
  if (env.GOGC !== undefined && into.gogc === undefined && /^\d+$/.test(env.GOGC)) into.gogc = Number(env.GOGC);
  // A limit Go itself would refuse (or "off") sets nothing.
  if (into.limitMB === undefined) into.limitMB = goMemLimitMiB(env.GOMEMLIMIT);
}

/** Files to read: a bundle directory expands to its GC-relevant files; the manifest's env is noted. */
function expand(paths: string[], settings: Settings): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const isDir = existsSync(p) && statSync(p).isDirectory();
    const dir = isDir ? p : dirname(p);
    const mf = join(dir, "manifest.json");
    if (existsSync(mf)) {
      try {
        const m = parseManifest(readFileSync(mf, "utf8"));
        settingsFromEnv(m.env, settings);
        if (isDir) {
          const wanted = m.files.filter((f) => BUNDLE_KINDS.has(f.kind) && !f.error);
          for (const { entry, member } of uniqueMembers(dir, wanted)) {
            if (member.ok) out.push(join(dir, entry.path));
            else if (member.why === "outside") throw new InputError(mf, `entry "${entry.path}" leaves the bundle directory`);
            else throw new InputError(join(dir, entry.path), "listed in the manifest but missing");
          }
        }
      } catch (e) {
        if (e instanceof InputError) throw e;
        if (isDir) throw new InputError(mf, (e as Error).message);
      }
    } else if (isDir) {
      throw new InputError(p, "is a directory without manifest.json (not a capture bundle)");
    }
    if (!isDir) out.push(p);
  }
  return out;
}

export function registerGcCommand(program: Command, io: { out: (s: string) => void; err: (s: string) => void }): void {
  program
    .command("gc")
    .description("GC and memory analysis: gctrace, MemStats, GC CPU share, allocation sites, GOGC/GOMEMLIMIT what-if")
    .argument("<files...>", "gctrace log, heap?debug=1, /debug/vars JSON, cpu/heap/allocs profiles, -gcflags=-m=2 output, or a bundle dir")
    .option("--json", "JSON output (docs/JSON.md)")
    .option("--cycles", "list every GC cycle")
    .option("--base <heap>", "earlier heap profile: report in-use growth per site")
    .option("--goal <goal>", "recommend GOGC/GOMEMLIMIT for latency | memory | throughput")
    .option("--mem-budget <size>", "memory budget for the recommendation, e.g. 512MiB")
    .option("--gogc <n>", "GOGC the input ran with (default: the bundle manifest's, else 100)")
    .option("--gomemlimit <size>", "GOMEMLIMIT the input ran with (default: the bundle manifest's)")
    .option("--max_input <bytes>", "largest input file read")
    .option("--max_decompressed <bytes>", "largest decompressed input")
    .action((files: string[], f: GcFlags) => {
      const limits = limitOptions(f.max_input, f.max_decompressed);
      const settings: Settings = {};
      if (f.gogc !== undefined) settings.gogc = numberFlag("--gogc", f.gogc, { min: 1, integer: true });
      const size = (flag: string, v: string) => {
        try {
          return parseBytes(v) / MiB;
        } catch {
          throw new UsageError(`${flag}: want a size like 512MiB, got "${v}"`);
        }
      };
      if (f.gomemlimit !== undefined) {
        settings.limitMB = goMemLimitMiB(f.gomemlimit);
        if (settings.limitMB === undefined) {
          throw new UsageError(`--gomemlimit: want GOMEMLIMIT's syntax (e.g. 512MiB, 2GiB, 1073741824), got "${f.gomemlimit}"`);
        }
      }
      if (f.goal !== undefined && !["latency", "memory", "throughput"].includes(f.goal)) {
        throw new UsageError(`--goal: want latency, memory or throughput, got "${f.goal}"`);
      }
      const inp: GcAnalysisInput = {
        traces: [],
        memStats: [],
        profiles: [],
        baseProfiles: [],
        escapes: [],
        goal: f.goal as Goal | undefined,
        budgetMB: f.memBudget !== undefined ? size("--mem-budget", f.memBudget) : undefined,
      };
      const add = (x: GcInput) => {
        if (x.kind === "gctrace") inp.traces.push({ file: x.file, trace: x.trace });
        else if (x.kind === "expvar") inp.memStats.push({ file: x.file, stats: x.data.memStats });
        else if (x.kind === "escape") inp.escapes.push({ file: x.file, escape: x.escape });
        else {
          if (x.profile.extras.truncation !== undefined) io.err(`godiag: warning: ${x.profile.extras.truncation}\n`);
          inp.profiles.push({ file: x.file, profile: x.profile });
          if (x.memStats) inp.memStats.unshift({ file: x.file, stats: x.memStats });
        }
      };
      for (const p of expand(files, settings)) add(readGcInput(p, limits));
      if (f.base !== undefined) {
        const b = readGcInput(f.base, limits);
        if (b.kind !== "profile") throw new InputError(f.base, "--base wants a heap profile");
        inp.baseProfiles.push({ file: b.file, profile: b.profile });
      }
      inp.gogc = settings.gogc;
      inp.limitMB = settings.limitMB;
      const report = analyzeGc(inp);
      if (f.json) io.out(renderGcJson(report));
      else io.out(renderGcText(report, { cycles: f.cycles }));
    });
}
