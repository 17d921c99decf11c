// `godiag serve <profiles... | bundle dir | .tar.gz | folder>`: the local web UI.
// Decodes the inputs once, then serves every view (docs/SERVE.md) until interrupted.

import type { Command } from "commander";
import { limitOptions, numberFlag, type IO } from "../flags.js";
import { UsageError } from "../../../api/errors.js";
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
    .argument("<inputs...>", "profiles, a capture bundle directory or .tar.gz, or a folder of captured files")
    .option("--listen <addr:port>", "address to listen on (default 127.0.0.1 and a free port; any other address requires the printed token)")
    .option("--open", "open the UI in a browser")
    .option("--diff_base <profile>", "base profile: the views can show the diff against it", collect)
    .option("--source_path <path>", "search path for source files (also the roots the source view may read)")
    .option("--trim_path <path>", "path prefix to trim from source paths")
    .option("--max_input <bytes>", "largest input file read")
    .option("--max_decompressed <bytes>", "largest decompressed profile")
    .action(async (inputs: string[], f: ServeFlags) => {
      const listen = f.listen !== undefined ? parseListen(f.listen) : { host: "127.0.0.1", port: 0 };
      // the inputs are decoded on the view worker, where the views are computed
      const views = await startViewWorker(inputs, {
        diffBase: f.diff_base ?? [],
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
