// Overhead of `godiag probe` (the default probe set: gopark, runq, syscalls, cpu,
// netpoll, tcp, fds) on a loaded Go service. One service and one closed-loop load
// generator (bench/loadgen, 127.0.0.1 only, requests completed every 20 ms) run for
// the whole bench; rounds alternate A (no probes) and B (probes attached), so slow
// drifts of a shared machine hit both alike. B's window is the probes' own
// (ebpf.json: window.startUnixMs + seconds, from the moment they were attached);
// each B is compared with the mean of the A rounds either side of it. The A-vs-A
// changes are the noise floor: a loss smaller than that cannot be shown here.
// Throughput moves with whatever else the machine runs; the service's own CPU time
// per request (utime+stime from /proc, sampled every 100 ms) does much less, and a
// probe's cost (the uprobe trap, the BPF program) is charged to the thread it
// fires on: CPU per request with probes vs without is the steadier measure.
// Target pinned to CPU 1 (GOMAXPROCS=1); load generator, godiag and bpftrace on
// CPU 0: what the service itself pays. Goal (issue 16): <= 2 % loss. Lost events
// and stacks that bpftrace reports are printed with the numbers, and the load
// average, since other work on the machine is the main source of noise.
//
// Needs root and bpftrace (prints why and exits 0 without them).
// Usage: npm run build:bundle && node bench/ebpf-overhead.mjs [--rounds 4] [--seconds 8] [--work 300] [--clients 8] [--probes LIST[;LIST...]]
// (--probes: probe sets instead of the default, ";"-separated, each alone between A rounds, to see what each costs)

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist/godiag.mjs");
const OUT = join(ROOT, "bench/out");
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const ROUNDS = Number(arg("rounds", "4"));
const SECONDS = Number(arg("seconds", "8"));
// Iterations of badtarget's /work per request: small, so the service runs thousands of requests a second.
const WORK = `/work?n=${Number(arg("work", "300"))}`;
// Probe sets to compare, separated by ";" ("" = the default set): "runq;syscalls;cpu" measures each alone.
const SETS = arg("probes", "").split(";");
const WARMUP = 4;
/** after a probe run: bpftrace's detach and godiag's exit must not fall into an A round */
const SETTLE_MS = 1000;
const BUCKET_MS = 20;

if (process.getuid?.() !== 0 || spawnSync("bpftrace", ["--version"]).status !== 0) {
  console.log("(skipped: needs root and bpftrace)");
  process.exit(0);
}
spawnSync("sh", ["-c", "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"]);
mkdirSync(OUT, { recursive: true });
const targetBin = join(OUT, "badtarget");
const loadgenBin = join(OUT, "loadgen");
execFileSync("go", ["build", "-o", targetBin, "./badtarget"], { cwd: join(ROOT, "testdata/workloads"), stdio: "inherit" });
execFileSync("go", ["build", "-o", loadgenBin, "."], { cwd: join(ROOT, "bench/loadgen"), stdio: "inherit" });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on("exit", () => {
  for (const c of children) {
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {}
  }
});
function start(cpu, cmd, args, env = {}) {
  const p = spawn("taskset", ["-c", String(cpu), cmd, ...args], { stdio: ["ignore", "pipe", "ignore"], detached: true, env: { ...process.env, ...env } });
  children.add(p);
  p.on("exit", () => children.delete(p));
  return p;
}
const collect = (p) => {
  let out = "";
  p.stdout.on("data", (d) => (out += d));
  return new Promise((resolve) => p.on("exit", (code) => resolve({ code, out })));
};

function requests(tl, from, to) {
  let n = 0;
  tl.counts.forEach((c, i) => {
    const b0 = tl.startUnixMs + i * tl.bucketMs;
    const overlap = Math.min(to, b0 + tl.bucketMs) - Math.max(from, b0);
    if (overlap > 0) n += (c * overlap) / tl.bucketMs;
  });
  return n;
}

