// The heap tests' curl folder: a workload runs until its expvar counter says it did
// enough work (bounded), then the CPU profile is fetched in the background while the
// heap and a dump are fetched, as by hand; go tool pprof's line figures are the oracle.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { startLive } from "./live.js";
import { runCli, runPprof } from "./run.js";

export interface HeapFinding {
  category: string;
  severity: string;
  functions: string[];
  evidence: Array<{ kind: string; numbers: Record<string, number> }>;
}

async function counter(url: string, name: string): Promise<number> {
  const r = await fetch(`${url}/debug/vars`);
  return Number(((await r.json()) as Record<string, unknown>)[name] ?? 0);
}

/** Run bin until /debug/vars' `name` reaches `atLeast` (40 s at most), then fetch a curl folder into dir. */
export async function curlHeapFolder(bin: string, dir: string, args: string[], name: string, atLeast: number): Promise<string> {
  const live = await startLive(bin, args);
  try {
    const deadline = Date.now() + 40_000;
    while ((await counter(live.url, name)) < atLeast) {
      if (Date.now() > deadline) throw new Error(`${dir}: ${name} under ${atLeast} after 40 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    mkdirSync(dir);
    const get = async (path: string, file: string) => writeFileSync(join(dir, file), Buffer.from(await (await fetch(live.url + path)).arrayBuffer()));
    const cpu = get("/debug/pprof/profile?seconds=2", "cpu.out");
    await new Promise((r) => setTimeout(r, 500));
    await get("/debug/pprof/heap", "heap.out");
    await get("/debug/pprof/goroutine?debug=2", "g1.txt");
    await cpu;
    return dir;
  } finally {
    await live.stop();
  }
}

/** go tool pprof's flat bytes (-top -lines) at `file:line` in function fn, by sample index; 0 when absent. */
export function pprofLineBytes(heap: string, index: "inuse_space" | "alloc_space", fn: string, fileLine: string): number {
  const r = runPprof(["-top", "-lines", "-nodecount=1000", `-sample_index=${index}`, "-unit=B", heap]);
  expect(r.code).toBe(0);
  const row = r.stdout.split("\n").find((l) => l.includes(fileLine) && l.includes(fn));
  return row ? Number(/^\s*(\d+)B/.exec(row)![1]) : 0;
}

/** In-use and allocated bytes of one line of the folder's heap.out. */
export function lineBytes(dir: string, fn: string, fileLine: string): { inuse: number; alloc: number } {
  const heap = join(dir, "heap.out");
  return { inuse: pprofLineBytes(heap, "inuse_space", fn, fileLine), alloc: pprofLineBytes(heap, "alloc_space", fn, fileLine) };
}

/** diagnose --json's findings for the folder (exit 0 or 1: no problem or a warning). */
export function diagnoseFindings(dir: string): HeapFinding[] {
  const r = runCli(["diagnose", "--json", dir], { timeoutMs: 60_000 });
  expect([0, 1]).toContain(r.code);
  return (JSON.parse(r.stdout) as { findings: HeapFinding[] }).findings;
}
