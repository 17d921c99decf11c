// Ctrl-C during a capture: the first SIGINT/SIGTERM aborts what is in flight
// and lets the command finish the partial bundle (a 30 s CPU window should not
// cost the snapshots already fetched); a second one quits at once.

export const EXIT_INTERRUPTED = 130; // 128 + SIGINT, as shells report it

/** Run fn with a signal that SIGINT/SIGTERM abort; the handlers are removed afterwards. */
export async function withInterrupt<T>(say: (s: string) => void, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    say(`\n${what}: interrupted: finishing the partial bundle (press Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