const la = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const loadBefore = la();
const target = start(1, targetBin, ["-seconds", "3600"], { GOMAXPROCS: "1" });
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("badtarget did not start")), 10_000);
  target.stdout.on("data", (d) => {
    const m = /listening on (\S+)/.exec(d.toString());
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
});
// The service's CPU seconds over time, to read off any window.
const TICK = 100; // USER_HZ on Linux
const cpuOf = (pid) => {
  const st = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / TICK; // utime, stime
};
const cpuSamples = [];
const cpuTimer = setInterval(() => cpuSamples.push([Date.now(), cpuOf(target.pid)]), 100);
const cpuAt = (t) => {
  let i = cpuSamples.findIndex(([ms]) => ms >= t);
  if (i <= 0) i = Math.max(1, i < 0 ? cpuSamples.length - 1 : 1);
  const [t0, c0] = cpuSamples[i - 1];
  const [t1, c1] = cpuSamples[i];
  return t1 === t0 ? c0 : c0 + ((c1 - c0) * (t - t0)) / (t1 - t0);
};
// Long enough for every round; stopped with SIGTERM at the end (it prints its timeline then).
const load = start(0, loadgenBin, ["-url", url + WORK, "-c", arg("clients", "8"), "-seconds", "600", "-bucket", `${BUCKET_MS}ms`]);
const loadDone = collect(load);
await sleep(WARMUP * 1000);
const aRounds = []; // [from, to] ms
const bRounds = []; // { set, from, to, lost, lostStacks, errors, events }
/**
 * Events the probes saw in the service over the window, from the report (a lower bound
 * of the probes' firings: each park is a gopark, a ready or netpoll and an execute hit; each
 * syscall an enter and an exit), to state a cost per event.
 */
const eventsOf = (r) =>
  (r.gopark?.reasons ?? []).reduce((s, x) => s + x.parks, 0) +
  (r.runq ? r.runq.involuntarySwitches + r.runq.voluntarySwitches : 0) +
  (r.syscalls?.bySyscall ?? []).reduce((s, x) => s + x.count, 0) +
  (r.netpoll ? r.netpoll.blocking.calls + r.netpoll.nonBlocking.calls : 0) +
  (r.cpu?.onCpuSamples ?? 0) +
  (r.tcp ? r.tcp.established + r.tcp.closed : 0);
const aRound = async () => {
  const from = Date.now();
  await sleep(SECONDS * 1000);
  aRounds.push([from, Date.now()]);
};
// Rounds: A, B(set 1), A, B(set 2), ..., A: every B sits between two A rounds.
for (let i = 0; i < ROUNDS; i++) {
  for (const set of SETS) {
    await aRound();
    const dir = join(OUT, "ebpf-overhead");
    rmSync(dir, { recursive: true, force: true });
    const probe = start(0, process.execPath, [CLI, "probe", "--pid", String(target.pid), "--seconds", String(SECONDS), ...(set ? ["--probes", set] : []), "-o", dir]);
    const { code } = await collect(probe);
    if (code !== 0) throw new Error(`godiag probe exited ${code}`);
    const report = JSON.parse(readFileSync(join(dir, "ebpf.json"), "utf8"));
    const from = report.window.startUnixMs;
    bRounds.push({ set, from, to: from + report.window.seconds * 1000, lost: report.bpftrace.lostEvents, lostStacks: report.bpftrace.lostStacks, errors: report.bpftrace.errors.length, events: eventsOf(report) });
    await sleep(SETTLE_MS);
  }
}
await aRound();
clearInterval(cpuTimer);
process.kill(load.pid, "SIGTERM");
const { out } = await loadDone;
process.kill(-target.pid, "SIGKILL");
const loadAfter = la();
const tl = JSON.parse(out);
const rate = (from, to) => requests(tl, from, to) / ((to - from) / 1000);
const aRate = aRounds.map(([f, t]) => rate(f, t));
/** the service's CPU µs per request over [from, to] */
const cpuPerReq = (from, to) => ((cpuAt(to) - cpuAt(from)) * 1e6) / requests(tl, from, to);
const aCpu = aRounds.map(([f, t]) => cpuPerReq(f, t));
const pct = (x, base) => ((x - base) / base) * 100;
const rows = bRounds.map((b, i) => {
  const base = (aRate[i] + aRate[i + 1]) / 2;
  const cpu = cpuPerReq(b.from, b.to);
  const cpuA = (aCpu[i] + aCpu[i + 1]) / 2;
  const reqs = requests(tl, b.from, b.to);
  return { ...b, before: aRate[i], with: rate(b.from, b.to), after: aRate[i + 1], change: pct(rate(b.from, b.to), base), cpuA, cpuB: cpu, cpuChange: pct(cpu, cpuA), eventsPerReq: b.events / reqs, nsPerEvent: b.events > 0 ? ((cpu - cpuA) * 1000 * reqs) / b.events : NaN };
});
const noise = aRate.slice(1).map((x, i) => pct(x, aRate[i]));
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const med = (xs) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f1 = (x) => `${x >= 0 ? "+" : ""}${x.toFixed(1)} %`;

