// What the server holds (GET /api/meta) and the answers of its views, as the client reads them.

export interface ProfileMeta {
  id: number;
  name: string;
  kind: string;
  sampleTypes: string[];
  defaultSampleType: string;
}

export interface Meta {
  inputs: string[];
  profiles: ProfileMeta[];
  diffBase: number;
  goroutineDumps: string[];
  gctraces: string[];
  traces: string[];
  sourceRoots: string[];
  warnings: string[];
}

export interface Warned {
  warnings: string[];
}

export interface TextAnswer extends Warned {
  text: string;
}

export interface TopRow {
  name: string;
  flat: string;
  flatPct: string;
  sumPct: string;
  cum: string;
  cumPct: string;
  flatValue: number;
  cumValue: number;
}

export interface TopAnswer extends Warned {
  labels: string[];
  rows: TopRow[];
  more: number;
}
