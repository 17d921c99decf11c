// `godiag query --data DIR|--clickhouse URL [--database NAME] --target HOST:PORT --type cpu|heap|allocs|block|mutex|goroutine
// --from T --to T [--base-from T --base-to T] [--json] [-o merged.pb.gz]`: a range of
// the history a watcher kept. Without --json it prints the merged profile's top
// (go tool pprof -top); -o writes it as a pprof proto every report, flame graph and
// diagnose accepts; --json prints the timelines (for goroutine: the count over time).

import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { IO } from "../flags.js";
import { UsageError } from "../../../api/errors.js";
import { isProfileType, openClickHistory, openHistory, parseQueryTime, queryProfile, queryTimeline, PROFILE_TYPES } from "../../../api/query.js";

interface QueryFlags {
  data: string;
  clickhouse?: string;
  database: string;
  target: string;
  type: string;
  from: string;
  to: string;
  baseFrom?: string;
  baseTo?: string;
  json?: boolean;
  output?: string;
  bucket?: string;
  top?: string;
}

export function registerQueryCommand(program: Command, io: IO): void {
  program
    .command("query")
    .description("the history kept by godiag watch: a target's merged profile over a range, a diff, or timelines (--json)")
    .option("--data <dir>", "history directory of godiag watch", "godiag-data")
    .option("--clickhouse <url>", "read the history from this ClickHouse server instead of --data (storage.engine: clickhouse)")
    .option("--database <name>", "ClickHouse database (storage.clickhouse.database)", "godiag")
    .requiredOption("--target <host:port>", "the target (its instance label)")
    .requiredOption("--type <type>", `profile type: ${PROFILE_TYPES.join("|")}`)
    .option("--from <time>", "start: RFC 3339 or relative (-15m, -2h)", "-1h")
    .option("--to <time>", "end: RFC 3339, relative, or now", "now")
    .option("--base-from <time>", "diff against this range (pprof -diff_base)")
    .option("--base-to <time>", "end of the base range")
    .option("--json", "timelines as JSON (goroutines, heap in use, GC CPU, top functions); for goroutine, the count over time")
    .option("-o, --output <file>", "write the merged profile (pprof proto, gzipped)")
    .option("--bucket <seconds>", "timeline bucket for top functions")
    .option("--top <n>", "functions per bucket", "5")
    .action(async (flags: QueryFlags) => {
      if (!isProfileType(flags.type)) throw new UsageError(`--type: "${flags.type}" is not one of ${PROFILE_TYPES.join(", ")}`);
      const now = Date.now();
      const fromMs = parseQueryTime(flags.from, "--from", now);
      const toMs = parseQueryTime(flags.to, "--to", now);
      if (fromMs > toMs) throw new UsageError(`--from ${flags.from} is after --to ${flags.to}`);
      if ((flags.baseFrom === undefined) !== (flags.baseTo === undefined)) throw new UsageError("--base-from and --base-to go together");
      const base = flags.baseFrom !== undefined ? { fromMs: parseQueryTime(flags.baseFrom, "--base-from", now), toMs: parseQueryTime(flags.baseTo!, "--base-to", now) } : undefined;
      const store = flags.clickhouse !== undefined ? await openClickHistory(flags.clickhouse, flags.database) : await openHistory(flags.data);
      try {
        const q = { target: flags.target, type: flags.type, fromMs, toMs };
        if (flags.json) {
          const bucketMs = flags.bucket !== undefined ? Number(flags.bucket) * 1000 : undefined;
          if (bucketMs !== undefined && !(bucketMs >= 1000)) throw new UsageError(`--bucket: "${flags.bucket}" is not a number of seconds >= 1`);
          const tl = await queryTimeline(store, q, { bucketMs, top: Number(flags.top ?? 5) });
          io.out(JSON.stringify(flags.type === "goroutine" ? { target: tl.target, from: tl.from, to: tl.to, goroutines: tl.goroutines } : tl, null, 2) + "\n");
        }
        if (flags.output !== undefined || !flags.json) {
          const p = await queryProfile(store, q, base);
          // Loaded here: the reports are most of the code, and --json needs none of it.
          const { defaultConfig, prepareReport, renderReport, writeProfileGz } = await import("../../../api/profiles.js");
          if (flags.output !== undefined) writeFileSync(flags.output, writeProfileGz(p));
          else {
            const rpt = prepareReport(p, "top", defaultConfig(), (m) => io.err(m + "\n"));
            io.out(renderReport(rpt, false));
          }
        }
      } finally {
        await store.close();
      }
    });
}
