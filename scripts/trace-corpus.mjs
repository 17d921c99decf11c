#!/usr/bin/env node
// Builds the execution-trace workloads (testdata/trace/workloads/<name>/main.go) and runs
// each once, writing testdata/trace/corpus/<name>.trace.
//
//   node scripts/trace-corpus.mjs [name...]          # with `go` on PATH
//   GO=/usr/lib/go-1.19/bin/go node scripts/trace-corpus.mjs --suffix=-go119
//
// The workloads are Go 1.19-compatible so an old Go can write the pre-1.22 format too
// (--suffix names those files <name><suffix>.trace). Runs are sequential: they are
// CPU-sensitive and the machine is shared.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workloadsDir = join(root, 'testdata/trace/workloads');
const corpusDir = join(root, 'testdata/trace/corpus');
const go = process.env.GO || 'go';
const goEnv = { ...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off', GOFLAGS: '' };
const RUN_TIMEOUT_MS = 30_000;
// Keep the committed corpus small (docs/TRACE.md).
const MAX_TRACE_BYTES = 2 << 20;

function fail(msg) {
  console.error(`trace-corpus: ${msg}`);
  process.exit(1);
}

const args = process.argv.slice(2);
const suffix = (args.find((a) => a.startsWith('--suffix=')) ?? '--suffix=').slice('--suffix='.length);
const only = args.filter((a) => !a.startsWith('--'));
const all = readdirSync(workloadsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(workloadsDir, d.name, 'main.go')))
  .map((d) => d.name)
  .sort();
for (const n of only) if (!all.includes(n)) fail(`unknown workload "${n}"`);
const names = only.length ? only : all;

const bin = mkdtempSync(join(tmpdir(), 'godiag-trace-corpus-'));
try {
  const b = spawnSync(go, ['build', '-trimpath', '-o', bin + '/', ...names.map((n) => './' + n)], {
    cwd: workloadsDir,
    env: goEnv,
    encoding: 'utf8',
  });
  if (b.status !== 0) fail(`go build failed:\n${b.stderr}`);
  mkdirSync(corpusDir, { recursive: true });
  for (const n of names) {
    const out = join(corpusDir, `${n}${suffix}.trace`);
    rmSync(out, { force: true });
    const t0 = Date.now();
    const r = spawnSync(join(bin, n), [out], { env: goEnv, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
    if (r.status !== 0) fail(`${n} exited ${r.status ?? r.signal}:\n${r.stderr}`);
    const size = statSync(out).size;
    console.log(`${n}: ${(size / 1024).toFixed(0)} KiB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (size > MAX_TRACE_BYTES) fail(`${out} is ${size} bytes, over ${MAX_TRACE_BYTES}: shorten the workload`);
  }
} finally {
  rmSync(bin, { recursive: true, force: true });
}
