// What the per-goroutine summarizer (summarize.ts) keeps for each goroutine: its own file so
// the shared goroutine record (goroutine-table.ts) can name it without an import cycle.

import type { ExecStats } from "./exec-stats.js";
import type { F64List } from "./f64-list.js";

export const UNSET = -1;

export interface RegionSummary {
  task: number;
  type: string;
  goroutine: number;
  /** NaN when the region began before the trace (or is a synthetic inherited region) */
  startNs: number;
  /** NaN when the region had not ended by the end of the trace */
  endNs: number;
  stats: ExecStats;
  /** true for go tool trace's fabricated region: a goroutine created inside a region inherits its task */
  inherited: boolean;
  /** no enclosing active region of the same task on the same goroutine (counts once toward the task) */
  outermost: boolean;
}

export interface GoroutineSummary {
  id: number;
  /** the start function (root frame of its stacks); "" when never seen with a stack */
  name: string;
  createdNs: number;
  /** NaN: never ran in the trace */
  startNs: number;
  /** NaN: did not end in the trace */
  endNs: number;
  /** the stack of the creating call site (GoCreate's stack), 0 when not created in the trace */
  createStack: number;
  /** the first stack seen for it (its root frame names the goroutine), 0 if none */
  firstStack: number;
  stats: ExecStats;
  /** each complete Runnable -> Running wait, ns */
  schedWaits: F64List;
  regions: RegionSummary[];
}

/**
 * A goroutine's accounting while the trace is read: its summary and the intervals still
 * open. One flat object (the pending fields were a nested object: one more load on each of
 * the several reads every goroutine transition makes).
 */
export class GState {
  /** TotalTime is set once, at the goroutine's end (as Go does) */
  totalSet = false;
  lastStart = UNSET;
  lastRunnable = UNSET;
  /** start of an observed Runnable period (not one inherited from a generation start) */
  waitSince = UNSET;
  lastBlock = UNSET;
  lastBlockReason = "";
  /** block time not yet added to stats.blockNs, all for this reason (null: none) */
  blockCacheReason: string | null = null;
  blockCacheNs = -0;
  lastSyscall = UNSET;
  lastSyscallBlock = UNSET;
  lastRange = new Map<string, number>();
  active: RegionSummary[] = [];

  constructor(readonly g: GoroutineSummary) {}

  /** Forgets the open intervals (after the goroutine's stats were finalised). */
  resetPending(): void {
    this.lastStart = UNSET;
    this.lastRunnable = UNSET;
    this.waitSince = UNSET;
    this.lastBlock = UNSET;
    this.lastBlockReason = "";
    this.blockCacheReason = null;
    this.blockCacheNs = -0;
    this.lastSyscall = UNSET;
    this.lastSyscallBlock = UNSET;
    this.lastRange = new Map();
    this.active = [];
  }
}
