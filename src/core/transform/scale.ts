// In-place profile edits from pprof's profile package and measurement.ScaleProfiles:
// Scale/ScaleN, Normalize, SetLabel/RemoveLabel, CompatibilizeSampleTypes.
//
// They modify the Profile object like pprof mutates its *Profile, but never write
// into its typed arrays: the sample and label tables are replaced by new ones,
// because other profiles (views, materialized copies) may share those arrays.

import { sampleTypeIndex, type LabelTable, type Profile, type SampleTable, type ValueType } from "../model/index.js";
import { commonValueType, formatValueTypeStruct, scaleValue } from "../measure/index.js";

/** Go's math.Round: half away from zero (JS Math.round goes half up). */
export function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Keep only the samples with keep[i] != 0, with `values` as the new value matrix source. */
function keepSamples(p: Profile, keep: Uint8Array, values: Float64Array): void {
  const s = p.samples;
  const lab = p.labels;
  const nt = p.sampleTypes.length;
  let n = 0;
  let nStack = 0;
  let nLab = 0;
  for (let i = 0; i < s.length; i++) {
    if (!keep[i]) continue;
    n++;
    nStack += s.stackStart[i + 1] - s.stackStart[i];
    nLab += s.labelStart[i + 1] - s.labelStart[i];
  }
  const out: SampleTable = {
    length: n,
    values: new Float64Array(n * nt),
    stackStart: new Uint32Array(n + 1),
    stack: new Uint32Array(nStack),
    labelStart: new Uint32Array(n + 1),
  };
  const ol: LabelTable = {
    length: nLab,
    key: new Uint32Array(nLab),
    str: new Uint32Array(nLab),
    num: new Float64Array(nLab),
    unit: new Uint32Array(nLab),
  };
  let j = 0;
  let st = 0;
  let lb = 0;
  for (let i = 0; i < s.length; i++) {
    if (!keep[i]) continue;
    out.values.set(values.subarray(i * nt, i * nt + nt), j * nt);
    const a = s.stackStart[i];
    const b = s.stackStart[i + 1];
    out.stack.set(s.stack.subarray(a, b), st);
    st += b - a;
    out.stackStart[j + 1] = st;
    for (let r = s.labelStart[i]; r < s.labelStart[i + 1]; r++, lb++) {
      ol.key[lb] = lab.key[r];
      ol.str[lb] = lab.str[r];
      ol.num[lb] = lab.num[r];
      ol.unit[lb] = lab.unit[r];
    }
    out.labelStart[j + 1] = lb;
    j++;
  }
  p.samples = out;
  p.labels = ol;
}

/**
 * Profile.ScaleN: multiply sample type t's values by ratios[t], rounding with
 * math.Round, and keep only samples where some *scaled* value is non-zero
 * (values with ratio 1 are not consulted, exactly as pprof does).
 */
export function scaleN(p: Profile, ratios: readonly number[]): void {
  const nt = p.sampleTypes.length;
  if (ratios.length !== nt) throw new Error(`mismatched scale ratios, got ${ratios.length}, want ${nt}`);
  if (ratios.every((r) => r === 1)) return;
  const src = p.samples.values;
  const values = new Float64Array(src.length);
  const n = p.samples.length;
  const keep = new Uint8Array(n);
  let all = true;
  for (let i = 0; i < n; i++) {
    let k = false;
    for (let t = 0; t < nt; t++) {
      const v = src[i * nt + t];
      if (ratios[t] !== 1) {
        const x = goRound(v * ratios[t]) + 0; // + 0: no -0 (int64 has none)
        values[i * nt + t] = x;
        k = k || x !== 0;
      } else values[i * nt + t] = v;
    }
    keep[i] = k ? 1 : 0;
    all = all && k;
  }
  if (all) p.samples = { ...p.samples, values };
  else keepSamples(p, keep, values);
}

/** Profile.Scale: scaleN with the same ratio for every sample type. */
export function scale(p: Profile, ratio: number): void {
  if (ratio === 1) return;
  scaleN(
    p,
    p.sampleTypes.map(() => ratio),
  );
}

