// `godiag watch --config godiag.yaml [--data DIR] [--listen HOST:PORT]`: the
// continuous-mode daemon. Scrapes the configured fleet, keeps its history in DIR,
// diagnoses every window, alerts on trends, and serves /metrics. Runs until
// SIGINT/SIGTERM, then writes what it scraped and exits 0. A bad configuration is
// one line naming the file and the YAML line, exit 2.

import type { Command } from "commander";
import type { IO } from "../flags.js";
import { Discovery, loadWatchConfig, Watcher } from "../../../api/watch.js";

interface WatchFlags {
  config: string;
  data: string;
  listen: string;
  keepRaw?: string;
  logStores?: boolean;
  diagnose: boolean;
  check?: boolean;
}

export function registerWatchCommand(program: Command, io: IO): void {
  program
    .command("watch")
    .description("continuous mode: scrape a fleet's /debug/pprof, keep the history, diagnose every window, alert on trends (docs/WATCH.md)")
    .requiredOption("--config <file>", "configuration (YAML, Prometheus' shape: global, scrape_configs, ...)")
    .option("--data <dir>", "history directory (DuckDB)", "godiag-data")
    .option("--listen <host:port>", "serve /metrics and /-/healthy here", "127.0.0.1:9464")
    .option("--keep-raw <dir>", "also keep every scraped profile as a file under <dir>")
    .option("--log-stores", "log one line per stored scrape")
    .option("--no-diagnose", "do not run the diagnose rules on each window")
    .option("--check", "check the configuration, print the targets of this shard, and exit")
    .action(async (flags: WatchFlags) => {
      const cfg = loadWatchConfig(flags.config);
      const log = (line: string): void => void io.err(`${new Date().toISOString()} ${line}\n`);
      if (flags.check) {
        for (const t of new Discovery(cfg, () => undefined).targets()) io.out(`${t.job}\t${t.address}\n`);
        return;
      }
      const w = new Watcher(cfg, { dataDir: flags.data, listen: flags.listen, log, keepRawDir: flags.keepRaw, logCommits: flags.logStores === true, diagnose: flags.diagnose });
      await w.start();
      io.err(`godiag watch: scraping with ${flags.config}; history in ${flags.data}; metrics on ${w.url}/metrics\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          io.err("godiag watch: stopping: writing the scrapes in flight\n");
          // A second signal quits at once.
          process.once("SIGINT", () => process.exit(130));
          process.once("SIGTERM", () => process.exit(130));
          void w.stop().then(resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
