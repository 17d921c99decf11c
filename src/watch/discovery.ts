// Targets: the static ones of each job plus file-based discovery (Prometheus'
// file_sd_configs): JSON or YAML files holding a list of {targets, labels} groups,
// re-read when they change. A file that fails to parse keeps its last good targets
// (as Prometheus does) and the failure is reported once per change.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { JobConfig, WatchConfig } from "./config.js";
import { ownsTarget } from "./shard.js";

export interface Target {
  job: string;
  /** host:port */
  address: string;
  /** job, instance and the group's labels (external labels first) */
  labels: Record<string, string>;
  /** the job's settings (interval, timeout, profiles) */
  config: JobConfig;
}

/** The key of a target: one per job and address. */
export const targetKey = (t: Pick<Target, "job" | "address">): string => `${t.job}/${t.address}`;

const groupsSchema = z.array(z.object({ targets: z.array(z.string().regex(/^\S+:\d{1,5}$/)), labels: z.record(z.string(), z.string()).optional() }));

/** Files named by a file_sd pattern; the last path element may hold * and ?. */
export function expandPattern(pattern: string): string[] {
  const name = basename(pattern);
  if (!/[*?]/.test(name)) return [pattern];
  const re = new RegExp("^" + name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  try {
    return readdirSync(dirname(pattern))
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dirname(pattern), f));
  } catch {
    return [];
  }
}

interface FileState {
  stamp: string;
  groups: Array<{ targets: string[]; labels: Record<string, string> }>;
}

export class Discovery {
  private readonly files = new Map<string, FileState>();

  constructor(
    private readonly cfg: WatchConfig,
    private readonly log: (line: string) => void,
  ) {}

  /** Re-read changed files; returns the current, sharded target list. */
  targets(): Target[] {
    const out = new Map<string, Target>();
    const add = (job: JobConfig, address: string, groupLabels: Record<string, string>): void => {
      if (!ownsTarget(address, this.cfg.shard)) return;
      const t: Target = { job: job.name, address, labels: { ...this.cfg.externalLabels, ...groupLabels, job: job.name, instance: address }, config: job };
      out.set(targetKey(t), t);
    };
    for (const job of this.cfg.jobs) {
      for (const g of job.staticConfigs) for (const a of g.targets) add(job, a, g.labels);
      for (const sd of job.fileSd)
        for (const pattern of sd.files)
          for (const file of expandPattern(pattern)) for (const g of this.read(file)) for (const a of g.targets) add(job, a, g.labels);
    }
    return [...out.values()];
  }

  private read(file: string): FileState["groups"] {
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      this.files.delete(file);
      return [];
    }
    const known = this.files.get(file);
    if (known && known.stamp === stamp) return known.groups;
    try {
      const text = readFileSync(file, "utf8");
      const data: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
      const res = groupsSchema.safeParse(data);
      if (!res.success) throw new Error(`${res.error.issues[0]!.path.join(".")}: ${res.error.issues[0]!.message}`);
      const groups = res.data.map((g) => ({ targets: g.targets, labels: g.labels ?? {} }));
      this.files.set(file, { stamp, groups });
      this.log(`file_sd: ${file}: ${groups.reduce((n, g) => n + g.targets.length, 0)} targets`);
      return groups;
    } catch (e) {
      this.log(`file_sd: ${file}: ${(e as Error).message.split("\n")[0]} (keeping the last good targets)`);
      const groups = known?.groups ?? [];
      this.files.set(file, { stamp, groups });
      return groups;
    }
  }
}
