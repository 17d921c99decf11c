// godiag serve keeps each profile once: the session releases the bytes of every file
// decoded to a proto profile (a 304 MB profile was held as its bytes beside its decoded
// columns). Every reader of those kinds must use the decoded profile: a released buffer
// throws when read, so a view or a diagnose rule that re-parsed one would fail here.

import { existsSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { commandLimits, DEFAULT_LIMITS } from "../src/api/errors.js";
import { findingsView, flameView, openServeSession, textView, topView, type ViewState } from "../src/api/serve.js";
import { decodeProfile, encodeProfile } from "../src/core/codec/index.js";
import { ProfileBuilder } from "../src/core/model/index.js";
import { available } from "./helpers/available.js";
import { CLI, runCli } from "./helpers/run.js";

const hasCli = available(existsSync(CLI), `the built CLI (${CLI})`);
/** proto profile kinds: their readers take BundleFile.profile */
const PROTO = new Set(["cpu", "heap", "allocs", "block", "mutex", "goroutine", "threadcreate"]);
const state = (p: number): ViewState => ({ p, si: "", focus: "", ignore: "", hide: "", show: "", show_from: "", tagfocus: "", tagignore: "", g: "", base: -1, sort: "flat", fn: "" });

describe.skipIf(!hasCli)("godiag serve releases the bytes of decoded profiles", () => {
  for (const cap of ["testdata/captures/lockcontention", "testdata/captures/gcpressure"]) {
    it(`${cap}: released bytes are never read; the findings are godiag diagnose's`, async () => {
      const s = await openServeSession([cap], { diffBase: [], sourcePath: "", trimPath: "", limits: commandLimits(DEFAULT_LIMITS.maxInputBytes, DEFAULT_LIMITS.maxDecompressedBytes) });
      const released = s.bundle.files.filter((f) => PROTO.has(f.kind));
      // the capture holds all seven proto profiles (testdata/captures/*/manifest.json)
      expect(released.map((f) => f.kind).sort()).toEqual([...PROTO].sort());
      for (const f of released) {
        expect(f.profile).toBeDefined();
        expect(() => f.data).toThrow(/released once decoded/);
      }
      // the text files stay readable: diagnose and the dump, GC and trace views parse them
      const kept = s.bundle.files.filter((f) => !PROTO.has(f.kind));
      expect(kept.map((f) => f.kind)).toEqual(expect.arrayContaining(["heap-debug1", "goroutine-debug1", "goroutine-debug2", "gctrace", "expvar"]));
      for (const f of kept) expect(f.data.byteLength).toBe(statSync(f.absPath).size);

      const cli = runCli(["diagnose", "--json", cap]);
      expect([0, 1, 3], cli.stderr).toContain(cli.code);
      expect(JSON.parse(JSON.stringify(findingsView(s)))).toEqual(JSON.parse(cli.stdout));
      // every profile's views answer from the decoded profile alone
      for (const p of s.profiles) {
        expect(topView(s, state(p.id), 10).rows.length).toBeGreaterThan(0);
        expect(flameView(s, state(p.id), 1000).payload.length).toBeGreaterThan(0);
        expect(textView(s, state(p.id), "dot").text).toContain("digraph");
      }
    }, 120_000);
  }
});

describe("the decoder allocates the stack and label columns at their size", () => {
  it("a labelled profile: the stack buffer is the ids (and one list of slack), the labels exact", () => {
    // 5,000 samples of 10 frames with three labels each: a guess of the ids from the sample
    // bytes (a third of them: what the decoder did) over-allocated the stack by a third
    const b = new ProfileBuilder();
    b.sampleTypes = [{ type: "cpu", unit: "nanoseconds" }];
    const locs = Array.from({ length: 300 }, (_, i) => b.addLocation([{ func: b.addFunction(`main.f${i}`), line: i + 1 }]));
    let frames = 0;
    for (let s = 0; s < 5000; s++) {
      const depth = 10;
      frames += depth;
      const labels = ["handler", "tenant", "route"].map((key, k) => ({ key, str: `${key}-value-${(s * (k + 3)) % 97}` }));
      b.addSample(Array.from({ length: depth }, (_, d) => locs[(s * 7 + d * 13) % 300]!), [s + 1], labels);
    }
    const p = decodeProfile(encodeProfile(b.build()), "labelled.pb");
    expect(p.samples.stack.length).toBe(frames);
    expect(p.labels.length).toBe(3 * 5000);
    // slack: at most one packed list's bytes (10 ids of at most 2 bytes here)
    expect(p.samples.stack.buffer.byteLength).toBeLessThanOrEqual(4 * (frames + 20));
    expect(p.labels.key.buffer.byteLength).toBe(4 * 3 * 5000);
    expect(p.labels.num.buffer.byteLength).toBe(8 * 3 * 5000);
  });
});
