// /debug/vars (package expvar): a JSON object of published variables; Go always
// publishes "cmdline" and "memstats" (runtime.MemStats with its Go field names).
// zod checks the shape we rely on, so a wrong file is one clear error.

import { z } from "zod";
import { InputError, parseJsonInput } from "../../core/input/index.js";
import { memStatsFromRecord, type MemStats } from "./memstats.js";

const memstatsSchema = z
  .object({
    NumGC: z.number(),
    HeapAlloc: z.number(),
    PauseNs: z.array(z.number()).optional(),
    PauseEnd: z.array(z.number()).optional(),
  })
  .passthrough();

const varsSchema = z.object({ memstats: memstatsSchema, cmdline: z.array(z.string()).optional() }).passthrough();

export interface ExpvarData {
  cmdline: string[];
  memStats: MemStats;
  /** every other published variable, as parsed JSON */
  vars: Record<string, unknown>;
}

export function parseExpvar(text: string, file: string): ExpvarData {
  const json = parseJsonInput(text, file, "not /debug/vars JSON");
  const r = varsSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError(file, `not /debug/vars JSON: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const rec: Record<string, number | number[]> = {};
  for (const [k, v] of Object.entries(r.data.memstats)) {
    if (typeof v === "number") rec[k] = v;
    else if (typeof v === "boolean") rec[k] = v ? 1 : 0;
    else if (Array.isArray(v) && v.every((x) => typeof x === "number")) rec[k] = v as number[];
  }
  const ms = memStatsFromRecord(rec, "expvar");
  if (ms === null) throw new InputError(file, "not /debug/vars JSON: memstats has no NumGC/HeapAlloc");
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.data)) if (k !== "memstats" && k !== "cmdline") vars[k] = v;
  return { cmdline: r.data.cmdline ?? [], memStats: ms, vars };
}
