// pprof users type Go-style flags (`-sample_index=alloc_space`, `-cum`); accept
// them by rewriting single-dash long flags to the double-dash form commander reads.

const SHORT_FLAGS = new Set(["-o", "-h", "-V"]);

export function normalizeArgv(args: string[]): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const a of args) {
    if (passthrough || a === "--") {
      passthrough = true;
      out.push(a);
      continue;
    }
    if (/^-[A-Za-z_][A-Za-z0-9_]+(=.*)?$/.test(a) && !SHORT_FLAGS.has(a.split("=")[0])) out.push("-" + a);
    else out.push(a);
  }
  return out;
}