/** Rebuild the label table: for each sample, keep rows passing `keep`, then append `extra` rows. */
function rewriteLabels(
  p: Profile,
  keep: (row: number) => boolean,
  extra: readonly { key: number; str: number; num: number; unit: number }[],
): void {
  const s = p.samples;
  const lab = p.labels;
  const key: number[] = [];
  const str: number[] = [];
  const num: number[] = [];
  const unit: number[] = [];
  const labelStart = new Uint32Array(s.length + 1);
  for (let i = 0; i < s.length; i++) {
    for (let r = s.labelStart[i]; r < s.labelStart[i + 1]; r++) {
      if (!keep(r)) continue;
      key.push(lab.key[r]);
      str.push(lab.str[r]);
      num.push(lab.num[r]);
      unit.push(lab.unit[r]);
    }
    for (const e of extra) {
      key.push(e.key);
      str.push(e.str);
      num.push(e.num);
      unit.push(e.unit);
    }
    labelStart[i + 1] = key.length;
  }
  p.samples = { ...s, labelStart };
  p.labels = {
    length: key.length,
    key: Uint32Array.from(key),
    str: Uint32Array.from(str),
    num: Float64Array.from(num),
    unit: Uint32Array.from(unit),
  };
}

/**
 * Profile.SetLabel: every sample's string label `key` becomes `values`.
 * (pprof can hold a key with an empty value list; rows cannot, so [] removes the key.)
 */
export function setLabel(p: Profile, key: string, values: readonly string[]): void {
  const k = p.strings.intern(key);
  const lab = p.labels;
  // An empty string value would read back as a numeric label; pprof's encoder drops it the same way.
  const extra = values.filter((v) => v !== "").map((v) => ({ key: k, str: p.strings.intern(v), num: 0, unit: 0 }));
  rewriteLabels(p, (r) => !(lab.key[r] === k && lab.str[r] !== 0), extra);
}

/** Profile.RemoveLabel: drop string label `key` from every sample. */
export function removeLabel(p: Profile, key: string): void {
  const k = p.strings.intern(key);
  const lab = p.labels;
  rewriteLabels(p, (r) => !(lab.key[r] === k && lab.str[r] !== 0), []);
}

/** Profile.SetNumLabel: every sample's numeric label `key` becomes `values` (units parallel, or empty). */
export function setNumLabel(p: Profile, key: string, values: readonly number[], units: readonly string[] = []): void {
  const k = p.strings.intern(key);
  const lab = p.labels;
  const extra = values.map((v, i) => ({
    key: k,
    str: 0,
    num: v,
    unit: units.length > 0 ? p.strings.intern(units[i] ?? "") : 0,
  }));
  rewriteLabels(p, (r) => !(lab.key[r] === k && lab.str[r] === 0), extra);
}

/** Profile.RemoveNumLabel: drop numeric label `key` from every sample. */
export function removeNumLabel(p: Profile, key: string): void {
  const k = p.strings.intern(key);
  const lab = p.labels;
  rewriteLabels(p, (r) => !(lab.key[r] === k && lab.str[r] === 0), []);
}

/** The first string-table index of s, as pprof's decoder would have recorded it (0 if absent). */
function stringIndex(p: Profile, s: string): number {
  const i = p.strings.all().indexOf(s);
  return i < 0 ? 0 : i;
}

/** Go's %v of a *ValueType: &{type unit typeX unitX}. */
export function describeValueTypePtr(p: Profile, t: ValueType | null): string {
  const v = t ?? { type: "", unit: "" };
  return "&" + formatValueTypeStruct(v, stringIndex(p, v.type), stringIndex(p, v.unit));
}

/** Go's %v of []*ValueType prints pointer addresses; we print the types readably instead. */
function describeSampleTypes(ts: readonly ValueType[]): string {
  return "[" + ts.map((t) => `${t.type}/${t.unit}`).join(" ") + "]";
}

const sameType = (a: ValueType | null, b: ValueType | null): boolean =>
  (a?.type ?? "") === (b?.type ?? "") && (a?.unit ?? "") === (b?.unit ?? "");

/** Profile.compatible: identical period type and sample types, else an Error with pprof's message. */
export function checkCompatible(p: Profile, pb: Profile): void {
  if (!sameType(p.periodType, pb.periodType)) {
    throw new Error(
      `incompatible period types ${describeValueTypePtr(p, p.periodType)} and ${describeValueTypePtr(pb, pb.periodType)}`,
    );
  }
  const a = p.sampleTypes;
  const b = pb.sampleTypes;
  if (a.length !== b.length || a.some((t, i) => !sameType(t, b[i]))) {
    throw new Error(`incompatible sample types ${describeSampleTypes(a)} and ${describeSampleTypes(b)}`);
  }
}

/** Per-type sums of all sample values. */
function totals(p: Profile, nt: number): number[] {
  const out = new Array<number>(nt).fill(0);
  const v = p.samples.values;
  const pt = p.sampleTypes.length;
  for (let i = 0; i < p.samples.length; i++) for (let t = 0; t < nt; t++) out[t] += v[i * pt + t];
  return out;
}

