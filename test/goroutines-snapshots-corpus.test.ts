// The corpus's capture-go126-heavy folders as a user who saved profiles with
// `go tool pprof http://.../debug/pprof/<kind>` would have them: the CPU profile, one
// goroutine profile, the heap profile and the block/mutex delta profiles, named as
// go tool pprof names them, and no debug=2 dump (docs/DIAGNOSE.md, "Goroutine
// snapshots without states"). Truth: testdata/services/<service>/truth.json; halves by
// the sha256 rule of docs/DIAGNOSE.md ("Tuning and validation"). Only tuning-half
// services were looked at to set thresholds; the validation half is reported, and its
// outcome asserted as measured so a change shows up.

import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diagnose, openBundle } from "../src/api/diagnose.js";
import { DEFAULT_LIMITS } from "../src/api/errors.js";
import { ROOT } from "./helpers/run.js";
// @ts-expect-error -- a plain .mjs script, shared with `node scripts/corpus-eval.mjs`
import { halfOf, judge, verdictOf } from "../scripts/corpus-eval.mjs";

const dir = mkdtempSync(join(tmpdir(), "godiag-gsnap-corpus-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** capture-go126-heavy file -> the name `go tool pprof` saves it under (block and mutex both sample contentions/delay). */
const AS_PPROF: Record<string, string> = {
  "cpu.pb.gz": "pprof.svc.samples.cpu.001.pb.gz",
  "goroutine.pb.gz": "pprof.svc.goroutine.001.pb.gz",
  "heap.pb.gz": "pprof.svc.alloc_objects.alloc_space.inuse_objects.inuse_space.001.pb.gz",
  "block.delta.pb.gz": "pprof.svc.contentions.delay.001.pb.gz",
  "mutex.delta.pb.gz": "pprof.svc.contentions.delay.002.pb.gz",
};

const GOROUTINE_CATEGORIES = new Set(["goroutine-leak", "connection-pileup", "channel-backpressure", "response-body-leak"]);

/**
 * Goroutine-category services measured right without debug=2 dumps (was: none of them).
 * Tuning: orderdesk, staysearch (one snapshot: hundreds parked at one user frame outside
 * requests). Validation, seen after: clicktrack (handlers blocked in a send), feedmux.
 */
const RIGHT = new Set(["orderdesk", "staysearch", "clicktrack", "feedmux"]);
/** The rest, each with why one count-only snapshot does not say it. */
const WRONG: Record<string, string> = {
  bulkimport: "tuning: the block profile's critical back-pressure in main.(*productStore).upsert ranks above a one-snapshot leak warning (no rate without two snapshots)",
  thumbd: "tuning: the cpu-hotspot warning on main.(*renderer).render ranks above the leak warning (one snapshot: no rate, lower confidence)",
  hookrelay: "tuning: response-body-leak is read from debug=2 dumps only (rules/http-client.ts)",
  addrcheck: "validation: handlers waiting in an HTTP call; one snapshot cannot tell a call stuck for minutes from a slow one",
  catalogsvc: "validation: clients stalled mid-headers; the control profilesvc shows the same count with timeouts set: only ids (the same connections in two dumps) tell",
  taxgate: "validation: as hookrelay",
};

interface Case {
  service: string;
  half: string;
  truth: { category: string; function: string | string[] };
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const service of readdirSync(join(ROOT, "testdata/corpus")).sort()) {
    const truthFile = join(ROOT, "testdata/services", service, "truth.json");
    if (!existsSync(join(ROOT, "testdata/corpus", service, "capture-go126-heavy")) || !existsSync(truthFile)) continue;
    out.push({ service, half: halfOf(service) as string, truth: JSON.parse(readFileSync(truthFile, "utf8")) as Case["truth"] });
  }
  return out;
}

/** "debug1": the goroutine profile replaced by the goroutine?debug=1 text of the same instant, as curl saves it. */
async function verdict(c: Case, goroutines: "proto" | "debug1" = "proto"): Promise<{ category: string; function: string }> {
  const src = join(ROOT, "testdata/corpus", c.service, "capture-go126-heavy");
  const d = join(dir, `${c.service}-${goroutines}`);
  mkdirSync(d, { recursive: true });
  const files: Record<string, string> = { ...AS_PPROF };
  if (goroutines === "debug1") {
    delete files["goroutine.pb.gz"];
    files["goroutine.debug1.txt"] = "goroutine.txt";
  }
  for (const [from, to] of Object.entries(files)) if (existsSync(join(src, from))) cpSync(join(src, from), join(d, to));
  return verdictOf(await diagnose(await openBundle([d], { ...DEFAULT_LIMITS, maxFiles: 100 }))) as { category: string; function: string };
}

describe("corpus capture-go126-heavy without debug=2 dumps (go tool pprof files)", () => {
  const all = cases();

  it("goroutine-category services: the measured ones are right, per half", async () => {
    const tally: Record<string, [number, number]> = { tuning: [0, 0], validation: [0, 0] };
    const got: Record<string, string> = {};
    for (const c of all.filter((x) => GOROUTINE_CATEGORIES.has(x.truth.category))) {
      const v = await verdict(c);
      const ok = judge(c.truth, v) as boolean;
      got[c.service] = `${ok ? "right" : "wrong"}: ${v.category} ${v.function}`;
      tally[c.half]![1]++;
      if (ok) tally[c.half]![0]++;
    }
    console.log(`goroutine-category services right without debug=2 dumps: tuning ${tally["tuning"]!.join("/")}, validation ${tally["validation"]!.join("/")}`);
    for (const [s, g] of Object.entries(got)) {
      if (RIGHT.has(s)) expect(g, s).toMatch(/^right/);
      else expect(g, `${s} (${WRONG[s] ?? "not listed"})`).toMatch(/^wrong/);
    }
    expect(Object.keys(got).sort()).toEqual([...RIGHT, ...Object.keys(WRONG)].sort());
  }, 240_000);

  it("goroutine?debug=1 instead of the profile: the same, but a send and a receive look alike", async () => {
    const got: Record<string, boolean> = {};
    for (const c of all.filter((x) => GOROUTINE_CATEGORIES.has(x.truth.category))) got[c.service] = judge(c.truth, await verdict(c, "debug1")) as boolean;
    for (const s of Object.keys(got)) {
      // clicktrack: the text hides runtime.chansend1, so handlers blocked in a send are not seen as back-pressure
      expect(got[s], s).toBe(RIGHT.has(s) && s !== "clicktrack");
    }
  }, 240_000);

  it("controls of both halves stay clean, with either snapshot", async () => {
    for (const c of all.filter((x) => x.truth.category === "none")) {
      expect((await verdict(c)).category, c.service).toBe("none");
      expect((await verdict(c, "debug1")).category, `${c.service} (debug=1)`).toBe("none");
    }
  }, 240_000);
});
