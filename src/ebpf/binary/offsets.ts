// The runtime struct offsets and calling facts the probes need, per Go version.
// DWARF of the target binary is the truth when present; this table is the
// fallback for stripped binaries. test/ebpf-binary.test.ts checks every row
// against the DWARF of a binary built with that Go version (1.19, 1.26, 1.27).

/** Offsets (bytes, amd64) of the fields the probes read. */
export interface RuntimeOffsets {
  g_goid: number;
  g_m: number;
  g_atomicstatus: number;
  g_waitreason: number;
  m_procid: number;
  m_curg: number;
  m_g0: number;
}

/** DWARF struct and member name of each field. */
export const OFFSET_FIELDS: Record<keyof RuntimeOffsets, [string, string]> = {
  g_goid: ["runtime.g", "goid"],
  g_m: ["runtime.g", "m"],
  g_atomicstatus: ["runtime.g", "atomicstatus"],
  g_waitreason: ["runtime.g", "waitreason"],
  m_procid: ["runtime.m", "procid"],
  m_curg: ["runtime.m", "curg"],
  m_g0: ["runtime.m", "g0"],
};

/** Rows measured from DWARF on linux/amd64 (see the test). Key: "1.MINOR". */
export const OFFSET_TABLE: Record<string, RuntimeOffsets> = {
  "1.19": { g_goid: 152, g_m: 48, g_atomicstatus: 144, g_waitreason: 176, m_procid: 72, m_curg: 192, m_g0: 0 },
  "1.26": { g_goid: 152, g_m: 48, g_atomicstatus: 144, g_waitreason: 176, m_procid: 64, m_curg: 184, m_g0: 0 },
  "1.27": { g_goid: 152, g_m: 48, g_atomicstatus: 144, g_waitreason: 176, m_procid: 64, m_curg: 184, m_g0: 0 },
};

/**
 * runtime.gopark's wait-reason argument: (unlockf, lock, reason, traceEv|traceReason, traceskip)
 * since the register ABI (Go 1.17), so the 3rd integer register, CX, in every version
 * we know (runtime/proc.go of 1.19, 1.26, 1.27 read).
 */
export function goparkReasonRegister(minor: number): string | undefined {
  return minor >= 17 ? "cx" : undefined;
}

/** "go1.26.8" -> 26; undefined for a version string we do not understand. */
export function goMinor(goVersion: string): number | undefined {
  const m = /^go1\.(\d+)/.exec(goVersion);
  return m ? Number(m[1]) : undefined;
}

/** The table row for a version: exact minor, else the nearest lower known one (said in `note`). */
export function tableOffsets(goVersion: string): { offsets: RuntimeOffsets; note?: string } | undefined {
  const minor = goMinor(goVersion);
  if (minor === undefined) return undefined;
  const exact = OFFSET_TABLE[`1.${minor}`];
  if (exact) return { offsets: exact };
  const known = Object.keys(OFFSET_TABLE).map((k) => Number(k.slice(2))).sort((a, b) => b - a);
  const lower = known.find((k) => k < minor);
  if (lower === undefined) return undefined;
  return { offsets: OFFSET_TABLE[`1.${lower}`]!, note: `no offsets known for ${goVersion}: using Go 1.${lower}'s (build with DWARF to be exact)` };
}
