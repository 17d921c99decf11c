// Checking the merged stream for consistency, with Go's rules and its few repairs
// (postProcessTrace in $(go env GOROOT)/src/internal/trace/internal/tracev1/parser.go):
// a P runs one goroutine at a time, a goroutine is blocked before it is unblocked, GC and
// STW phases nest, regions match. Repairs: GC starts move to the fake GC P, unblocks of a
// goroutine blocked on the network to the fake netpoll P, and stack ids with no stack
// (or an empty one) become 0.

import { V1EventError } from "./errors.js";
import type { EventColumns } from "./columns.js";
import { GCP, NetpollP, TimerP, V1, V1_DESCS } from "./wire.js";

const DENSE_IDS = 1 << 20;
const DEAD = 0;
const RUNNABLE = 1;
const RUNNING = 2;
const WAITING = 3;

interface GDesc {
  state: number;
  /** type of the goroutine's last scheduling event (0: none since it started) */
  lastEv: number;
  markAssist: boolean;
}

interface PDesc {
  running: boolean;
  g: number;
  sweep: boolean;
}

/** Returns how many events refer to a stack the trace does not have (their stack becomes none). */
export function validateV1(ev: EventColumns, order: Uint32Array, stacks: ReadonlyMap<number, readonly number[]>): number {
  let missingStacks = 0;
  // Goroutine ids are small counters: an array for them, a map for the rest. Go's map has
  // an entry only once written; `exists` keeps that for GoCreate's "already exists" check.
  const dense: (GDesc | undefined)[] = [{ state: RUNNING, lastEv: 0, markAssist: false }];
  const sparse = new Map<number, GDesc>();
  const exists = (id: number) => (id >= 0 && id < DENSE_IDS ? dense[id] !== undefined : sparse.has(id));
  const ps = new Map<number, PDesc>();
  const tasks = new Set<number>();
  const regions = new Map<number, { task: number; name: number }[]>();
  let inGC = false;
  let inSTW = false;
  const g = (id: number): GDesc => {
    if (id >= 0 && id < DENSE_IDS) {
      let d = dense[id];
      if (d === undefined) dense[id] = d = { state: DEAD, lastEv: 0, markAssist: false };
      return d;
    }
    let d = sparse.get(id);
    if (d === undefined) sparse.set(id, (d = { state: DEAD, lastEv: 0, markAssist: false }));
    return d;
  };
  const p = (id: number): PDesc => {
    let d = ps.get(id);
    if (d === undefined) ps.set(id, (d = { running: false, g: 0, sweep: false }));
    return d;
  };
  let i = 0;
  let typ = 0;
  let gid = 0;
  let pid = 0;
  const fail = (msg: string): never => {
    throw new V1EventError(`${msg} (${V1_DESCS[typ]!.name} at ${ev.ts[i]} ns)`, i);
  };
  const checkRunning = (allowG0: boolean) => {
    if (g(gid).state !== RUNNING) fail(`g ${gid} is not running`);
    if (p(pid).g !== gid) fail(`p ${pid} is not running g ${gid}`);
    if (!allowG0 && gid === 0) fail("g 0 did it");
  };
  for (let k = 0; k < order.length; k++) {
    i = order[k];
    typ = ev.typ[i];
    gid = ev.g[i];
    pid = ev.p[i];
    switch (typ) {
      case V1.ProcStart: {
        const d = p(pid);
        if (d.running) fail(`p ${pid} is running before start`);
        d.running = true;
        break;
      }
      case V1.ProcStop: {
        const d = p(pid);
        if (!d.running) fail(`p ${pid} is not running before stop`);
        if (d.g !== 0) fail(`p ${pid} is running a goroutine ${d.g} during stop`);
        d.running = false;
        break;
      }
      case V1.GCStart:
        if (inGC) fail("previous GC is not ended before a new one");
        inGC = true;
        ev.p[i] = GCP;
        break;
      case V1.GCDone:
        if (!inGC) fail("bogus GC end");
        inGC = false;
        break;
      case V1.STWStart:
        if (inSTW) fail("previous STW is not ended before a new one");
        inSTW = true;
        break;
      case V1.STWDone:
        if (!inSTW) fail("bogus STW end");
        inSTW = false;
        break;
      case V1.GCSweepStart: {
        const d = p(pid);
        if (d.sweep) fail("previous sweeping is not ended before a new one");
        d.sweep = true;
        break;
      }
      case V1.GCSweepDone: {
        const d = p(pid);
        if (!d.sweep) fail("bogus sweeping end");
        d.sweep = false;
        break;
      }
      case V1.GCMarkAssistStart: {
        const d = g(gid);
        if (d.markAssist) fail("previous mark assist is not ended before a new one");
        d.markAssist = true;
        break;
      }
      case V1.GCMarkAssistDone:
        // May end an assist that began before tracing did.
        g(gid).markAssist = false;
        break;
      case V1.GoWaiting:
      case V1.GoInSyscall: {
        const d = g(gid);
        if (d.state !== RUNNABLE) fail(`g ${gid} is not runnable before ${V1_DESCS[typ]!.name}`);
        d.state = WAITING;
        d.lastEv = typ;
        break;
      }
      case V1.GoCreate: {
        checkRunning(true);
        const child = ev.a0[i];
        if (exists(child)) fail(`g ${child} already exists`);
        const d = g(child);
        d.state = RUNNABLE;
        d.lastEv = typ;
        break;
      }
      case V1.GoStart:
      case V1.GoStartLabel: {
        const d = g(gid);
        const pd = p(pid);
        if (d.state !== RUNNABLE) fail(`g ${gid} is not runnable before start`);
        if (pd.g !== 0) fail(`p ${pid} is already running g ${pd.g} while start g ${gid}`);
        d.state = RUNNING;
        d.lastEv = 0;
        pd.g = gid;
        break;
      }
      case V1.GoEnd:
      case V1.GoStop: {
        checkRunning(false);
        g(gid).state = DEAD;
        p(pid).g = 0;
        if (typ === V1.GoEnd) regions.delete(gid);
        break;
      }
      case V1.GoSched:
      case V1.GoPreempt: {
        checkRunning(false);
        const d = g(gid);
        d.state = RUNNABLE;
        d.lastEv = typ;
        p(pid).g = 0;
        break;
      }
      case V1.GoUnblock: {
        if (g(gid).state !== RUNNING) fail(`g ${gid} is not running while unpark`);
        if (pid !== TimerP && p(pid).g !== gid) fail(`p ${pid} is not running g ${gid} while unpark`);
        const d = g(ev.a0[i]);
        if (d.state !== WAITING) fail(`g ${ev.a0[i]} is not waiting before unpark`);
        if (d.lastEv === V1.GoBlockNet) ev.p[i] = NetpollP;
        d.state = RUNNABLE;
        d.lastEv = typ;
        break;
      }
      case V1.GoSysCall:
        checkRunning(false);
        g(gid).lastEv = typ;
        break;
      case V1.GoSysBlock:
        checkRunning(false);
        g(gid).state = WAITING;
        p(pid).g = 0;
        break;
      case V1.GoSysExit: {
        const d = g(gid);
        if (d.state !== WAITING) fail(`g ${gid} is not waiting during syscall exit`);
        d.state = RUNNABLE;
        d.lastEv = typ;
        break;
      }
      case V1.GoSleep:
      case V1.GoBlock:
      case V1.GoBlockSend:
      case V1.GoBlockRecv:
      case V1.GoBlockSelect:
      case V1.GoBlockSync:
      case V1.GoBlockCond:
      case V1.GoBlockNet:
      case V1.GoBlockGC: {
        checkRunning(false);
        const d = g(gid);
        d.state = WAITING;
        d.lastEv = typ;
        p(pid).g = 0;
        break;
      }
      case V1.UserTaskCreate:
        if (tasks.has(ev.a0[i])) fail(`task id conflicts (id:${ev.a0[i]})`);
        tasks.add(ev.a0[i]);
        break;
      case V1.UserTaskEnd:
        tasks.delete(ev.a0[i]);
        break;
      case V1.UserRegion: {
        const mode = ev.a1[i];
        const stack = regions.get(gid) ?? [];
        if (mode === 0) {
          stack.push({ task: ev.a0[i], name: ev.a2[i] });
          regions.set(gid, stack);
        } else if (mode === 1) {
          const top = stack[stack.length - 1];
          if (top !== undefined) {
            if (top.task !== ev.a0[i] || top.name !== ev.a2[i]) fail(`misuse of region in goroutine ${gid}: end does not match the innermost region`);
            stack.pop();
          }
        } else fail(`invalid user region mode ${mode}`);
        break;
      }
    }
    const stk = ev.stk[i];
    if (stk !== 0 && !stacks.has(stk)) {
      ev.stk[i] = 0;
      missingStacks++;
    }
    if (typ === V1.GoCreate && ev.a1[i] !== 0 && !stacks.has(ev.a1[i])) missingStacks++;
  }
  return missingStacks;
}
