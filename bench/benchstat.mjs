// godiag bench vs benchstat on a large generated benchmark file (same run, as a ratio).
// Usage: npm run build:bundle && node bench/benchstat.mjs   (needs test-output/bin/benchstat, from the bench tests)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
mkdirSync(OUT, { recursive: true });
const bs = join(ROOT, "test-output/bin/benchstat");
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
for (const [name, f] of [["old.txt", 1], ["new.txt", 0.97]]) {
  let s = "goos: linux\ngoarch: amd64\npkg: example.com/big\n";
  for (let b = 0; b < 400; b++)
    for (let i = 0; i < 20; i++)
      s += `BenchmarkOp/case=${b}/size=${b % 7}-8 1000 ${(100 + b) * f * (1 + 0.05 * rnd())} ns/op ${b * 8} B/op ${b % 5} allocs/op\n`;
  writeFileSync(join(OUT, name), s);
}
const time = (cmd, args) => {
  const best = [];
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: OUT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    best.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Math.min(...best);
};
const g = time(process.execPath, [join(ROOT, "dist/godiag.mjs"), "bench", "old.txt", "new.txt"]);
console.log("## godiag bench vs benchstat\n");
console.log("400 benchmarks × 20 runs × 3 units, two files (best of 3, wall ms)\n");
console.log("| tool | ms | ratio |\n| --- | ---: | ---: |");
if (existsSync(bs)) {
  const b = time(bs, ["old.txt", "new.txt"]);
  console.log(`| benchstat | ${b.toFixed(0)} | 1.00 |`);
  console.log(`| godiag bench | ${g.toFixed(0)} | ${(g / b).toFixed(2)} |`);
} else console.log(`| godiag bench | ${g.toFixed(0)} | (benchstat not built) |`);
