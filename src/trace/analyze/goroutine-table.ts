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
  // SummaryAnalyzer: a GC worker label is open for it (its entry in the summary's worker map).
  sumWorker = false;
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
  // LongRunAnalyzer: index in its running list (-1: not running), its run in progress
  // (lrOpen >= 0: index in the open list; start time, runnable integral and maximum then).
  lrRunIdx = -1;
  lrOpen = -1;
  lrStart = -0;
  lrIntegral = -0;
  lrMaxRunnable = 0;

  constructor(readonly id: number) {}
}

export class GoroutineTable {
  private readonly map = new IntMap<GoRecord>();
  /**
   * The records already made, by id, for ids below MAX_DIRECT: looked up on every event,
   * so the common case is one array load here, before IntMap's checks.
   */
  private readonly direct: (GoRecord | undefined)[] = [];

  get(id: number): GoRecord | undefined {
    const r = id >= 0 && id < this.direct.length ? this.direct[id] : undefined;
    return r !== undefined ? r : this.map.get(id);
  }

  /** The goroutine's record, made on first sight (records are never dropped: ids are not reused). */
  at(id: number): GoRecord {
    const r = id >= 0 && id < this.direct.length ? this.direct[id] : undefined;
    return r !== undefined ? r : this.make(id);
  }

  private make(id: number): GoRecord {
    let r = this.map.get(id);
    if (r === undefined) this.map.set(id, (r = new GoRecord(id)));
    if (id >>> 0 === id && id < MAX_DIRECT) {
      const d = this.direct;
      // Filled with undefined, not holes, so the array stays a fast one.
      while (d.length <= id) d.push(undefined);
      d[id] = r;
    }
    return r;
  }
}

/** ids up to this many get a slot in the direct array (8 MB at most) */
const MAX_DIRECT = 1 << 20;
