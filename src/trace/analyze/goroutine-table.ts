// One record per goroutine for every analysis of the pass (report.ts): 98% of a busy
// trace's events are goroutine state transitions, and each analysis looking the goroutine
// up in its own table (four hash lookups and a JS Map per event) cost more than reading
// the event. The pass looks the record up once and hands it to each analysis; each one
// owns its own fields (prefixed by the analysis) and no other reads them.

import { IntMap } from "../read/intmap.js";
import type { GState } from "./goroutine-summary.js";

export class GoRecord {
  // SummaryAnalyzer: since when runnable (NaN: not runnable, or not seen becoming so).
  sumRunnableSince = NaN;
  // Summarizer: the goroutine's accounting (null until created or first seen at a sync).
  sum: GState | null = null;
  // MutatorUtilisation: the last state seen (-1: none), in a mark assist, a background mark worker.
  mmuState = -1;
  mmuInGc = false;
  mmuBgMark = false;
  // AssistWork: see assist-work.ts.
  awSeen = false;
  awInAssist = false;
  awWorking = false;
  awSince = NaN;
  awWorkNs = 0;

  constructor(readonly id: number) {}
}

export class GoroutineTable {
  private readonly map = new IntMap<GoRecord>();

  get(id: number): GoRecord | undefined {
    return this.map.get(id);
  }

  /** The goroutine's record, made on first sight (records are never dropped: ids are not reused). */
  at(id: number): GoRecord {
    let r = this.map.get(id);
    if (r === undefined) this.map.set(id, (r = new GoRecord(id)));
    return r;
  }
}
