// Every exit status godiag uses, in one place (the README's table is this one).
// Scripts branch on them, so each number means one thing in every command.

export const EXIT = {
  /** done; nothing above info (diagnose); no gate broken (bench) */
  OK: 0,
  /** diagnose: a warning finding; bench: a --gate was broken */
  WARNING: 1,
  /** bad input, bad usage, unreachable target: one line on stderr */
  USAGE: 2,
  /** diagnose: a critical finding */
  CRITICAL: 3,
  /** capture/run: the bundle was written but some files failed */
  PARTIAL: 4,
  /** a bug in godiag (sysexits' EX_SOFTWARE); set GODIAG_DEBUG=1 for the stack */
  INTERNAL: 70,
  /** interrupted by SIGINT/SIGTERM (128 + SIGINT, as shells report it); what arrived is kept */
  INTERRUPTED: 130,
} as const;

/** diagnose's status from its findings' severities. */
export function exitForSeverities(severities: readonly string[]): number {
  if (severities.includes("critical")) return EXIT.CRITICAL;
  if (severities.includes("warning")) return EXIT.WARNING;
  return EXIT.OK;
}
