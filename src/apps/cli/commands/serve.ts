// `godiag serve <profiles... | bundle dir | .tar.gz | folder>`: the local web UI.
// Decodes the inputs once, then serves every view (docs/SERVE.md) until interrupted.
// `godiag serve --store DIR --target HOST:PORT [--from T --to T]`: the same views over a
// watcher's history: each profile type's merged profile of the range (godiag query's).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { limitOptions, numberFlag, type IO } from "../flags.js";
import { UsageError } from "../../../api/errors.js";
import { openHistory, parseQueryTime, queryProfile, PROFILE_TYPES } from "../../../api/query.js";
import { writeProfileGz } from "../../../api/profiles.js";
import { startServer } from "../../web/server/start.js";
import { startViewWorker } from "../../web/server/worker.js";

interface ServeFlags {
  listen?: string;
  open?: boolean;
  diff_base?: string[];
  source_path?: string;
  trim_path?: string;
  max_input?: string;
  max_decompressed?: string;
  store?: string;
  target?: string;
  from: string;
  to: string;
  baseFrom?: string;
  baseTo?: string;
}

/**
 * The merged profiles of a target's range, one file per profile type with data, in a
 * fresh folder (served like a folder of captured profiles); with a base range, the
 * base's merges too (the views' diff against them). Returns the folder and the inputs.
 */
async function historyInputs(f: ServeFlags): Promise<{ dir: string; inputs: string[]; diffBase: string[] }> {
  if (f.target === undefined) throw new UsageError("--store needs --target HOST:PORT (the target whose history to serve)");
  if ((f.baseFrom === undefined) !== (f.baseTo === undefined)) throw new UsageError("--base-from and --base-to go together");
  const now = Date.now();
  const range = { fromMs: parseQueryTime(f.from, "--from", now), toMs: parseQueryTime(f.to, "--to", now) };
  const base = f.baseFrom !== undefined ? { fromMs: parseQueryTime(f.baseFrom, "--base-from", now), toMs: parseQueryTime(f.baseTo!, "--base-to", now) } : undefined;
  const store = await openHistory(f.store!);
  const dir = mkdtempSync(join(tmpdir(), "godiag-serve-store-"));
  const inputs: string[] = [];
  const diffBase: string[] = [];
  try {
    for (const type of PROFILE_TYPES) {
      const p = await store.mergedProfile({ target: f.target, type, ...range });
      if (!p) continue;
      const file = join(dir, `${type}.pb.gz`);
      writeFileSync(file, writeProfileGz(p));
      inputs.push(file);
      // The views diff one base: the first type's (cpu when there is one).
      if (base && diffBase.length === 0) {
        const b = await queryProfile(store, { target: f.target, type, ...base }).catch(() => null);
        if (b) {
          const bf = join(dir, `base-${type}.pb.gz`);
          writeFileSync(bf, writeProfileGz(b));
          diffBase.push(bf);
        }
      }
    }
  } finally {
    await store.close();
  }
  if (inputs.length === 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new UsageError(`--store ${f.store}: no profiles of ${f.target} between ${new Date(range.fromMs).toISOString()} and ${new Date(range.toMs).toISOString()}`);
  }
  return { dir, inputs, diffBase };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** ADDR:PORT, :PORT or [v6]:PORT. */
export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s);
  if (m === null) throw new UsageError(`--listen: want ADDR:PORT (e.g. 127.0.0.1:8080, 0.0.0.0:8080, [::1]:8080), not "${s}"`);
  const port = numberFlag("--listen port", m[3]!, { min: 0, integer: true });
  if (port > 65535) throw new UsageError(`--listen: port ${port} is over 65535`);
  const host = m[1] ?? (m[2] === "" ? "0.0.0.0" : m[2]!);
  return { host, port };
}

export function registerServeCommand(program: Command, io: IO): void {
  program
    .command("serve")
    .description("local web UI: findings, flame graph, top, call graph, source, peek, goroutines, GC, trace timeline, diff")
    .argument("[inputs...]", "profiles, a capture bundle directory or .tar.gz, or a folder of captured files")
    .option("--listen <addr:port>", "address to listen on (default 127.0.0.1 and a free port; any other address requires the printed token)")
    .option("--open", "open the UI in a browser")
    .option("--diff_base <profile>", "base profile: the views can show the diff against it", collect)
    .option("--source_path <path>", "search path for source files (also the roots the source view may read)")
    .option("--trim_path <path>", "path prefix to trim from source paths")
    .option("--max_input <bytes>", "largest input file read")
    .option("--max_decompressed <bytes>", "largest decompressed profile")
    .option("--store <dir>", "serve a watcher's history (godiag watch --data DIR) instead of inputs: the merged profiles of --target over --from..--to")
    .option("--target <host:port>", "with --store: the target")
    .option("--from <time>", "with --store: start (RFC 3339 or relative: -15m, -2h)", "-1h")
    .option("--to <time>", "with --store: end", "now")
    .option("--base-from <time>", "with --store: a base range the views diff against (its first profile type)")
    .option("--base-to <time>", "with --store: end of the base range")
    .action(async (args: string[], f: ServeFlags) => {
      const listen = f.listen !== undefined ? parseListen(f.listen) : { host: "127.0.0.1", port: 0 };
      if ((f.store !== undefined) === args.length > 0) throw new UsageError("serve: give inputs, or --store DIR --target HOST:PORT (not both)");
      const history = f.store !== undefined ? await historyInputs(f) : undefined;
      const inputs = history?.inputs ?? args;
      if (history) process.once("exit", () => rmSync(history.dir, { recursive: true, force: true }));
      // the inputs are decoded on the view worker, where the views are computed
      const views = await startViewWorker(inputs, {
        diffBase: history?.diffBase ?? f.diff_base ?? [],
        sourcePath: f.source_path ?? "",
        trimPath: f.trim_path ?? "",
        limits: limitOptions(f.max_input, f.max_decompressed),
      });
      for (const w of views.warnings) io.err(`godiag: warning: ${w}\n`);
      try {
        await startServer(views, { host: listen.host, port: listen.port, open: f.open === true, print: io.out });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        // the worker would keep the process alive
        await views.close();
        throw new UsageError(`serve: cannot listen on ${listen.host}:${listen.port}: ${err.code ?? err.message}`);
      }
      // Served until interrupted.
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      process.exit(0);
    });
}
