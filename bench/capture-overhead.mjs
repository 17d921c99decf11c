// Overhead of `godiag capture` on the service it captures: requests/s of a
// bounded load (fixed concurrency, capped count and time, 127.0.0.1 only)
// against testdata/workloads/badtarget's /work handler, alternating runs:
//   baseline      no capture
//   snapshots     godiag capture --seconds 0 (every default fetch except the
//                 CPU profile) run back to back for the whole window: the
//                 worst case of what a capture costs outside the CPU window
//   cpu window    a CPU profile (profile?seconds=N) running the whole window
// godiag runs on the same 2-core machine as the target and the load
// generator, so its own CPU use is part of the overhead measured.
// Usage: npm run build:bundle && node bench/capture-overhead.mjs [--runs 3] [--seconds 4]
// Prints a markdown section.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist/godiag.mjs");
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg("runs", 3);
const SECONDS = arg("seconds", 4);
const CONCURRENCY = 8;
const MAX_REQUESTS = 500_000;

const bin = join(ROOT, "bench/out/badtarget");
mkdirSync(dirname(bin), { recursive: true });
execFileSync("go", ["build", "-o", bin, "./badtarget"], { cwd: join(ROOT, "testdata/workloads"), stdio: "inherit" });

const target = spawn(bin, ["-seconds", "600"], { stdio: ["ignore", "pipe", "inherit"], detached: true });
const stopTarget = () => {
  try {
    process.kill(-target.pid, "SIGKILL");
  } catch {}
};
process.on("exit", stopTarget);
const url = await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error("badtarget did not start")), 10_000);
  target.stdout.on("data", (d) => {
    const m = /listening on (\S+)/.exec(d.toString());
    if (m) {
      clearTimeout(t);
      resolve(m[1]);
    }
  });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function get(path) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${path}`, { agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

/** Requests/s over `seconds`, CONCURRENCY workers, at most MAX_REQUESTS. */
async function load(seconds) {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end && done < MAX_REQUESTS) {
        await get("/work");
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

function runCapture(args) {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, "capture", url, "-q", "-o", join(ROOT, "bench/out/capture-overhead"), ...args], { stdio: "ignore" });
    c.on("exit", (code) => resolve(code));
  });
}

async function withSnapshots(seconds) {
  let stop = false;
  let captures = 0;
  const loop = (async () => {
    while (!stop) {
      const code = await runCapture(["--seconds", "0", "--interval", "0"]);
      if (code !== 0) throw new Error(`capture exited ${code}`);
      captures++;
    }
  })();
  const rps = await load(seconds);
  stop = true;
  await loop;
  return { rps, captures };
}

async function withCpuProfile(seconds) {
  const prof = get(`/debug/pprof/profile?seconds=${seconds + 1}`);
  await new Promise((r) => setTimeout(r, 300));
  const rps = await load(seconds);
  await prof;
  return rps;
}

await load(1); // warm-up
const base = [];
const snaps = [];
const cpu = [];
let captures = 0;
for (let i = 0; i < RUNS; i++) {
  base.push(await load(SECONDS));
  const s = await withSnapshots(SECONDS);
  snaps.push(s.rps);
  captures += s.captures;
  cpu.push(await withCpuProfile(SECONDS));
}
stopTarget();

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const mb = median(base);
const pct = (x) => `${(((mb - x) / mb) * 100).toFixed(1)} %`;
const fmt = (a) => a.map((x) => x.toFixed(0)).join(", ");
const perCapture = (SECONDS * RUNS) / captures;
// A default capture does one snapshot round (~perCapture s of the loop above) per --seconds of CPU window.
const lossPerRound = ((mb - median(snaps)) / mb) * perCapture; // seconds of full throughput lost per round
console.log(`## Capture overhead (bench/capture-overhead.mjs)

Target: testdata/workloads/badtarget \`/work\` (sha256 loop + mutex), load ${CONCURRENCY} keep-alive clients on 127.0.0.1,
${SECONDS} s windows, ${RUNS} alternating runs each, medians. godiag, the target and the load share the 2-core machine.

| mode | requests/s (runs) | median | overhead |
|---|---|---|---|
| baseline | ${fmt(base)} | ${mb.toFixed(0)} | - |
| snapshots back to back (\`capture --seconds 0\`, ${captures} captures, ${perCapture.toFixed(2)} s each) | ${fmt(snaps)} | ${median(snaps).toFixed(0)} | ${pct(median(snaps))} |
| inside the CPU profile window | ${fmt(cpu)} | ${median(cpu).toFixed(0)} | ${pct(median(cpu))} |

A default capture (\`--seconds 30\`) takes one snapshot round before its CPU window and one goroutine dump after:
spread over its 30 s, the measured loss per round is ${((lossPerRound / 30) * 100).toFixed(2)} % of the service's throughput outside the CPU window;
the back-to-back row is the upper bound for capturing continuously.
`);
process.exit(0);
