#!/usr/bin/env node
// Captures the diagnosis corpus: each test service under testdata/services/<name>/
// (main.go, truth.json, load.json) is built, run under load, and captured the way
// real users capture a Go service: by hand with curl, or with `godiag capture`.
//
//   node scripts/corpus.mjs                          # every service, every variant
//   node scripts/corpus.mjs sessiond clicktrack      # only some services
//   node scripts/corpus.mjs --variant curl-go119-heavy [service...]
//   node scripts/corpus.mjs --missing                # only variants not yet captured, or whose service changed since
//   node scripts/corpus.mjs --committed              # only services whose truth.json is committed
//   node scripts/corpus.mjs --check [service...]     # sanity-check what is on disk, capture nothing
//   node scripts/corpus.mjs --prune                  # drop captures of services no longer in testdata/services
//
// Output: testdata/corpus/<service>/<variant>/ (only what the user would have:
// profiles, dumps, the service's log) and testdata/corpus/index.json (one entry
// per variant: Go version, load, files with their fetch times and commands, the
// load driver's summary, ...). Nothing about the fault is written next to the
// captures; the ground truth stays in testdata/services/<service>/truth.json.
//
// THE MATRIX (fixed; testdata/corpus/README.md says the same)
//
//   variant               Go     load                          captured with
//   curl-go126-light      1.26   open loop, 50 req/s           curl, full set
//   curl-go119-heavy      1.19   closed loop, 16 clients       curl, full set
//   capture-go126-heavy   1.26   closed loop, 16 clients       godiag capture --seconds 8 -q
//   curl-go119-light-few  1.19   open loop, 50 req/s           curl, few files; only for
//                                                               every other service (below)
//   curl-go126-plain      1.26   closed loop, 16 clients       curl, full set, but run
//                                                               without gctrace and no heap?debug=1
//
// Every run: the service is built (go build -trimpath) with that Go, started as
//   GODEBUG=gctrace=1 <load.json env> ./svc -addr 127.0.0.1:0 <load.json args>
// with stdout+stderr going to one log file (like `./svc > app.log 2>&1`); the app
// port (and the pprof port, when the service logs `debug server listening on
// 127.0.0.1:PORT`) is read from that log. The load driver
// (testdata/services/cmd/loaddriver, seeded by the service name) starts, ~3 s of
// warm-up follow, then the capture, with the load running throughout; then the
// driver gets SIGTERM (its one-line JSON summary goes to index.json) and the
// service SIGTERM, SIGKILL after 5 s. Each variant is cut off after 40 s; every
// child process has its own timeout; only loopback addresses are used.
//
// "curl, full set": file names, order and timing are chosen per service+variant
// by a seeded generator among realistic alternatives, e.g.
//   cpu.prof | profile.pb.gz | cpu.pprof | cpu.out | profile   /debug/pprof/profile?seconds=8, in the background
//   heap.out | heap.pb.gz | mem.prof | heap.prof               /debug/pprof/heap
//   allocs.pb.gz | allocs.prof | allocs.out (sometimes)        /debug/pprof/allocs
//   block | block.prof | block.pb.gz                           /debug/pprof/block  (cumulative, no ?seconds)
//   mutex | mutex.pprof | mutex.prof                           /debug/pprof/mutex  (cumulative, no ?seconds)
//   two goroutine?debug=2 dumps ~5 s apart: goroutines-<unixtime>.txt | g1.txt,g2.txt |
//     goroutine-dump-1.txt,-2.txt | stacks-1.txt,-2.txt
//   goroutine.txt | goroutines-debug1.txt (sometimes)          /debug/pprof/goroutine?debug=1
//   heap.txt | heap-debug1.txt (sometimes)                     /debug/pprof/heap?debug=1
//   app.log | service.log | stderr.txt                         the service's stdout+stderr (gctrace interleaved)
// Either everything else is fetched while the CPU profile runs (sometimes several
// at once, like `curl ... &` in a shell) or after it; the dumps are always taken
// during the CPU window. `curl -sS -o FILE URL` or `curl -sS URL > FILE`, also
// chosen per service. File mtimes are left as curl wrote them (but note that git
// does not keep mtimes). No manifest is written.
//
// "curl, few files" (curl-go119-light-few): only for services where
// rng("few:"+name) < 0.5, and then either a CPU profile plus one goroutine
// debug=2 dump taken during it, or just two goroutine debug=2 dumps ~5 s apart
// (rng("few-kind:"+name) < 0.5 picks the former). Not even the log: the
// service's output is read for index.json (GC count) and then dropped.
//
// Files stay < 1.5 MB: a log above that keeps its head and tail with a marker
// line between them; a bigger profile or dump is kept and flagged in index.json.
//
// Needs: go 1.26 on PATH, /usr/lib/go-1.19/bin/go (apt-get install -y
// golang-1.19-go), curl, and a built godiag (npm run build; or GODIAG_MJS=path).

import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync,
  readSync, renameSync, rmSync, statSync, utimesSync, writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const servicesDir = join(root, 'testdata', 'services');
const corpusDir = join(root, 'testdata', 'corpus');
const indexPath = join(corpusDir, 'index.json');

