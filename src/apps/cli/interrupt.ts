// Ctrl-C during a capture: the first SIGINT/SIGTERM aborts what is in flight
// and lets the command finish the partial bundle (a 30 s CPU window should not
// cost the snapshots already fetched); a second one quits at once.

import { EXIT } from "./exit.js";

/** Run fn with a signal that SIGINT/SIGTERM abort; the handlers are removed afterwards. */
export async function withInterrupt<T>(say: (s: string) => void, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.INTERRUPTED);
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
    // Once interrupted, a further Ctrl-C while the command writes what it has
    // still means "quit now", with the same status (not a kill by the signal).
    if (controller.signal.aborted) {
      const quit = () => process.exit(EXIT.INTERRUPTED);
      process.once("SIGINT", quit);
      process.once("SIGTERM", quit);
    }
  }
}
