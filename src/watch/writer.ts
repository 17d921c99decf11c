// The one writer of the store. Scrapes queue here and are written together, one
// transaction per drain (fewer, larger commits keep up with a fleet on one disk).
// The queue is bounded in scrapes and in bytes (an estimate of the queued rows' heap):
// when it is full, `busy()` makes the scheduler skip the scrapes it would start
// (counted as store_busy) instead of piling up profiles in memory — a slow store slows
// the scraping, never grows the heap.

import type { Batch, ProfileStore } from "../store/index.js";
import type { WatchMetrics } from "./metrics.js";

/**
 * At most one commit per this long. A transaction has a fixed cost (BEGIN and COMMIT, an
 * appender per table, the samples' CSV file): a DuckDB batch of one target's six profiles
 * cost 8-10 ms of CPU, a batch of 16 targets 3 ms per target (bench/out microbench on
 * fleet profiles). Writing as soon as the previous write ended made nearly every scrape
 * its own transaction at 200 targets every 15 s (1,234 commits in 120 s). Half a second
 * gathers a few scrapes per commit and keeps a 1 s job's two scrapes of a target apart.
 */
const COMMIT_EVERY_MS = 500;

export class StoreWriter {
  private queue: Batch[] = [];
  private queued = 0;
  private queuedBytes = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private lastCommitStart = 0;
  /** ends the wait for the next commit (a half-full queue, close) */
  private wakeDrain: (() => void) | null = null;

  constructor(
    private readonly store: ProfileStore,
    private readonly metrics: WatchMetrics,
    private readonly maxQueued: number,
    private readonly maxQueuedBytes: number,
    private readonly log: (line: string) => void,
    private readonly onCommit?: (b: Batch) => void,
  ) {}

  busy(): boolean {
    return this.queued >= this.maxQueued || this.queuedBytes >= this.maxQueuedBytes;
  }

  private halfFull(): boolean {
    return this.queued * 2 >= this.maxQueued || this.queuedBytes * 2 >= this.maxQueuedBytes;
  }

  enqueue(b: Batch): void {
    if (this.closed) return;
    // Content the store already holds (ids are known only once committed) need not wait in memory.
    const prune = this.store.pruneKnown?.bind(this.store);
    if (prune) b = { ...b, scrapes: b.scrapes.map((s) => ({ ...s, profile: prune(s.profile) })) };
    this.queue.push(b);
    // One per target scrape (its profiles together), as max_concurrent_scrapes counts them.
    this.queued += 1;
    this.queuedBytes += batchBytes(b);
    this.metrics.storeQueue.set(this.queued);
    this.metrics.storeQueueBytes.set(this.queuedBytes);
    if (this.halfFull()) this.wakeDrain?.();
    if (!this.running) this.running = this.drain().finally(() => (this.running = null));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const wait = this.lastCommitStart + COMMIT_EVERY_MS - Date.now();
      if (wait > 0 && !this.closed && !this.halfFull())
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait);
          this.wakeDrain = () => {
            clearTimeout(t);
            r();
          };
        });
      this.wakeDrain = null;
      this.lastCommitStart = Date.now();
      const take = this.queue;
      this.queue = [];
      const n = take.length;
      const bytes = this.queuedBytes;
      const batch: Batch = { scrapes: take.flatMap((b) => b.scrapes), metrics: take.flatMap((b) => b.metrics), dumps: take.flatMap((b) => b.dumps), events: take.flatMap((b) => b.events) };
      const end = this.metrics.storeWrite.startTimer();
      try {
        await this.store.write(batch);
        this.onCommit?.(batch);
      } catch (e) {
        this.metrics.storeErrors.inc();
        this.log(`store: write of ${batch.scrapes.length} scrapes failed: ${(e as Error).message.split("\n")[0]}`);
      } finally {
        end();
        this.queued -= n;
        this.queuedBytes -= bytes;
        this.metrics.storeQueue.set(this.queued);
        this.metrics.storeQueueBytes.set(this.queuedBytes);
      }
    }
  }

  /** Write what is queued, then accept nothing more. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeDrain?.();
    while (this.running) await this.running;
  }
}

/**
 * The heap a queued batch holds, roughly: V8 objects of a sample row (its object, values
 * array, bigint and labels string) and of the content rows not yet stored. An estimate
 * is enough: it bounds the queue's memory within a small factor whatever the profiles.
 */
export function batchBytes(b: Batch): number {
  let n = 0;
  for (const s of b.scrapes) {
    const p = s.profile;
    n += 1024;
    for (const r of p.samples) n += 96 + 8 * r.values.length + 2 * r.labels.length;
    n += 160 * p.functions.length + 120 * p.mappings.length;
    for (const l of p.locations) n += 120 + 32 * l.lineFunctions.length;
    for (const st of p.stacks) n += 96 + 24 * st.locations.length;
  }
  for (const d of b.dumps) n += d.gz.length;
  return n + 64 * (b.metrics.length + b.events.length);
}
