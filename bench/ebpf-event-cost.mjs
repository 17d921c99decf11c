// What each eBPF probe costs per event, paid by the traced thread: bench/eventcost runs
// one kind of event in a tight loop (getppid syscalls; a thread ping-pong over pipes,
// i.e. wake-ups and switches; a goroutine ping-pong over channels, i.e. parks) on CPU 1,
// measured in 0.5 s slices with and without `godiag probe --pid` attached (one probe set
// at a time). Each slice's cost is the loop's CPU time (getrusage: user + system, all its
// threads) per iteration, not wall time: time other work on the shared machine holds the
// CPU does not count, so a loaded machine adds little noise. The extra ns per loop iteration is the probe's cost per event; times the
// events a request makes (bench/ebpf-overhead.mjs prints them) it is the cost per request.
// Much steadier than throughput on a shared machine: the loop does nothing else, and the
// minimum of several slices drops the ones other work interrupted.
//
// --idle attaches the probes to a third, idle process instead of the loop: what a
// system-wide tracepoint costs every OTHER process (the tracepoint's slow path and
// the BPF program up to its pid test), which a probed service's unprobed neighbours
// pay (bench/ebpf-overhead.mjs adds it to its paired ratio). --json FILE writes the
// table's rows as JSON too.
//
// Needs root and bpftrace (prints why and exits 0 without them).
// Usage: npm run build:bundle && node bench/ebpf-event-cost.mjs [--rounds 2] [--what syscall,switch,park] [--probes "syscalls;runq;..."] [--idle] [--json FILE]

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist/godiag.mjs");
const OUT = join(ROOT, "bench/out");
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const ROUNDS = Number(arg("rounds", "2"));
const WHATS = arg("what", "syscall,switch,park").split(",");
// "" = the default set
const SETS = arg("probes", "syscalls;runq;cpu;tcp;fds;netpoll;gopark;").split(";");
const PROBE_SECONDS = 3;
const IDLE = process.argv.includes("--idle");
const JSON_OUT = arg("json", "");

if (process.getuid?.() !== 0 || spawnSync("bpftrace", ["--version"]).status !== 0) {
  console.log("(skipped: needs root and bpftrace)");
  process.exit(0);
}
spawnSync("sh", ["-c", "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"]);
mkdirSync(OUT, { recursive: true });
const bin = join(OUT, "eventcost");
execFileSync("go", ["build", "-o", bin, "."], { cwd: join(ROOT, "bench/eventcost"), stdio: "inherit" });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const min = (xs) => Math.min(...xs);
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One eventcost process: measure() runs one 0.5 s slice and resolves with its JSON. */
async function startLoop(what, cpu = 1) {
  const p = spawn("taskset", ["-c", String(cpu), bin, "-what", what, "-seconds", "0.5"], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: p.stdout });
  const queue = [];
  let waiting;
  lines.on("line", (l) => (waiting ? (waiting(l), (waiting = undefined)) : queue.push(l)));
  const next = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => (waiting = r)));
  const pid = Number((await next()).split(" ")[1]);
  return {
    pid,
    measure: async () => {
      p.stdin.write("go\n");
      return JSON.parse(await next());
    },
    stop: () => p.stdin.end(),
  };
}

const la = () => loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`load average before: ${la()}${IDLE ? "; probes attached to an idle process, not to the loop" : ""}`);
// --idle: a Go process that never gets "go" (it waits in a read on stdin), on the other CPU.
const idle = IDLE ? await startLoop("syscall", 0) : undefined;
const results = []; // { what, set, base, with }
for (const what of WHATS) {
  const loop = await startLoop(what);
  for (let r = 0; r < ROUNDS; r++) {
    for (const set of SETS) {
      const base = [];
      for (let i = 0; i < 4; i++) base.push((await loop.measure()).cpuNs);
      const dir = join(OUT, "ebpf-event-cost");
      rmSync(dir, { recursive: true, force: true });
      const probe = spawn("taskset", ["-c", "0", process.execPath, CLI, "probe", "--pid", String(idle ? idle.pid : loop.pid), "--seconds", String(PROBE_SECONDS), ...(set ? ["--probes", set] : []), "-o", dir], { stdio: "ignore" });
      const done = new Promise((res) => probe.on("exit", res));
      let exited = false;
      done.then(() => (exited = true));
      const during = [];
      while (!exited) during.push(await loop.measure());
      await done;
      const w = JSON.parse(readFileSync(join(dir, "ebpf.json"), "utf8")).window;
      const end = w.startUnixMs + w.seconds * 1000;
      // Only slices wholly inside the probes' window (bpftrace attached, not yet detaching).
      const inside = during.filter((m) => m.startMs >= w.startUnixMs && m.endMs <= end).map((m) => m.cpuNs);
      for (let i = 0; i < 2; i++) base.push((await loop.measure()).cpuNs);
      if (inside.length > 0) results.push({ what, set: set || "default", base: min(base), with: min(inside), baseMed: med(base), withMed: med(inside) });
      await sleep(300);
    }
  }
  loop.stop();
}
idle?.stop();
console.log(`load average after: ${la()}\n`);
const rows = [];
const UNIT = { syscall: "getppid syscall", switch: "pipe round trip (2 wake-ups, 2 sleeps, 4 syscalls)", park: "channel round trip (2 parks)" };
console.log("| event | probes | CPU ns/event without (min of slices) | CPU ns/event with | extra ns/event (min) | extra ns/event (median of slices) |");
console.log("|---|---|---:|---:|---:|---:|");
for (const what of WHATS) {
  for (const set of SETS.map((s) => s || "default")) {
    const rs = results.filter((x) => x.what === what && x.set === set);
    if (rs.length === 0) continue;
    const extra = med(rs.map((x) => x.with - x.base));
    const extraMed = med(rs.map((x) => x.withMed - x.baseMed));
    rows.push({ what, set, idle: IDLE, nsWithout: med(rs.map((x) => x.base)), nsWith: med(rs.map((x) => x.with)), extraNs: extra, extraNsMedianOfSlices: extraMed });
    console.log(`| ${UNIT[what]} | ${set}${IDLE ? " (on an idle process)" : ""} | ${med(rs.map((x) => x.base)).toFixed(0)} | ${med(rs.map((x) => x.with)).toFixed(0)} | ${extra.toFixed(0)} | ${extraMed.toFixed(0)} |`);
  }
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2) + "\n");
