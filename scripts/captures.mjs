#!/usr/bin/env node
// Regenerates the capture bundles of our fault workloads in testdata/captures/.
//
//   node scripts/captures.mjs               # every workload under testdata/workloads/faults/
//   node scripts/captures.mjs leakserver    # only some
//
// Each workload is built with the machine's Go and run in capture mode
// (internal/faultserver: -out DIR -seconds N) with GODEBUG=gctrace=1 and its
// stderr written to DIR/gctrace.log, so a bundle holds every profile, two
// goroutine snapshots, heap?debug=1, /debug/vars, the gctrace log and
// manifest.json (docs/BUNDLE.md). A workload may sit beside a capture.json:
//   { "seconds": 6, "env": { "GOMEMLIMIT": "64MiB" }, "args": [] }
// Runs are bounded (seconds + grace, then SIGKILL); files must stay < 1 MB.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const faultsDir = join(root, 'testdata', 'workloads', 'faults');
const capturesDir = join(root, 'testdata', 'captures');
const MAX_BYTES = 1_000_000;
const GRACE_MS = 30_000;
const goEnv = { ...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off', GOFLAGS: '' };

function fail(msg) {
  console.error(`captures: ${msg}`);
  process.exit(1);
}

const only = process.argv.slice(2);
const names = readdirSync(faultsDir).filter((n) => statSync(join(faultsDir, n)).isDirectory() && (only.length === 0 || only.includes(n)));
if (names.length === 0) fail(`no workloads match ${only.join(' ')}`);

const bin = mkdtempSync(join(tmpdir(), 'godiag-captures-'));
try {
  for (const name of names) {
    const cfgPath = join(faultsDir, name, 'capture.json');
    const cfg = existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : {};
    const seconds = cfg.seconds ?? 6;
    const exe = join(bin, name);
    const b = spawnSync('go', ['build', '-o', exe, `./faults/${name}`], { cwd: join(root, 'testdata', 'workloads'), env: goEnv, encoding: 'utf8', timeout: 180_000 });
    if (b.status !== 0) fail(`go build ${name}: ${b.stderr || b.error}`);
    const out = join(capturesDir, name);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const errFd = openSync(join(out, 'gctrace.log'), 'w');
    const t0 = Date.now();
    const r = spawnSync(exe, ['-out', out, '-seconds', String(seconds), '-gctrace-file', 'gctrace.log', ...(cfg.args ?? [])], {
      env: { ...process.env, GODEBUG: 'gctrace=1', ...(cfg.env ?? {}) },
      stdio: ['ignore', 'ignore', errFd],
      timeout: seconds * 1000 + GRACE_MS,
      killSignal: 'SIGKILL',
    });
    closeSync(errFd);
    if (r.error) fail(`${name}: ${r.error.message}`);
    if (r.status !== 0) fail(`${name} exited ${r.status}; see ${join(out, 'gctrace.log')}`);
    const files = readdirSync(out);
    for (const f of files) {
      const size = statSync(join(out, f)).size;
      if (size >= MAX_BYTES) fail(`${name}/${f} is ${size} bytes (limit ${MAX_BYTES}); shorten the run`);
    }
    console.log(`${name.padEnd(16)} ${files.length} files  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
} finally {
  rmSync(bin, { recursive: true, force: true });
}
