// `godiag goroutines <file|URL>`: bucket a goroutine dump (debug=2, crash
// traceback, debug=1 or proto), with wait classes, leak suspects and
// long-blocked mutex waiters. `--diff BEFORE AFTER` (files or URLs) compares two
// snapshots; `--diff URL --interval 60s` takes both from one live service.
// Two files are compared oldest first whatever order they are given in, by the
// evidence `diagnose` orders snapshots by (bundle/order.ts): the manifest beside
// them, TimeNanos, the dumps' goroutines, their names, their mtimes.

import type { Command } from "commander";
import { durationFlag, limitOptions, numberFlag, type IO } from "../flags.js";
import { InputError, type ReadLimits, UsageError } from "../../../api/errors.js";
import { analyzeDiff, analyzeDump, type AnalyzeOptions, type DiffTiming, orderSnapshotFiles, DEFAULT_FETCH_LIMITS, fetchCapped, FetchError, parseGoroutineData, readGoroutineFile, type GoroutineDump, renderDiffJson, renderSingleJson, renderDiffText, renderSingleText, type TextOptions } from "../../../api/goroutines.js";

interface Flags {
  json?: boolean;
  exact?: boolean;
  diff?: boolean;
  interval?: string;
  frames: string;
  buckets: string;
  longWait: string;
  minGrowth: string;
  max_input?: string;
  max_decompressed?: string;
}


const NON_NEGATIVE_INT = { min: 0, integer: true };

export function registerGoroutinesCommand(program: Command, io: IO): void {
  program
    .command("goroutines")
    .description("goroutine dump analysis: buckets, wait classes, leak suspects, deadlocks; --diff compares two snapshots")
    .argument("<inputs...>", "goroutine dump file or URL (http://host:port[/debug/pprof/goroutine]); two with --diff")
    .option("--json", "JSON output (schema: docs/JSON.md)")
    .option("--exact", "keep arguments when bucketing (pointers differ per goroutine)")
    .option("--diff", "compare two snapshots: BEFORE AFTER, or one URL with --interval")
    .option("--interval <duration>", "time between the snapshots (60s, 2m); with one URL, how long to wait")
    .option("--frames <n>", "frames shown per bucket", "12")
    .option("--buckets <n>", "buckets shown", "20")
    .option("--long-wait <minutes>", "waits this long are suspect; mutex waiters this long are possible deadlocks", "10")
    .option("--min-growth <n>", "smallest growth between snapshots that makes a suspect", "5")
    .option("--max_input <bytes>", "largest input file read")
    .option("--max_decompressed <bytes>", "largest decompressed input")
    .action((inputs: string[], f: Flags): Promise<void> | void => {
      const opts = analyzeOptions(f);
      const text: TextOptions = { frames: numberFlag("--frames", f.frames, NON_NEGATIVE_INT), buckets: numberFlag("--buckets", f.buckets, NON_NEGATIVE_INT) };
      const limits = limitOptions(f.max_input, f.max_decompressed);
      const interval = f.interval !== undefined ? durationFlag("--interval", f.interval) : null;
      const anyUrl = inputs.some(isUrl);
      if (!f.diff) {
        if (inputs.length !== 1) throw new UsageError("goroutines takes one input (two with --diff)");
        if (interval !== null) throw new UsageError("--interval needs --diff");
      } else if (inputs.length > 2) {
        throw new UsageError("--diff takes BEFORE AFTER, or one URL with --interval");
      } else if (inputs.length === 1 && !(isUrl(inputs[0]!) && interval !== null)) {
        throw new UsageError("--diff with one input needs a URL and --interval (or give two inputs)");
      }
      const run = (dumps: GoroutineDump[], names: string[], seconds: number | null, timing?: DiffTiming): void => {
        if (!f.diff) {
          const r = analyzeDump(dumps[0]!, names[0]!, opts);
          io.out(f.json ? renderSingleJson(r) : renderSingleText(r, text));
          for (const w of f.json ? r.warnings : []) io.err(`godiag: warning: ${w}\n`);
          return;
        }
        const r = analyzeDiff(dumps[0]!, dumps[1]!, [names[0]!, names[1]!], seconds, opts, timing);
        io.out(f.json ? renderDiffJson(r) : renderDiffText(r, text));
      };
      if (!anyUrl && !f.diff) {
        run([readGoroutineFile(inputs[0]!, limits)], inputs, null);
        return;
      }
      if (!anyUrl) {
        const ord = orderSnapshotFiles(inputs, limits);
        if (ord.reordered) io.err(`godiag: ${ord.paths[0]} is the older snapshot (${ord.orderDetail}): comparing it to ${ord.paths[1]}\n`);
        const timing: DiffTiming = {
          order: ord.order ?? "given",
          orderDetail: ord.orderDetail,
          reordered: ord.reordered,
          intervalSource: interval !== null ? "flag" : (ord.interval?.source ?? null),
          intervalLowerBound: interval === null && ord.interval?.lowerBound === true,
          intervalDetail: interval !== null ? `--interval ${f.interval}` : (ord.interval?.detail ?? ""),
        };
        const dumps = ord.paths.map((p) => readGoroutineFile(p, limits));
        run(dumps, ord.paths, interval ?? ord.interval?.seconds ?? null, timing);
        return;
      }
      // Live: main() awaits the returned promise; fetch failures become one-line input errors.
      return fetchAll(inputs, f.diff ? interval : null, limits, io)
        .then(({ dumps, names, seconds }) => {
          const live = inputs.every(isUrl);
          const timing: DiffTiming = {
            order: live ? "clock" : "given",
            orderDetail: live ? "fetched in this order" : "",
            reordered: false,
            intervalSource: seconds !== null ? "clock" : null,
            intervalLowerBound: false,
            intervalDetail: seconds !== null ? "measured between the fetches" : "",
          };
          run(dumps, names, seconds, timing);
        })
        .catch((e: unknown) => {
          if (e instanceof FetchError) throw new InputError(e.url, e.message.slice(e.url.length + 2));
          throw e;
        });
    });
}

