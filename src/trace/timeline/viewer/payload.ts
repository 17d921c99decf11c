// The page's embedded data (written by ../payload.ts): base64 of a gzip'd blob, a u32 JSON
// length, the JSON metadata, then the typed-array columns the metadata lists, each at a
// multiple of 8 bytes. Inflated by the browser's DecompressionStream; columns are views.

import type { BandCols, Column, Data, IntervalCols, Meta, Spans } from "./types.js";


const MAKERS: Record<string, [new (b: ArrayBuffer, off: number, n: number) => Column, number]> = {
  f64: [Float64Array, 8],
  f32: [Float32Array, 4],
  i32: [Int32Array, 4],
  u32: [Uint32Array, 4],
  u16: [Uint16Array, 2],
  u8: [Uint8Array, 1],
};

export function decodePayload(buf: ArrayBuffer): Data {
  const jsonLen = new DataView(buf).getUint32(0, true);
  const meta = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, jsonLen))) as Meta;
  let off = (4 + jsonLen + 7) & ~7;
  const cols = new Map<string, Column>();
  for (const [name, type, n] of meta.columns) {
    const [T, size] = MAKERS[type];
    cols.set(name, new T(buf, off, n));
    off = (off + n * size + 7) & ~7;
  }
  const col = <T extends Column>(name: string): T => {
    const c = cols.get(name);
    if (c === undefined) throw new Error(`timeline data lacks column ${name}`);
    return c as T;
  };
  const procs: Spans[] = meta.procs.map((proc, i) => ({
    proc,
    start: col(`p${i}.start`),
    end: col(`p${i}.end`),
    goroutine: col(`p${i}.goroutine`),
    group: col(`p${i}.group`),
    frame: col(`p${i}.frame`),
    runs: col(`p${i}.runs`),
    busy: col(`p${i}.busy`),
  }));
  const bands = (n: string): BandCols => ({ start: col(`${n}.start`), end: col(`${n}.end`), name: col(`${n}.name`), before: col(`${n}.before`) });
  const intervals = (n: string): IntervalCols => ({
    start: col(`${n}.start`),
    end: col(`${n}.end`),
    id: col(`${n}.id`),
    type: col(`${n}.type`),
    row: col(`${n}.row`),
  });
  return {
    meta,
    procs,
    gc: bands("gc"),
    stw: bands("stw"),
    lanes: meta.groupLanes.map((_, i) => col<Float32Array>(`lane${i}.counts`)),
    tasks: intervals("tasks"),
    regions: intervals("regions"),
  };
}
