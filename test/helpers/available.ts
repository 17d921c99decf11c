// Prerequisites of tests that use a peer or outside data (Go and go tool pprof,
// Debian's chromium, ../shared/corpus, the committed captures). On a developer's
// machine without one, its tests are skipped. On CI (.ci/run exports CI=true)
// a missing one is an error: silently skipping the oracle would let CI pass
// without checking anything.

export function available(present: boolean, what: string): boolean {
  if (!present && process.env.CI) throw new Error(`CI needs ${what}; without it the tests that use it would be skipped`);
  return present;
}