console.log(`${ROUNDS} rounds of A/B per probe set, ${SECONDS} s each, on badtarget ${WORK} (GOMAXPROCS=1 on CPU 1; load, godiag, bpftrace on CPU 0)`);
console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${loadAfter} after; ${availableParallelism()} CPUs; A rounds ${Math.min(...aRate).toFixed(0)}-${Math.max(...aRate).toFixed(0)} req/s\n`);
console.log("| probes | A before req/s | B with probes req/s | A after req/s | B vs mean of A | CPU µs/req A | CPU µs/req B | CPU/req change | probe events/req | CPU ns/event | lost events | lost stacks | bpftrace errors |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.set || "default"} | ${r.before.toFixed(0)} | ${r.with.toFixed(0)} | ${r.after.toFixed(0)} | ${f1(r.change)} | ${r.cpuA.toFixed(1)} | ${r.cpuB.toFixed(1)} | ${f1(r.cpuChange)} | ${r.eventsPerReq.toFixed(2)} | ${r.nsPerEvent.toFixed(0)} | ${r.lost} | ${r.lostStacks} | ${r.errors} |`);
}
const noiseAbs = Math.max(...noise.map(Math.abs));
const cpuNoise = aCpu.slice(1).map((x, i) => pct(x, aCpu[i]));
console.log(`\nnoise floor, A round vs the A round before it: throughput ${noise.map(f1).join(", ")} (largest |change| ${noiseAbs.toFixed(1)} %); CPU/req ${cpuNoise.map(f1).join(", ")}`);
for (const set of SETS) {
  const rs = rows.filter((r) => r.set === set);
  const ch = rs.map((r) => r.change);
  const cc = rs.map((r) => r.cpuChange);
  const m = med(ch);
  const lost = rs.reduce((s, r) => s + r.lost, 0);
  console.log(`\n${set || "default set"}: throughput ${f1(m)} median (spread ${f1(Math.min(...ch))} .. ${f1(Math.max(...ch))}); service CPU/request ${f1(med(cc))} median (spread ${f1(Math.min(...cc))} .. ${f1(Math.max(...cc))}); ${med(rs.map((r) => r.eventsPerReq)).toFixed(2)} probe events/request, ${med(rs.map((r) => r.nsPerEvent)).toFixed(0)} ns CPU/event; lost events ${lost}`);
  const mc = med(cc);
  const cpuNoiseAbs = Math.max(...cpuNoise.map(Math.abs));
  // A median inside a noise floor wider than 2 % shows nothing either way.
  let verdict;
  if (noiseAbs <= 2 && m >= -2) verdict = `SHOWN by throughput: ${f1(m)} (noise floor ${noiseAbs.toFixed(1)} %)`;
  else if (cpuNoiseAbs <= 2 && mc <= 2) verdict = `SHOWN by CPU/request: ${f1(mc)} (noise floor ${cpuNoiseAbs.toFixed(1)} %)`;
  else if (noiseAbs <= 2 || cpuNoiseAbs <= 2) verdict = `NOT MET: throughput ${f1(m)}, CPU/request ${f1(mc)}`;
  else verdict = `NOT SHOWN: medians throughput ${f1(m)}, CPU/request ${f1(mc)}, but rounds without probes differ by up to ${noiseAbs.toFixed(1)} % (throughput) and ${cpuNoiseAbs.toFixed(1)} % (CPU/request)`;
  console.log(`goal <= 2 % loss: ${verdict}`);
}

