// What the server holds (GET /api/meta) and the answers of its views, as the client reads them.

import type { TopRow, TopView } from "../../../api/serve-wire.js";

export type { TopRow };
/** GET /api/top */
export type TopAnswer = TopView;

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

