#!/usr/bin/env node
// godiag pcap vs tshark on the same large capture, same run (npm run bench; BENCH_ONLY=pcap
// runs only this). The capture (~BENCH_PCAP_MB, default 500 MB) is tcpdump of real HTTP
// traffic on loopback between testdata/net's Go server and client, made once into
// bench/out/ (not committed; needs root for tcpdump). Cases: `godiag pcap --json` against
// `tshark -q -z conv,tcp` (the conversation table) and against tshark's tcp.analysis field
// export (what godiag computes per packet), alternating fresh processes; wall, CPU and
// peak RSS from /usr/bin/time; the same-result check compares flow and flag counts.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
const RUNS = Number(process.env.BENCH_PCAP_RUNS ?? 2);
const TARGET_MB = Number(process.env.BENCH_PCAP_MB ?? 500);
mkdirSync(OUT, { recursive: true });
const file = join(OUT, `loopback-${TARGET_MB}mb.pcap`);
const goEnv = { ...process.env, GOFLAGS: "", GOWORK: "off", GOTOOLCHAIN: "local" };

async function makeCapture() {
  for (const p of ["netserver", "netclient"]) execFileSync("go", ["build", "-o", join(OUT, p), `./${p}`], { cwd: join(ROOT, "testdata/net"), env: goEnv, stdio: "inherit" });
  const server = spawn(join(OUT, "netserver"), ["-addr", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "ignore"] });
  const url = await new Promise((r) => server.stdout.once("data", (b) => r(b.toString().split("\n")[0].trim())));
  const port = new URL(url).port;
  const dump = spawn("tcpdump", ["-i", "lo", "-B", "65536", "--immediate-mode", "-U", "-w", file, "tcp", "port", port], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise((r) => dump.stderr.on("data", (b) => b.toString().includes("listening on") && r()));
  // small and mid-sized responses over keep-alive connections, plus fresh connections: many packets per MB
  while (!existsSync(file) || statSync(file).size < TARGET_MB * 1e6) {
    spawnSync(join(OUT, "netclient"), ["-url", url, "-n", "50000", "-c", "8", "-paths", "/?size=100,/?size=1500,/?size=9000"], { stdio: "ignore" });
    spawnSync(join(OUT, "netclient"), ["-url", url, "-n", "500", "-c", "4", "-fresh"], { stdio: "ignore" });
  }
  await new Promise((r) => setTimeout(r, 500));
  dump.kill("SIGINT");
  await new Promise((r) => dump.on("close", r));
  server.kill("SIGKILL");
}

function timed(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", ...argv], { encoding: "utf8", maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.slice(-500)}`);
  const [rss, u, s] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { ms, cpuMs: (u + s) * 1000, rssKB: rss, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!existsSync(file)) {
  if (process.getuid?.() !== 0) {
    console.log(`(pcap bench skipped: ${file} is missing and making it needs tcpdump as root)`);
    process.exit(0);
  }
  console.error(`capturing ~${TARGET_MB} MB of loopback HTTP traffic into ${file} ...`);
  await makeCapture();
}
const godiag = [process.execPath, join(ROOT, "dist/godiag.mjs"), "pcap", "--json", file];
const FIELDS = ["tcp.stream", "tcp.analysis.retransmission", "tcp.analysis.duplicate_ack", "tcp.analysis.zero_window", "tcp.analysis.ack_rtt"];
const cases = [
  {
    name: "godiag pcap vs tshark -q -z conv,tcp",
    theirs: ["tshark", "-r", file, "-q", "-z", "conv,tcp"],
    same: (ours, theirs) => {
      const flows = theirs.split("\n").filter((l) => /<->/.test(l)).length;
      return ours.totals.flows === flows;
    },
  },
  {
    name: "godiag pcap vs tshark tcp.analysis fields",
    theirs: ["tshark", "-r", file, "-T", "fields", "-Y", "tcp", ...FIELDS.flatMap((f) => ["-e", f])],
    same: (ours, theirs) => {
      let retr = 0;
      let dup = 0;
      let zw = 0;
      for (const l of theirs.split("\n")) {
        if (l === "") continue;
        const f = l.split("\t");
        if (f[1]) retr++;
        if (f[2]) dup++;
        if (f[3]) zw++;
      }
      return ours.totals.retransmissions === retr && ours.totals.duplicateAcks === dup && ours.totals.zeroWindows === zw;
    },
  },
];
// BENCH_PCAP_CASES=conv runs only the conversation-table case (the field export takes minutes of CPU)
const only = process.env.BENCH_PCAP_CASES;
if (only) cases.splice(0, cases.length, ...cases.filter((c) => c.name.includes(only === "conv" ? "conv,tcp" : "fields")));
const size = statSync(file).size;
const rows = [];
for (const c of cases) {
  const o = [];
  const t = [];
  let same = true;
  for (let i = 0; i < RUNS; i++) {
    const a = timed(godiag);
    const b = timed(c.theirs);
    if (!c.same(JSON.parse(a.stdout), b.stdout)) same = false;
    o.push(a);
    t.push(b);
  }
  rows.push({ c, o, t, same, packets: JSON.parse(o[0].stdout).packets });
}
console.log(`\n## godiag pcap vs tshark ${(/\d+\.\d+\.\d+/.exec(spawnSync("tshark", ["--version"], { encoding: "utf8" }).stdout) ?? ["?"])[0]} (${(size / 1e6).toFixed(0)} MB, ${rows[0].packets} packets, ${RUNS} alternating runs)\n`);
console.log("| case | godiag wall (median) | tshark wall | speed-up | godiag CPU (min / median) | tshark CPU (min / median) | CPU ratio (min / median) | godiag RSS | tshark RSS | same result |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const { c, o, t, same } of rows) {
  const ow = median(o.map((x) => x.ms));
  const tw = median(t.map((x) => x.ms));
  const oc = Math.min(...o.map((x) => x.cpuMs));
  const tc = Math.min(...t.map((x) => x.cpuMs));
  const om = median(o.map((x) => x.cpuMs));
  const tm = median(t.map((x) => x.cpuMs));
  const mb = (x) => `${(Math.max(...x.map((y) => y.rssKB)) / 1024).toFixed(0)} MB`;
  console.log(
    `| ${c.name} | ${ow.toFixed(0)} ms | ${tw.toFixed(0)} ms | ${(tw / ow).toFixed(1)}x | ${oc.toFixed(0)} / ${om.toFixed(0)} ms | ${tc.toFixed(0)} / ${tm.toFixed(0)} ms | ${(tc / oc).toFixed(1)}x / ${(tm / om).toFixed(1)}x | ${mb(o)} | ${mb(t)} | ${same ? "yes" : "NO"} |`,
  );
}
