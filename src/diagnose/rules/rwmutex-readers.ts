// Readers queued behind a writer on a sync.RWMutex (godiag corpus round 5).
//
// Once a goroutine waits in Lock, new RLock calls block until the writer has acquired
// and released the lock (sync/rwmutex.go: recursive read locking is forbidden for that
// reason). The mutex profile charges each wait to the stack that ended it: readers
// queued behind a writer to the writer's Unlock, the writer's wait for the readers in
// flight to the last reader's RUnlock. So a write section of microseconds can own most
// of the delay while the readers' long sections cause it: a queued reader waits for the
// rest of the writer's wait plus the writer's hold. When readers waited on average no
// longer than the writer waited for the readers in flight, the hold adds nothing the
// read sections did not already cost, and the delay released at Unlock is the read
// sections' doing: it is charged to them, in proportion to what each released at RUnlock.
// Locks are told apart by the receiver type of the user frame (a profile has no lock
// addresses), as the goroutine rules pair waiters with holders.

import { CodeOrigins, innermostUserFrame, topEntries, type Attribution } from "../../core/go/index.js";
import { sampleTypeIndex } from "../../core/model/index.js";
import type { ProfileInput } from "../context.js";
import { releasedByLibrary } from "./lock-owner.js";

const RELEASE = /^sync\.\(\*RWMutex\)\.(RUnlock|Unlock)$/;
/** The release is the innermost frames' business; a few runtime frames may sit below it. */
const RELEASE_DEPTH = 3;

export interface ReadersBehindWriter {
  /** the receiver type whose RWMutex it is, e.g. main.(*policyStore) */
  lockType: string;
  writers: string[];
  readers: string[];
  /** mean wait of a reader queued behind a writer (released at Unlock) */
  readerWaitNs: number;
  /** mean wait of a writer for the readers in flight (released at RUnlock) */
  writerWaitNs: number;
  /** delay moved from the writers to the readers */
  rechargedNs: number;
}

/** The receiver type of a method (closures and defer wrappers included), or undefined. */
export function receiverType(fn: string): string | undefined {
  return /^(.+?\.\(\*?[^()]+\))\./.exec(fn)?.[1];
}

interface Side {
  delay: number;
  count: number;
  byFunction: Map<string, number>;
}

/**
 * `held` (delay by user function, from the mutex profile) with writer-released delay
 * recharged to the read sections where the principle above holds; the recharges made.
 */
export function rechargeReadersBehindWriter(mutex: ProfileInput, delayIndex: number, held: Attribution): { byFunction: Map<string, number>; recharged: ReadersBehindWriter[] } {
  const ci = sampleTypeIndex(mutex.profile, "contentions");
  const byFunction = new Map(held.byFunction);
  if (ci < 0) return { byFunction, recharged: [] };
  const sides = new Map<string, { writer: Side; reader: Side }>();
  const p = mutex.profile;
  const origins = CodeOrigins.fromProfile(p); // as attributeToUserCode's `held`
  for (let s = 0; s < p.samples.length; s++) {
    const delay = p.sampleValue(s, delayIndex);
    if (delay === 0) continue;
    const fr = mutex.frames.names(s);
    if (releasedByLibrary(fr)) continue;
    const k = fr.slice(0, RELEASE_DEPTH).findIndex((f) => RELEASE.test(f));
    if (k < 0) continue;
    const u = innermostUserFrame(fr, origins.isUser);
    if (u < 0) continue;
    const fn = fr[u]!;
    const type = receiverType(fn);
    if (!type) continue;
    let t = sides.get(type);
    if (!t) sides.set(type, (t = { writer: newSide(), reader: newSide() }));
    const side = fr[k]!.endsWith(".RUnlock") ? t.reader : t.writer;
    side.delay += delay;
    side.count += p.sampleValue(s, ci);
    side.byFunction.set(fn, (side.byFunction.get(fn) ?? 0) + delay);
  }
  const recharged: ReadersBehindWriter[] = [];
  for (const [lockType, { writer, reader }] of sides) {
    if (writer.count === 0 || reader.count === 0 || reader.delay === 0) continue;
    const readerWaitNs = writer.delay / writer.count;
    const writerWaitNs = reader.delay / reader.count;
    if (readerWaitNs > writerWaitNs) continue;
    for (const [fn, v] of writer.byFunction) byFunction.set(fn, (byFunction.get(fn) ?? 0) - v);
    for (const [fn, v] of reader.byFunction) byFunction.set(fn, (byFunction.get(fn) ?? 0) + (writer.delay * v) / reader.delay);
    recharged.push({
      lockType,
      writers: topEntries(writer.byFunction).map(([f]) => f),
      readers: topEntries(reader.byFunction).map(([f]) => f),
      readerWaitNs,
      writerWaitNs,
      rechargedNs: writer.delay,
    });
  }
  for (const [fn, v] of byFunction) if (v <= 0) byFunction.delete(fn);
  return { byFunction, recharged };
}

function newSide(): Side {
  return { delay: 0, count: 0, byFunction: new Map() };
}