const GO126 = process.env.GO126 || 'go';
const GO119 = process.env.GO119 || '/usr/lib/go-1.19/bin/go';
const CPU_SECONDS = 8;
const WARMUP_MS = 3000;
const VARIANT_LIMIT_MS = 40_000;
const MAX_BYTES = 1_500_000;
const goEnv = { ...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off', GOFLAGS: '' };

export const MATRIX = [
  { name: 'curl-go126-light', go: 'go126', load: { mode: 'open', rate: 50 }, via: 'curl-full' },
  { name: 'curl-go119-heavy', go: 'go119', load: { mode: 'closed', clients: 16 }, via: 'curl-full' },
  { name: 'capture-go126-heavy', go: 'go126', load: { mode: 'closed', clients: 16 }, via: 'godiag' },
  { name: 'curl-go119-light-few', go: 'go119', load: { mode: 'open', rate: 50 }, via: 'curl-few', only: (svc) => rng(`few:${svc}`)() < 0.5 },
  // As most services run in production: no GODEBUG=gctrace=1, and the user fetched no
  // heap?debug=1 — no GC cycle count anywhere unless the service serves /debug/vars.
  { name: 'curl-go126-plain', go: 'go126', load: { mode: 'closed', clients: 16 }, via: 'curl-full', plain: true },
];

// ---------------------------------------------------------------- utilities

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(s, 'utf8')) {
    h ^= c;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32 seeded from a string: the same name always gets the same choices */
function rng(seed) {
  let a = fnv1a(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
function shuffle(r, xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const sleepPlain = (ms) => new Promise((res) => setTimeout(res, ms));
const iso = (ms) => new Date(ms).toISOString();
const shq = (s) => (/^[\w./:=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** every child process we started and that may still run; killed on our exit */
const live = new Set();
function killAll() {
  for (const c of live) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`corpus: ${sig}, stopping the processes it started`);
    killAll();
    process.exit(130);
  });
}

class Aborted extends Error {}

/** One variant's run: its deadline, its children, abortable sleeps. */
class Run {
  constructor(limitMs) {
    this.children = new Set();
    this.aborted = false;
    this.waiters = new Set();
    this.timer = setTimeout(() => this.abort(`variant time limit ${limitMs / 1000} s`), limitMs);
  }
  abort(why) {
    if (this.aborted) return;
    this.aborted = why;
    for (const c of this.children) {
      try { c.kill('SIGKILL'); } catch { /* gone */ }
    }
    for (const w of this.waiters) w();
  }
  check() {
    if (this.aborted) throw new Aborted(this.aborted);
  }
  sleep(ms) {
    this.check();
    return new Promise((res, rej) => {
      const done = () => { clearTimeout(t); this.waiters.delete(done); rej(new Aborted(this.aborted)); };
      const t = setTimeout(() => { this.waiters.delete(done); res(); }, Math.max(0, ms));
      this.waiters.add(done);
    });
  }
  sleepUntil(t) {
    return this.sleep(t - Date.now());
  }
  /** spawn, tracked; resolves {code, signal, stdout, stderr, timedOut} when it exits */
  spawn(cmd, args, opts = {}, timeoutMs = 30_000) {
    this.check();
    const child = spawn(cmd, args, { ...opts, stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => { if (stdout.length < 1e6) stdout += d; });
    child.stderr?.setEncoding('utf8').on('data', (d) => { if (stderr.length < 1e6) stderr += d; });
    let timedOut = false;
    const t = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.done = new Promise((res) => {
      child.on('error', (e) => { stderr += String(e); });
      child.on('close', (code, signal) => {
        clearTimeout(t);
        live.delete(child);
        this.children.delete(child);
        res({ code, signal, stdout, stderr, timedOut });
      });
    });
    return child;
  }
  /** SIGTERM, then SIGKILL after graceMs */
  async stop(child, graceMs = 5000) {
    if (!child || child.exitCode !== null || child.signalCode !== null) return { killed: false, ...(await child?.done) };
    child.kill('SIGTERM');
    let killed = false;
    const t = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, graceMs);
    const r = await child.done;
    clearTimeout(t);
    return { ...r, killed };
  }
  end() {
    clearTimeout(this.timer);
    for (const c of this.children) {
      try { c.kill('SIGKILL'); } catch { /* gone */ }
    }
  }
}

function httpGet(url, timeoutMs = 3000) {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`not loopback: ${url}`);
  return new Promise((res) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (resp) => {
      resp.resume();
      resp.on('end', () => res(resp.statusCode));
      resp.on('error', () => res(0));
    });
    req.on('timeout', () => { req.destroy(); res(0); });
    req.on('error', () => res(0));
  });
}

function goVersion(go) {
  const r = spawnSync(go, ['version'], { encoding: 'utf8', env: goEnv, timeout: 30_000 });
  if (r.status !== 0) return null;
  return /go version (go\S+)/.exec(r.stdout)?.[1] ?? null;
}

function godiagMjs() {
  const cands = [process.env.GODIAG_MJS, join(root, 'dist', 'godiag.mjs'), '/tmp/godiag-dist/godiag.mjs'].filter(Boolean);
  return cands.find((p) => existsSync(p)) ?? null;
}

