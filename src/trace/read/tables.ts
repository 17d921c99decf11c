// Trace-wide stack interning: every generation re-sends its stack table with its own ids;
// consumers get one small id per distinct stack for the whole trace.

import type { StackFrame, TraceTables } from "../model/event.js";
import { TraceFormatError } from "./errors.js";
import type { Generation } from "./generation.js";

/** Distinct stacks kept for the whole trace: bounds memory on a hostile many-generation file. */
export const MAX_STACKS = 1 << 22;

export class StackTables implements TraceTables {
  private readonly ids = new Map<string, number>();
  private readonly stacks: (readonly StackFrame[])[] = [[]];
  private readonly frameCache = new Map<string, StackFrame>();

  frames(stack: number): readonly StackFrame[] {
    return this.stacks[stack] ?? [];
  }

  get stackCount(): number {
    return this.stacks.length - 1;
  }

  /** The trace-wide id of a generation's stack (validated when the generation was built). */
  intern(g: Generation, id: number): number {
    if (id === 0) return 0;
    const pcs = g.stacks.get(id);
    if (pcs === undefined) return 0;
    let key = "";
    const frames: StackFrame[] = new Array(pcs.length);
    for (let i = 0; i < pcs.length; i++) {
      const f = g.pcs.get(pcs[i])!;
      const func = g.getString(f.funcID) ?? "";
      const file = g.getString(f.fileID) ?? "";
      const fk = `${f.pc}\u0000${func}\u0000${file}\u0000${f.line}`;
      let frame = this.frameCache.get(fk);
      if (frame === undefined) {
        frame = { pc: f.pc, func, file, line: f.line };
        this.frameCache.set(fk, frame);
      }
      frames[i] = frame;
      key += fk + "\u0001";
    }
    let gid = this.ids.get(key);
    if (gid === undefined) {
      if (this.stacks.length > MAX_STACKS) throw new TraceFormatError(`more than ${MAX_STACKS} distinct stacks`, g.base);
      gid = this.stacks.length;
      this.stacks.push(frames);
      this.ids.set(key, gid);
    }
    return gid;
  }
}