function analyzeOptions(f: Flags): AnalyzeOptions {
  return {
    exact: f.exact === true,
    longWaitMinutes: numberFlag("--long-wait", f.longWait, NON_NEGATIVE_INT),
    minGrowth: numberFlag("--min-growth", f.minGrowth, NON_NEGATIVE_INT),
  };
}

function isUrl(s: string): boolean {
  return s.startsWith("http://") || s.startsWith("https://");
}

/** The goroutine?debug=2 URL for a service address or a pprof URL. */
export function goroutineUrl(s: string): string {
  const u = new URL(s);
  if (u.pathname === "/" || u.pathname === "") u.pathname = "/debug/pprof/goroutine";
  else if (u.pathname.endsWith("/debug/pprof") || u.pathname.endsWith("/debug/pprof/")) u.pathname = u.pathname.replace(/\/?$/, "/goroutine");
  if (!u.searchParams.has("debug")) u.searchParams.set("debug", "2");
  return u.toString();
}

async function fetchDump(url: string, limits: ReadLimits): Promise<GoroutineDump> {
  const r = await fetchCapped(url, { ...DEFAULT_FETCH_LIMITS, maxBytes: Math.min(DEFAULT_FETCH_LIMITS.maxBytes, limits.maxInputBytes) });
  return parseGoroutineData(new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.byteLength), url, limits);
}

async function fetchAll(
  inputs: string[],
  interval: number | null,
  limits: ReadLimits,
  io: IO,
): Promise<{ dumps: GoroutineDump[]; names: string[]; seconds: number | null }> {
  const readOne = (s: string): Promise<GoroutineDump> => (isUrl(s) ? fetchDump(goroutineUrl(s), limits) : Promise.resolve(readGoroutineFile(s, limits)));
  if (interval === null) {
    const dumps: GoroutineDump[] = [];
    for (const s of inputs) dumps.push(await readOne(s));
    return { dumps, names: inputs.map((s) => (isUrl(s) ? goroutineUrl(s) : s)), seconds: null };
  }
  const urls = inputs.length === 1 ? [inputs[0]!, inputs[0]!] : inputs;
  const t0 = Date.now();
  const first = await readOne(urls[0]!);
  io.err(`godiag: first snapshot taken; waiting ${interval} s for the second\n`);
  await new Promise((r) => setTimeout(r, Math.max(0, interval * 1000 - (Date.now() - t0))));
  const t1 = Date.now();
  const second = await readOne(urls[1]!);
  return { dumps: [first, second], names: urls.map((s) => (isUrl(s) ? goroutineUrl(s) : s)), seconds: (t1 - t0) / 1000 };
}