/** Profile.Normalize: scale p so each sample type sums to base's total (ratio 0 where p sums to 0). */
export function normalize(p: Profile, base: Profile): void {
  checkCompatible(p, base);
  const nt = p.sampleTypes.length;
  const b = totals(base, nt);
  const s = totals(p, nt);
  scaleN(
    p,
    b.map((bv, i) => (s[i] === 0 ? 0 : bv / s[i])),
  );
}

/**
 * profile.CompatibilizeSampleTypes: keep only the sample types (by type name) that
 * every profile has, in the first profile's order; profiles are modified in place.
 */
export function compatibilizeSampleTypes(profiles: readonly Profile[]): void {
  if (profiles.length === 0) throw new Error("profiles have empty common sample type list");
  const count = new Map<string, number>();
  for (const p of profiles) for (const st of p.sampleTypes) count.set(st.type, (count.get(st.type) ?? 0) + 1);
  const common = profiles[0].sampleTypes.filter((st) => count.get(st.type) === profiles.length).map((st) => st.type);
  if (common.length === 0) throw new Error("profiles have empty common sample type list");
  for (const p of profiles) compatibilize(p, common);
}

function compatibilize(p: Profile, types: readonly string[]): void {
  let dflt = types[0];
  const reMap: number[] = [];
  let modify = false;
  types.forEach((st, i) => {
    if (st === p.defaultSampleType) dflt = p.defaultSampleType;
    const idx = sampleTypeIndex(p, st);
    if (idx < 0) throw new Error(`"${st}" sample type is not found in profile`);
    reMap.push(idx);
    if (idx !== i) modify = true;
  });
  if (!modify && types.length === p.sampleTypes.length) return;
  p.defaultSampleType = dflt;
  const old = p.sampleTypes;
  const ont = old.length;
  const nt = reMap.length;
  p.sampleTypes = reMap.map((i) => old[i]);
  const src = p.samples.values;
  const n = p.samples.length;
  const values = new Float64Array(n * nt);
  for (let i = 0; i < n; i++) for (let t = 0; t < nt; t++) values[i * nt + t] = src[i * ont + reMap[t]];
  p.samples = { ...p.samples, values };
}

/**
 * measurement.ScaleProfiles: convert every profile to the finest common unit of
 * each sample type and of the period type. Profiles are modified in place.
 */
export function scaleProfiles(profiles: readonly Profile[]): void {
  if (profiles.length === 0) return;
  const withPeriod = profiles.filter((p) => p.periodType !== null);
  const describeIn = (ps: readonly Profile[]) => (t: ValueType) => {
    const owner = ps.find((p) => p.periodType === t || p.sampleTypes.includes(t)) ?? ps[0];
    return formatValueTypeStruct(t, stringIndex(owner, t.type), stringIndex(owner, t.unit));
  };
  let periodType: ValueType | null;
  try {
    periodType = commonValueType(
      withPeriod.map((p) => p.periodType),
      describeIn(withPeriod),
    );
  } catch (e) {
    throw new Error(`period type: ${(e as Error).message}`, { cause: e });
  }
  const nt = profiles[0].sampleTypes.length;
  for (const p of profiles.slice(1)) {
    if (p.sampleTypes.length !== nt) {
      throw new Error(`inconsistent samples type count: ${nt} != ${p.sampleTypes.length}`);
    }
  }
  const sampleType: (ValueType | null)[] = [];
  for (let i = 0; i < nt; i++) {
    try {
      sampleType.push(
        commonValueType(
          profiles.map((p) => p.sampleTypes[i]),
          describeIn(profiles),
        ),
      );
    } catch (e) {
      throw new Error(`sample types: ${(e as Error).message}`, { cause: e });
    }
  }
  for (const p of profiles) {
    if (p.periodType !== null && periodType !== null) {
      // int64(float) truncates toward zero
      p.period = Math.trunc(scaleValue(p.period, p.periodType.unit, periodType.unit)[0]);
      p.periodType = { type: p.periodType.type, unit: periodType.unit };
    }
    const ratios = p.sampleTypes.map((st, i) => {
      const target = sampleType[i];
      if (target === null) return 1;
      return scaleValue(1, st.unit, target.unit)[0];
    });
    p.sampleTypes = p.sampleTypes.map((st, i) => {
      const target = sampleType[i];
      return target === null ? st : { type: st.type, unit: target.unit };
    });
    scaleN(p, ratios);
  }
}
