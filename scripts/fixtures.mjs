#!/usr/bin/env node
// Regenerates the real Go profile fixtures in testdata/profiles/.
//
//   npm run fixtures                      # all workloads
//   node scripts/fixtures.mjs labels      # only some workloads
//   node scripts/fixtures.mjs --verify    # also open every profile with go tool pprof
//
// Builds every program under testdata/workloads/ (one main package per
// subfolder) into a temp dir, runs each with -out testdata/profiles/<name>/
// -seconds N (bounded by a hard timeout), prints a table of files and sizes,
// and fails if any file is 1 MB or larger. Requires Go on PATH; plain Node,
// no dependencies.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workloadsDir = join(root, 'testdata', 'workloads');
const profilesDir = join(root, 'testdata', 'profiles');

// Seconds each workload runs for. Total must stay well under 60 s on 2 cores.
const SECONDS = {
  cpubound: 2,
  allocheavy: 2,
  chanblock: 2,
  mutexcontention: 2,
  manygoroutines: 1,
  labels: 2,
};
const DEFAULT_SECONDS = 2;
const RUN_GRACE_MS = 20_000; // hard kill = seconds + grace
const BUILD_TIMEOUT_MS = 180_000;
const MAX_BYTES = 1_000_000;

const EXPECTED_FILES = [
  'cpu.pb.gz',
  'heap.pb.gz',
  'heap.debug1.txt',
  'allocs.pb.gz',
  'block.pb.gz',
  'mutex.pb.gz',
  'goroutine.pb.gz',
  'goroutine.debug1.txt',
  'goroutine.debug2.txt',
  'threadcreate.pb.gz',
  'threadcreate.debug1.txt',
];

const args = process.argv.slice(2);
const verify = args.includes('--verify');
const only = args.filter((a) => !a.startsWith('--'));

// Keep the go command local and offline: no toolchain download, no workspace.
const goEnv = { ...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off', GOFLAGS: '' };

function fail(msg) {
  console.error(`fixtures: ${msg}`);
  process.exit(1);
}

function run(cmd, cmdArgs, opts) {
  const res = spawnSync(cmd, cmdArgs, {
    encoding: 'utf8',
    killSignal: 'SIGKILL',
    maxBuffer: 16 << 20,
    ...opts,
  });
  if (res.error && res.error.code === 'ETIMEDOUT') {
    fail(`${cmd} ${cmdArgs.join(' ')} timed out after ${opts.timeout} ms (killed)`);
  }
  if (res.error) fail(`${cmd}: ${res.error.message}`);
  return res;
}

// 1. Go must be on PATH.
const goVersion = spawnSync('go', ['version'], { encoding: 'utf8', env: goEnv });
if (goVersion.error || goVersion.status !== 0) {
  fail(
    'the `go` command was not found on PATH (or failed to run).\n' +
      'Install Go (https://go.dev/dl/) to regenerate fixtures; the checked-in ' +
      'files in testdata/profiles/ are enough to run the tests.',
  );
}
console.log(goVersion.stdout.trim());

// 2. Discover workloads: every subfolder with a main.go, except internal/.
const workloads = readdirSync(workloadsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'internal')
  .filter((d) => existsSync(join(workloadsDir, d.name, 'main.go')))
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();
for (const name of only) {
  if (!workloads.includes(name)) fail(`unknown workload "${name}"`);
}
if (workloads.length === 0) fail('no workloads found');

const started = Date.now();
const binDir = mkdtempSync(join(tmpdir(), 'godiag-fixtures-'));
try {
  // 3. Build all workloads in one go invocation (-trimpath keeps machine
  // paths out of the checked-in profiles).
  const b = run('go', ['build', '-trimpath', '-o', binDir + '/', ...workloads.map((w) => './' + w)], {
    cwd: workloadsDir,
    env: goEnv,
    timeout: BUILD_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (b.status !== 0) fail(`go build failed:\n${b.stderr}`);
  console.log(`built ${workloads.length} workloads in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // 4. Run each workload sequentially (they are CPU-sensitive).
  for (const name of workloads) {
    const secs = SECONDS[name] ?? DEFAULT_SECONDS;
    const out = join(profilesDir, name);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const t0 = Date.now();
    const r = run(join(binDir, name), ['-out', out, '-seconds', String(secs)], {
      cwd: root,
      env: goEnv,
      timeout: secs * 1000 + RUN_GRACE_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.status !== 0) fail(`${name} exited with ${r.status ?? r.signal}:\n${r.stderr}`);
    const note = r.stderr.trim() ? `  (${r.stderr.trim().split('\n').pop()})` : '';
    console.log(`ran ${name} in ${((Date.now() - t0) / 1000).toFixed(1)} s${note}`);
  }
} finally {
  rmSync(binDir, { recursive: true, force: true });
}

// 5. Table of files and sizes; enforce presence and the size limit.
const problems = [];
const rows = [];
for (const name of workloads) {
  const dir = join(profilesDir, name);
  const files = readdirSync(dir).sort();
  for (const f of EXPECTED_FILES) {
    if (!files.includes(f)) problems.push(`${name}/${f} is missing`);
  }
  for (const f of files) {
    const size = statSync(join(dir, f)).size;
    rows.push([`${name}/${f}`, size]);
    if (size >= MAX_BYTES) problems.push(`${name}/${f} is ${size} bytes (limit ${MAX_BYTES})`);
    if (size === 0) problems.push(`${name}/${f} is empty`);
  }
}
const width = Math.max(...rows.map(([p]) => p.length));
console.log('');
for (const [p, size] of rows) console.log(`${p.padEnd(width)}  ${String(size).padStart(9)}`);
const total = rows.reduce((s, [, n]) => s + n, 0);
console.log(`${'total'.padEnd(width)}  ${String(total).padStart(9)}`);

// 6. Optionally check every proto profile opens with go tool pprof.
if (verify) {
  for (const name of workloads) {
    for (const f of readdirSync(join(profilesDir, name)).filter((f) => f.endsWith('.pb.gz'))) {
      const r = run('go', ['tool', 'pprof', '-raw', '-symbolize=none', join(profilesDir, name, f)], {
        cwd: root,
        env: goEnv,
        timeout: 120_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (r.status !== 0) problems.push(`go tool pprof cannot read ${name}/${f}: ${r.stderr.trim()}`);
    }
  }
  console.log('verified with go tool pprof -raw');
}

console.log(`\nfixtures done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (problems.length) fail(`\n  ${problems.join('\n  ')}`);
