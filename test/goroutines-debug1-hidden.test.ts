// goroutine?debug=1 text leaves out the runtime frames above a stack's first other
// frame (runtime/pprof printStackRecord). restoreHiddenFrames puts back, by shape alone,
// the ones that say the wait (runtime.selectgo; a channel operation). The peer: the
// goroutine profile the same process wrote in the same millisecond (every
// capture-go126-heavy folder of the corpus holds both), whose locations name each
// hidden address (a profile location is the text's return address - 1).

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../src/api/errors.js";
import { protoSymbols, readGoroutineFile, restoreHiddenFrames } from "../src/goroutines/index.js";
import { decodeProfile } from "../src/core/codec/index.js";
import { maybeGunzip, readFileCapped } from "../src/core/input/index.js";
import { ROOT } from "./helpers/run.js";

/** What the hidden frames were waiting in, by the runtime function names. */
function waitOf(funcs: string[]): string {
  if (funcs.includes("runtime.selectgo") || funcs.includes("runtime.block")) return "select";
  if (funcs.some((f) => /^runtime\.chan(send|recv)/.test(f))) return "channel";
  return "other";
}

describe("debug=1 hidden runtime frames, restored by shape, against the goroutine profile of the same instant", () => {
  const folders = readdirSync(join(ROOT, "testdata/corpus"))
    .map((s) => join(ROOT, "testdata/corpus", s, "capture-go126-heavy"))
    .filter((d) => existsSync(join(d, "goroutine.debug1.txt")) && existsSync(join(d, "goroutine.pb.gz")));

  it("every stack restored as a select or a channel wait was one, and every select or channel wait is restored", () => {
    expect(folders.length).toBeGreaterThan(30);
    let checked = 0;
    for (const d of folders) {
      const file = join(d, "goroutine.pb.gz");
      const symbols = protoSymbols(decodeProfile(maybeGunzip(readFileCapped(file, DEFAULT_LIMITS), file, DEFAULT_LIMITS), file));
      const text = readGoroutineFile(join(d, "goroutine.debug1.txt"), DEFAULT_LIMITS);
      const restored = restoreHiddenFrames(text);
      text.goroutines.forEach((g, i) => {
        if (!g.hiddenPcs || g.frames.length === 0) return;
        const truth = g.hiddenPcs.flatMap((pc) => symbols.get(pc - 1) ?? []).map((f) => f.func);
        if (truth.length === 0) return; // the profile caught no goroutine at that address
        const added = restored.goroutines[i]!.frames.slice(0, restored.goroutines[i]!.frames.length - g.frames.length).map((f) => f.func);
        const want = waitOf(truth);
        const got = added.length === 0 ? "other" : waitOf(added);
        // a stack whose printed frames already say the wait (sync, netpoll) is left as printed
        if (want !== "other" || got !== "other") {
          expect(`${d}: ${g.frames[0]!.func}: ${got}`).toBe(`${d}: ${g.frames[0]!.func}: ${want}`);
          checked++;
        }
      });
    }
    console.log(`${checked} debug=1 stacks with a hidden select or channel wait checked against the profile`);
    // selects and channel waits are in most services (HTTP client loops, leaks, main's signal wait)
    expect(checked).toBeGreaterThan(50);
  });
});