/** the kind of a captured file, from its content */
function sniff(path) {
  let fd;
  const buf = Buffer.alloc(64);
  let n = 0;
  try {
    fd = openSync(path, 'r');
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const b = buf.subarray(0, n);
  if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'pprof';
  const s = b.toString('latin1');
  if (s.startsWith('goroutine profile: total')) return 'goroutine-debug1';
  if (/^goroutine \d+ /.test(s)) return 'goroutine-debug2';
  if (s.startsWith('heap profile:')) return 'heap-debug1';
  if (s.startsWith('{')) return 'json';
  if (n === 0) return 'empty';
  return 'text';
}

const countGC = (text) => (text.match(/^gc \d+ @/gm) ?? []).length;
const countGoroutines = (text) => (text.match(/^goroutine \d+ \[/gm) ?? []).length;

/** keep a log under MAX_BYTES: head + marker + tail, cut at line ends; mtime kept */
function capLog(path) {
  const st = statSync(path);
  if (st.size < MAX_BYTES) return null;
  const buf = readFileSync(path);
  const headEnd = buf.lastIndexOf(0x0a, 200_000) + 1;
  const tailStart = buf.indexOf(0x0a, buf.length - (MAX_BYTES - 300_000)) + 1;
  const marker = Buffer.from(`[corpus.mjs: ${tailStart - headEnd} bytes of this log cut to keep the file under ${MAX_BYTES} bytes]\n`);
  writeFileSync(path, Buffer.concat([buf.subarray(0, headEnd), marker, buf.subarray(tailStart)]));
  utimesSync(path, st.atime, st.mtime);
  return { originalBytes: st.size, keptBytes: statSync(path).size };
}

// ---------------------------------------------------------------- services, builds

function listServices() {
  if (!existsSync(servicesDir)) return [];
  return readdirSync(servicesDir)
    .filter((n) => n !== 'cmd' && !n.startsWith('.'))
    .filter((n) => {
      const d = join(servicesDir, n);
      return statSync(d).isDirectory() && existsSync(join(d, 'truth.json')) && existsSync(join(d, 'load.json'))
        && readdirSync(d).some((f) => f.endsWith('.go'));
    })
    .sort();
}

function committed(svc) {
  const r = spawnSync('git', ['ls-files', '--error-unmatch', `testdata/services/${svc}/truth.json`, `testdata/services/${svc}/load.json`], { cwd: root, encoding: 'utf8' });
  return r.status === 0;
}

/** hash of what is built and run (the .go files and load.json), to notice a service that changed after its capture */
function sourceHash(svc) {
  const dir = join(servicesDir, svc);
  const h = createHash('sha256');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.go') || f === 'load.json').sort()) {
    h.update(`${f}\0`).update(readFileSync(join(dir, f))).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

let binDir;
function build(go, pkg, out) {
  if (!existsSync(join(servicesDir, 'go.mod'))) throw new Error('testdata/services/go.mod is missing');
  const r = spawnSync(go, ['build', '-trimpath', '-o', out, `./${pkg}`], { cwd: servicesDir, env: goEnv, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${go} build ./${pkg}: ${(r.stderr || String(r.error)).trim()}`);
  return out;
}

// ---------------------------------------------------------------- capture plans

function fullPlan(svc, variant, plain = false) {
  const r = rng(`${svc}/${variant}`);
  const dumps = pick(r, ['unixtime', 'g12', 'dump', 'stacks']);
  const plan = {
    cpu: pick(r, ['cpu.prof', 'profile.pb.gz', 'cpu.pprof', 'cpu.out', 'profile']),
    heap: pick(r, ['heap.out', 'heap.pb.gz', 'mem.prof', 'heap.prof']),
    allocs: r() < 0.5 ? pick(r, ['allocs.pb.gz', 'allocs.prof', 'allocs.out']) : null,
    block: pick(r, ['block', 'block.prof', 'block.pb.gz']),
    mutex: pick(r, ['mutex', 'mutex.pprof', 'mutex.prof']),
    gdebug1: r() < 0.4 ? pick(r, ['goroutine.txt', 'goroutines-debug1.txt']) : null,
    heapText: r() < 0.4 && !plain ? pick(r, ['heap.txt', 'heap-debug1.txt']) : null,
    dumps,
    log: pick(r, ['app.log', 'service.log', 'stderr.txt']),
    redirect: r() < 0.5, // curl URL > FILE instead of curl -o FILE URL
    style: r() < 0.55 ? 'during' : 'after', // the other fetches during the CPU window, or after it
    burst: r() < 0.5, // the other fetches at once (`&`), or one after the other
    firstDumpDelayMs: 300 + Math.floor(r() * 900),
    dumpGapMs: 4700 + Math.floor(r() * 600),
    gapMs: 100 + Math.floor(r() * 500),
  };
  plan.others = shuffle(r, ['heap', 'allocs', 'block', 'mutex', 'gdebug1', 'heapText'].filter((k) => plan[k]));
  return plan;
}

function fewPlan(svc, variant) {
  const r = rng(`${svc}/${variant}`);
  return {
    kind: rng(`few-kind:${svc}`)() < 0.5 ? 'cpu+dump' : 'two-dumps',
    cpu: pick(r, ['cpu.prof', 'profile.pb.gz', 'cpu.pprof', 'cpu.out', 'profile']),
    dumps: pick(r, ['unixtime', 'g12', 'dump', 'stacks']),
    redirect: r() < 0.5,
    dumpAtMs: 1500 + Math.floor(r() * 4000),
    dumpGapMs: 4700 + Math.floor(r() * 600),
  };
}

function dumpName(scheme, i, single = false) {
  switch (scheme) {
    case 'unixtime': return `goroutines-${Math.floor(Date.now() / 1000)}.txt`;
    case 'g12': return single ? 'goroutines.txt' : `g${i}.txt`;
    case 'dump': return single ? 'goroutine-dump.txt' : `goroutine-dump-${i}.txt`;
    default: return single ? 'stacks.txt' : `stacks-${i}.txt`;
  }
}

const PATHS = {
  cpu: `/debug/pprof/profile?seconds=${CPU_SECONDS}`,
  heap: '/debug/pprof/heap',
  allocs: '/debug/pprof/allocs',
  block: '/debug/pprof/block',
  mutex: '/debug/pprof/mutex',
  gdebug1: '/debug/pprof/goroutine?debug=1',
  gdebug2: '/debug/pprof/goroutine?debug=2',
  heapText: '/debug/pprof/heap?debug=1',
};
const KIND = { cpu: 'cpu', heap: 'heap', allocs: 'allocs', block: 'block', mutex: 'mutex', gdebug1: 'goroutine-debug1', gdebug2: 'goroutine-debug2', heapText: 'heap-debug1' };

/** one curl, as typed in a shell; resolves with what index.json records */
async function curl(run, dir, base, what, file, redirect) {
  const url = base + PATHS[what];
  const args = ['-sS', '-w', '%{stderr}%{http_code}\n'];
  let cmd;
  let stdio = ['ignore', 'ignore', 'pipe'];
  let fd;
  if (redirect) {
    fd = openSync(join(dir, file), 'w'); // the shell opens it before curl runs
    stdio = ['ignore', fd, 'pipe'];
    cmd = `curl -sS ${shq(url)} > ${shq(file)}`;
    args.push(url);
  } else {
    cmd = `curl -sS -o ${shq(file)} ${shq(url)}`;
    args.push('-o', file, url);
  }
  const startedAt = Date.now();
  let child;
  try {
    child = run.spawn('curl', args, { cwd: dir, stdio }, what === 'cpu' ? (CPU_SECONDS + 15) * 1000 : 15_000);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const r = await child.done;
  const httpCode = Number(/(\d{3})\s*$/.exec(r.stderr)?.[1] ?? 0);
  const entry = {
    name: file, kind: KIND[what], source: PATHS[what], command: cmd,
    startedAt: iso(startedAt), endedAt: iso(Date.now()), httpCode,
  };
  if (r.code !== 0 || r.timedOut) entry.error = `curl exit ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.replace(/\d{3}\s*$/, '').trim()}`;
  else if (httpCode !== 200) entry.error = `HTTP ${httpCode}`;
  if (what === 'cpu') entry.seconds = CPU_SECONDS;
  return entry;
}

async function captureCurlFull(run, dir, base, plan) {
  const t0 = Date.now();
  const entries = [];
  const pending = [];
  const bg = (p) => { pending.push(p.then((e) => entries.push(e))); };
  bg(curl(run, dir, base, 'cpu', plan.cpu, plan.redirect));
  const others = async () => {
    if (plan.burst) {
      await Promise.all(plan.others.map((k) => curl(run, dir, base, k, plan[k], plan.redirect).then((e) => entries.push(e))));
    } else {
      for (const k of plan.others) {
        entries.push(await curl(run, dir, base, k, plan[k], plan.redirect));
        await run.sleep(plan.gapMs);
      }
    }
  };
  await run.sleep(plan.firstDumpDelayMs);
  const d1Start = Date.now();
  entries.push(await curl(run, dir, base, 'gdebug2', dumpName(plan.dumps, 1), plan.redirect));
  if (plan.style === 'during') {
    await run.sleep(plan.gapMs);
    await others();
  }
  await run.sleepUntil(d1Start + plan.dumpGapMs);
  entries.push(await curl(run, dir, base, 'gdebug2', dumpName(plan.dumps, 2), plan.redirect));
  await Promise.all(pending);
  if (plan.style === 'after') {
    await run.sleep(plan.gapMs);
    await others();
  }
  return { entries, windowSeconds: (Date.now() - t0) / 1000 };
}

async function captureCurlFew(run, dir, base, plan) {
  const t0 = Date.now();
  const entries = [];
  if (plan.kind === 'cpu+dump') {
    const cpu = curl(run, dir, base, 'cpu', plan.cpu, plan.redirect);
    await run.sleep(plan.dumpAtMs);
    entries.push(await curl(run, dir, base, 'gdebug2', dumpName(plan.dumps, 1, true), plan.redirect));
    entries.push(await cpu);
  } else {
    entries.push(await curl(run, dir, base, 'gdebug2', dumpName(plan.dumps, 1), plan.redirect));
    await run.sleepUntil(t0 + plan.dumpGapMs);
    entries.push(await curl(run, dir, base, 'gdebug2', dumpName(plan.dumps, 2), plan.redirect));
  }
  return { entries, windowSeconds: (Date.now() - t0) / 1000 };
}

async function captureGodiag(run, dir, base) {
  const mjs = godiagMjs();
  if (!mjs) throw new Error('no godiag build (npm run build, or GODIAG_MJS=...)');
  const t0 = Date.now();
  const c = run.spawn(process.execPath, [mjs, 'capture', base, '-o', dir, '--seconds', String(CPU_SECONDS), '-q'], { cwd: root }, 30_000);
  const r = await c.done;
  const result = { command: `godiag capture ${base} -o DIR --seconds ${CPU_SECONDS} -q`, exitCode: r.code, windowSeconds: (Date.now() - t0) / 1000 };
  const said = r.stderr.trim().split(dir).join(relative(root, dir).replace(/\.(.*)\.partial$/, '$1'));
  if (said) result.stderr = said.slice(0, 2000);
  if (r.timedOut) throw new Error('godiag capture timed out');
  if (r.code !== 0 && r.code !== 4) throw new Error(`godiag capture exited ${r.code ?? r.signal}: ${r.stderr.trim().slice(0, 500)}`);
  const entries = [];
  const mpath = join(dir, 'manifest.json');
  if (existsSync(mpath)) {
    const m = JSON.parse(readFileSync(mpath, 'utf8'));
    for (const f of m.files ?? []) {
      const e = { name: f.path, kind: f.kind };
      if (f.time) e.startedAt = f.time;
      if (f.seconds) e.seconds = f.seconds;
      if (f.source) e.source = f.source;
      if (f.error) e.error = f.error;
      if (f.warnings?.length) e.warnings = f.warnings;
      entries.push(e);
    }
  }
  return { entries, ...result };
}

// ---------------------------------------------------------------- one variant

/** load.json's env with gctrace=1 added to (not replaced by) its GODEBUG, unless the variant is plain */
function serviceEnv(load, v) {
  const env = { ...(load.env ?? {}) };
  const godebug = [v.plain ? '' : 'gctrace=1', env.GODEBUG].filter(Boolean).join(',');
  if (godebug) env.GODEBUG = godebug;
  return env;
}

async function runVariant(svc, v, bins, goVersions) {
  const startedAt = Date.now();
  const load = JSON.parse(readFileSync(join(servicesDir, svc, 'load.json'), 'utf8'));
  const final = join(corpusDir, svc, v.name);
  const stage = join(corpusDir, svc, `.${v.name}.partial`);
  rmSync(stage, { recursive: true, force: true });
  const work = mkdtempSync(join(tmpdir(), `corpus-${svc}-`));
  const plan = v.via === 'curl-full' ? fullPlan(svc, v.name, v.plain) : v.via === 'curl-few' ? fewPlan(svc, v.name) : null;
  if (v.via !== 'godiag') mkdirSync(stage, { recursive: true });
  const logName = v.via === 'curl-full' ? plan.log : v.via === 'godiag' ? pick(rng(`${svc}/${v.name}/log`), ['gctrace.log', 'app.log', 'service.log', 'stderr.txt']) : null;
  const logPath = v.via === 'curl-full' ? join(stage, logName) : join(work, 'service.log');

  const entry = {
    service: svc,
    variant: v.name,
    status: 'failed',
    goVersion: goVersions[v.go],
    load: {
      ...v.load,
      idleConnections: load.idleConnections ?? 0,
      env: serviceEnv(load, v),
      args: load.args ?? [],
      seed: fnv1a(svc) % 1_000_000,
    },
    capturedWith: v.via === 'godiag' ? 'godiag capture' : 'curl',
    startedAt: iso(startedAt),
    sourceHash: sourceHash(svc),
  };
  if (plan) entry.plan = plan.kind ? { kind: plan.kind } : { style: plan.style, burst: plan.burst, redirect: plan.redirect };

  const run = new Run(VARIANT_LIMIT_MS);
  let svcProc;
  let driver;
  const problems = [];
  try {
    // 1. the service, output to its log as `./svc > log 2>&1`
    const logFd = openSync(logPath, 'w');
    try {
      svcProc = run.spawn(bins[v.go], ['-addr', '127.0.0.1:0', ...(load.args ?? [])], {
        cwd: work,
        // TMPDIR: whatever the service puts in os.TempDir() goes away with the run
        env: { ...process.env, TMPDIR: work, ...serviceEnv(load, v) },
        stdio: ['ignore', logFd, logFd],
      }, VARIANT_LIMIT_MS + 10_000);
    } finally {
      closeSync(logFd);
    }
    const readLog = () => readFileSync(logPath, 'utf8');
    const ports = () => {
      let app = null;
      let debug = null;
      for (const line of readLog().split('\n')) {
        const m = /listening on (127\.0\.0\.1:\d+)/.exec(line);
        if (!m) continue;
        if (/debug server listening on/.test(line)) debug ??= m[1];
        else app ??= m[1];
      }
      return { app, debug };
    };
    let p = ports();
    const readyBy = Date.now() + 10_000;
    while (!p.app) {
      if (svcProc.exitCode !== null || svcProc.signalCode !== null) throw new Error(`service exited (${svcProc.exitCode ?? svcProc.signalCode}) before listening: ${readLog().slice(-800)}`);
      if (Date.now() > readyBy) throw new Error(`no "listening on 127.0.0.1:PORT" line within 10 s: ${readLog().slice(-800)}`);
      await run.sleep(50);
      p = ports();
    }

    // 2. the load, then warm-up
    const loadArgs = v.load.mode === 'open' ? ['-rate', String(v.load.rate)] : ['-c', String(v.load.clients)];
    driver = run.spawn(bins.driver, ['-url', `http://${p.app}`, '-load', join(servicesDir, svc, 'load.json'), ...loadArgs, '-seconds', '60', '-seed', String(entry.load.seed)], { cwd: work }, 70_000);
    await run.sleep(WARMUP_MS);
    if (driver.exitCode !== null) problems.push(`load driver exited early (${driver.exitCode})`);
    p = ports();
    const base = `http://${p.debug ?? p.app}`;
    entry.pprofServer = p.debug ? 'debug port' : 'app port';
    const idx = await httpGet(`${base}/debug/pprof/`);
    if (idx !== 200) problems.push(`GET /debug/pprof/ on the ${entry.pprofServer} answered ${idx || 'nothing'}`);
    if (svcProc.exitCode !== null || svcProc.signalCode !== null) throw new Error(`service exited during warm-up (${svcProc.exitCode ?? svcProc.signalCode}): ${readLog().slice(-800)}`);

    // 3. the capture, load still running
    let cap;
    if (v.via === 'curl-full') cap = await captureCurlFull(run, stage, base, plan);
    else if (v.via === 'curl-few') cap = await captureCurlFew(run, stage, base, plan);
    else cap = await captureGodiag(run, stage, base);
    entry.captureSeconds = plan?.kind === 'two-dumps' ? Math.round(cap.windowSeconds * 10) / 10 : CPU_SECONDS;
    entry.captureWindowSeconds = Math.round(cap.windowSeconds * 10) / 10;
    if (cap.exitCode !== undefined) entry.godiagCapture = { command: cap.command, exitCode: cap.exitCode, ...(cap.stderr ? { stderr: cap.stderr } : {}) };
    entry.files = cap.entries.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
    // A 404 for /debug/vars is normal (most services do not import expvar).
    for (const e of entry.files) if (e.error && !(e.kind === 'expvar' && /404/.test(e.error))) problems.push(`${e.name}: ${e.error}`);

    // 4. stop the driver (summary), then the service
    const dr = await run.stop(driver, 5000);
    const line = dr.stdout.trim().split('\n').pop();
    try {
      entry.driverSummary = JSON.parse(line);
    } catch {
      problems.push(`load driver printed no summary (exit ${dr.code ?? dr.signal}): ${dr.stderr.trim().slice(0, 300)}`);
    }
    const sr = await run.stop(svcProc, 5000);
    entry.serviceExit = { code: sr.code, signal: sr.signal, killedAfterGrace: sr.killed };
    run.check();
  } catch (e) {
    entry.error = e instanceof Aborted ? `aborted: ${e.message}` : e.message;
  } finally {
    if (driver) await run.stop(driver, 2000).catch(() => {});
    if (svcProc) await run.stop(svcProc, 2000).catch(() => {});
    run.end();
  }

  // 5. the log, sizes, kinds
  if (existsSync(logPath)) {
    const text = readFileSync(logPath, 'utf8');
    entry.log = { gcCount: countGC(text), lines: text.split('\n').length - 1, bytes: Buffer.byteLength(text) };
    if (logName && v.via === 'godiag' && existsSync(stage)) {
      const st = statSync(logPath);
      copyFileSync(logPath, join(stage, logName));
      utimesSync(join(stage, logName), st.atime, st.mtime);
    }
    const kept = logName && existsSync(join(stage, logName)) ? join(stage, logName) : null;
    if (kept) {
      entry.log.name = logName;
      const cut = capLog(kept);
      if (cut) { entry.log.truncated = cut; problems.push(`log is ${cut.originalBytes} bytes; cut to ${cut.keptBytes}`); }
    } else {
      entry.log.kept = false;
    }
  }
  if (existsSync(stage)) {
    const onDisk = readdirSync(stage).sort();
    const byName = new Map((entry.files ?? []).map((f) => [f.name, f]));
    entry.files = onDisk.map((name) => {
      const e = byName.get(name) ?? { name };
      const path = join(stage, name);
      e.bytes = statSync(path).size;
      e.content = sniff(path);
      if (!e.kind) e.kind = name === logName ? 'log' : name === 'manifest.json' ? 'manifest' : e.content;
      if (e.bytes === 0) problems.push(`${name} is empty`);
      if (e.bytes >= MAX_BYTES) {
        e.oversize = true;
        problems.push(`${name} is ${e.bytes} bytes (>= ${MAX_BYTES})`);
      }
      return e;
    });
    for (const [name, e] of byName) if (!onDisk.includes(name) && !(e.kind === 'expvar' && /404/.test(e.error ?? ''))) problems.push(`${name} missing${e.error ? ` (${e.error})` : ''}`);
  }
  if (problems.length) entry.problems = problems;
  entry.durationSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
  rmSync(work, { recursive: true, force: true });

  if (!entry.error && existsSync(stage)) {
    rmSync(final, { recursive: true, force: true });
    renameSync(stage, final);
    entry.status = 'ok';
  } else {
    rmSync(stage, { recursive: true, force: true });
  }
  return entry;
}

// ---------------------------------------------------------------- index.json

function readIndex() {
  if (!existsSync(indexPath)) return [];
  const j = JSON.parse(readFileSync(indexPath, 'utf8'));
  return Array.isArray(j.variants) ? j.variants : [];
}

function writeIndex(entries) {
  const order = new Map(MATRIX.map((v, i) => [v.name, i]));
  entries.sort((a, b) => a.service.localeCompare(b.service) || order.get(a.variant) - order.get(b.variant));
  mkdirSync(corpusDir, { recursive: true });
  writeFileSync(indexPath, `${JSON.stringify({
    about: 'One entry per captured variant, written by scripts/corpus.mjs; see README.md. The ground truth is in testdata/services/<service>/truth.json.',
    variants: entries,
  }, null, 2)}\n`);
}

function upsert(entry) {
  const all = readIndex().filter((e) => !(e.service === entry.service && e.variant === entry.variant));
  all.push(entry);
  writeIndex(all);
}

// ---------------------------------------------------------------- --check

function pprofTop(file) {
  const r = spawnSync(GO126, ['tool', 'pprof', '-top', '-nodecount=500', file], { encoding: 'utf8', env: goEnv, timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) return { ok: false, err: (r.stderr || String(r.error)).trim().split('\n').pop() };
  const lines = r.stdout.split('\n');
  const h = lines.findIndex((l) => /^\s*flat\s+flat%/.test(l));
  const rows = h < 0 ? [] : lines.slice(h + 1).filter((l) => l.trim()).map((l) => {
    const cols = l.trim().split(/\s+/);
    return { flat: cols[0], flatPct: cols[1], cum: cols[3], cumPct: cols[4], fn: cols.slice(5).join(' ') };
  });
  const type = /^Type: (.*)$/m.exec(r.stdout)?.[1] ?? '';
  return { ok: true, rows, type };
}

function pprofRawHas(file, fn) {
  const r = spawnSync(GO126, ['tool', 'pprof', '-raw', file], { encoding: 'utf8', env: goEnv, timeout: 60_000, maxBuffer: 64 << 20 });
  return r.status === 0 && r.stdout.includes(fn);
}

function check(only) {
  const entries = readIndex().filter((e) => only.length === 0 || only.includes(e.service));
  const rows = [];
  const issues = [];
  for (const e of entries) {
    const dir = join(corpusDir, e.service, e.variant);
    const truthPath = join(servicesDir, e.service, 'truth.json');
    const truth = existsSync(truthPath) ? JSON.parse(readFileSync(truthPath, 'utf8')) : {};
    const tag = `${e.service}/${e.variant}`;
    // A fix may belong in either of several functions (truth.function is then a list).
    const fns = [truth.function ?? []].flat().filter(Boolean);
    if (e.status !== 'ok' || !existsSync(dir)) {
      issues.push(`${tag}: not captured (${e.error ?? 'missing'})`);
      rows.push({ tag, service: e.service, variant: e.variant, failed: true });
      continue;
    }
    const files = readdirSync(dir).sort();
    const meta = new Map((e.files ?? []).map((f) => [f.name, f]));
    const dumps = [];
    let cpuTop = '';
    let cpuMain = '';
    const seen = [];
    for (const name of files) {
      const path = join(dir, name);
      const size = statSync(path).size;
      if (size === 0) { issues.push(`${tag}/${name}: empty`); continue; }
      const kind = sniff(path);
      const m = meta.get(name) ?? {};
      if (m.kind === 'goroutine-debug2' && kind !== 'goroutine-debug2') issues.push(`${tag}/${name}: a goroutine debug=2 dump that does not start with "goroutine "`);
      if (kind === 'pprof') {
        const t = pprofTop(path);
        if (!t.ok) { issues.push(`${tag}/${name}: go tool pprof -top fails: ${t.err}`); continue; }
        if (m.kind === 'cpu' || /cpu/.test(t.type)) {
          cpuTop = t.rows[0] ? `${t.rows[0].fn} ${t.rows[0].flatPct}` : '(no samples)';
          // the busiest main.* function by flat time, else (all zero) by cumulative time
          const mains = t.rows.filter((r) => r.fn.startsWith('main.'));
          const byFlat = mains.find((r) => parseFloat(r.flatPct) > 0);
          const byCum = [...mains].sort((a, b) => parseFloat(b.cumPct) - parseFloat(a.cumPct))[0];
          cpuMain = byFlat ? `${byFlat.fn} ${byFlat.flatPct}` : byCum ? `${byCum.fn} cum ${byCum.cumPct}` : '';
        }
        if (fns.some((fn) => pprofRawHas(path, fn))) seen.push(m.kind ?? name);
      } else if (kind === 'goroutine-debug2') {
        const text = readFileSync(path, 'utf8');
        dumps.push({ name, time: m.startedAt ?? statSync(path).mtime.toISOString(), n: countGoroutines(text) });
        if (fns.some((fn) => text.includes(`${fn}(`))) seen.push(`dump`);
      } else if (kind === 'goroutine-debug1' || kind === 'heap-debug1') {
        if (fns.some((fn) => readFileSync(path, 'utf8').includes(fn))) seen.push(kind);
      }
    }
    dumps.sort((a, b) => a.time.localeCompare(b.time));
    const gc = e.log?.gcCount ?? '';
    const row = {
      tag, service: e.service, variant: e.variant,
      g1: dumps[0]?.n ?? '', g2: dumps[1]?.n ?? '',
      cpuTop, cpuMain, gc,
      seen: truth.kind === 'control' ? '(control)' : [...new Set(seen)].join(','),
      rps: e.driverSummary ? `${Math.round(e.driverSummary.rps)}` : '',
      to: e.driverSummary ? e.driverSummary.timeouts + e.driverSummary.errors : '',
    };
    rows.push(row);
    // goroutine leaks (not heap growth) should show as more goroutines in the later dump
    if (/leak/i.test(truth.category ?? '') && !/heap|memory/i.test(truth.category ?? '') && dumps.length >= 2 && !(dumps[1].n > dumps[0].n)) {
      issues.push(`${tag}: ${truth.category}, but the goroutine count does not grow between the dumps (${dumps[0].n} -> ${dumps[1].n})`);
    }
    const idle = e.load?.idleConnections ?? 0;
    if (/pileup/i.test(truth.category ?? '') && idle > 0 && dumps.length && !(dumps[dumps.length - 1].n >= idle)) {
      issues.push(`${tag}: ${truth.category} with ${idle} idle connections, but only ${dumps[dumps.length - 1].n} goroutines in the last dump`);
    }
    if (fns.length && seen.length === 0) issues.push(`${tag}: ${fns.join(' | ')} appears in none of the captured files`);
    for (const p of e.problems ?? []) issues.push(`${tag}: ${p}`);
  }
  const cols = [['service', 'service'], ['variant', 'variant'], ['g1', 'goroutines dump1'], ['g2', 'dump2'], ['cpuTop', 'top CPU (flat)'], ['cpuMain', 'top main.* in CPU'], ['gc', 'GCs'], ['rps', 'req/s'], ['to', 'timeouts+errors'], ['seen', 'truth fn seen in']];
  console.log(`| ${cols.map((c) => c[1]).join(' | ')} |`);
  console.log(`|${cols.map(() => '---').join('|')}|`);
  for (const r of rows) {
    if (r.failed) { console.log(`| ${r.service} | ${r.variant} | FAILED |`); continue; }
    console.log(`| ${cols.map((c) => String(r[c[0]] ?? '')).join(' | ')} |`);
  }
  console.log(issues.length ? `\nissues:\n${issues.map((i) => `  - ${i}`).join('\n')}` : '\nno issues');
}

// ---------------------------------------------------------------- --prune

function prune() {
  const present = new Set(listServices());
  const keep = [];
  for (const e of readIndex()) {
    if (present.has(e.service) && MATRIX.some((v) => v.name === e.variant && (!v.only || v.only(e.service)))) keep.push(e);
    else console.log(`corpus: dropping ${e.service}/${e.variant}`);
  }
  writeIndex(keep);
  for (const d of existsSync(corpusDir) ? readdirSync(corpusDir) : []) {
    const p = join(corpusDir, d);
    if (!statSync(p).isDirectory()) continue;
    if (!present.has(d)) {
      console.log(`corpus: removing ${relative(root, p)}`);
      rmSync(p, { recursive: true, force: true });
      continue;
    }
    for (const v of readdirSync(p)) {
      if (!keep.some((e) => e.service === d && e.variant === v)) {
        console.log(`corpus: removing ${relative(root, join(p, v))}`);
        rmSync(join(p, v), { recursive: true, force: true });
      }
    }
  }
}

// ---------------------------------------------------------------- main

async function main() {
  const argv = process.argv.slice(2);
  const only = [];
  const variants = [];
  let missing = false;
  let onlyCommitted = false;
  let doCheck = false;
  let doPrune = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--variant') variants.push(...(argv[++i] ?? '').split(',').filter(Boolean));
    else if (a.startsWith('--variant=')) variants.push(...a.slice(10).split(',').filter(Boolean));
    else if (a === '--missing') missing = true;
    else if (a === '--committed') onlyCommitted = true;
    else if (a === '--check') doCheck = true;
    else if (a === '--prune') doPrune = true;
    else if (a === '-h' || a === '--help') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 16).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      return;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else only.push(a);
  }
  for (const v of variants) if (!MATRIX.some((m) => m.name === v)) throw new Error(`unknown variant ${v}; the matrix is ${MATRIX.map((m) => m.name).join(', ')}`);
  if (doCheck) return check(only);
  if (doPrune) return prune();

  let services = listServices();
  for (const s of only) if (!services.includes(s)) console.error(`corpus: no service ${s} (with main.go, truth.json and load.json) under testdata/services; skipped`);
  if (only.length) services = services.filter((s) => only.includes(s));
  if (onlyCommitted) services = services.filter(committed);
  // --missing: not captured yet, failed, or the service's source changed since
  const hashes = new Map(services.map((s) => [s, sourceHash(s)]));
  const done = new Set(readIndex().filter((e) => e.status === 'ok' && e.sourceHash === hashes.get(e.service)).map((e) => `${e.service}/${e.variant}`));
  const todo = [];
  for (const svc of services) {
    for (const v of MATRIX) {
      if (variants.length && !variants.includes(v.name)) continue;
      if (v.only && !v.only(svc)) continue;
      if (missing && done.has(`${svc}/${v.name}`)) continue;
      todo.push([svc, v]);
    }
  }
  if (todo.length === 0) { console.log('corpus: nothing to capture'); return; }

  const goVersions = { go126: goVersion(GO126), go119: goVersion(GO119) };
  if (!goVersions.go126?.startsWith('go1.26')) throw new Error(`${GO126} is ${goVersions.go126}, want go1.26`);
  if (todo.some(([, v]) => v.go === 'go119') && !goVersions.go119?.startsWith('go1.19')) {
    throw new Error(`${GO119} is missing or not Go 1.19 (${goVersions.go119}); apt-get install -y golang-1.19-go`);
  }
  if (spawnSync('curl', ['--version'], { timeout: 10_000 }).status !== 0) throw new Error('curl not found');

  binDir = mkdtempSync(join(tmpdir(), 'corpus-bin-'));
  let failed = 0;
  try {
    const bins = { driver: build(GO126, 'cmd/loaddriver', join(binDir, 'loaddriver')) };
    const built = new Map();
    for (const [svc, v] of todo) {
      const key = `${svc}/${v.go}`;
      if (!built.has(key)) {
        try {
          mkdirSync(join(binDir, v.go), { recursive: true });
          built.set(key, build(v.go === 'go119' ? GO119 : GO126, svc, join(binDir, v.go, svc)));
        } catch (e) {
          built.set(key, e);
        }
      }
      const exe = built.get(key);
      process.stdout.write(`${svc.padEnd(14)} ${v.name.padEnd(21)} `);
      let entry;
      if (exe instanceof Error) {
        entry = { service: svc, variant: v.name, status: 'failed', goVersion: goVersions[v.go], load: v.load, startedAt: iso(Date.now()), error: exe.message };
      } else {
        entry = await runVariant(svc, v, { ...bins, [v.go]: exe }, goVersions);
      }
      upsert(entry);
      if (entry.status !== 'ok') failed++;
      const d = entry.driverSummary;
      console.log(entry.status === 'ok'
        ? `ok  ${String(entry.files.length).padStart(2)} files ${String(entry.durationSeconds).padStart(5)} s  load ${d ? `${d.requests} req ${Math.round(d.rps)}/s ${d.errors} err ${d.timeouts} timeouts p99 ${d.p99Ms} ms` : '?'}  gc ${entry.log?.gcCount ?? '?'}${entry.problems ? `  [${entry.problems.length} problem(s): ${entry.problems.join('; ').slice(0, 200)}]` : ''}`
        : `FAILED: ${entry.error.slice(0, 400)}`);
    }
  } finally {
    rmSync(binDir, { recursive: true, force: true });
  }
  if (failed) {
    console.error(`corpus: ${failed} variant(s) failed; see index.json`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(`corpus: ${e.message}`);
  killAll();
  process.exit(1);
});
