// The whole benchstat pipeline over parsed inputs: filter → projections →
// table builder → summaries and comparisons. Pure: the CLI reads the files.

import { BenchReader, inputLabels, syntaxErrorString, type UnitMetadataMap } from "../read/benchfmt.js";
import { Filter, ProjectionParser } from "./projection.js";
import { QuerySyntaxError } from "./query.js";
import { TableBuilder, type Tables } from "./tables.js";

export interface BenchstatOptions {
  table: string;
  row: string;
  col: string;
  ignore: string;
  filter: string;
  alpha: number;
  confidence: number;
}

export const DEFAULT_BENCHSTAT: BenchstatOptions = {
  table: ".config",
  row: ".fullname",
  col: ".file",
  ignore: "",
  filter: "*",
  alpha: 0.05,
  confidence: 0.95,
};

/** A flag value benchstat rejects; message worded as benchstat's. */
export class BenchstatUsageError extends Error {}

export interface BenchstatResult {
  tables: Tables;
  units: UnitMetadataMap;
  /** syntax errors in the inputs, one line each, as benchstat prints them to stderr */
  diagnostics: string[];
}

export interface BenchInput {
  /** argument as given (label=path or path) */
  arg: string;
}

/**
 * Run benchstat. `read(path)` returns a file's text (and throws the CLI's
 * InputError when it cannot be read).
 */
export function runBenchstat(args: string[], opts: BenchstatOptions, read: (path: string) => string): BenchstatResult {
  let filter: Filter;
  try {
    filter = Filter.parse(opts.filter);
  } catch (e) {
    if (e instanceof QuerySyntaxError) throw new BenchstatUsageError(`parsing -filter: ${e.message}`);
    throw e;
  }
  const parser = new ProjectionParser();
  const parse = (name: string, q: string, unit: boolean) => {
    try {
      return unit ? parser.parseWithUnit(q, filter) : parser.parse(q, filter);
    } catch (e) {
      if (e instanceof QuerySyntaxError) throw new BenchstatUsageError(`parsing ${name}: ${e.message}`);
      throw e;
    }
  };
  const tableBy = parse("-table", opts.table, true);
  const rowBy = parse("-row", opts.row, false);
  const colBy = parse("-col", opts.col, false);
  parse("-ignore", opts.ignore, false);
  const residue = parser.residue();
  if (!(opts.alpha >= 0 && opts.alpha <= 1)) throw new BenchstatUsageError("-alpha must be in range [0, 1]");
  if (!(opts.confidence >= 0 && opts.confidence <= 1)) throw new BenchstatUsageError("-confidence must be in range [0, 1]");

  const builder = new TableBuilder(tableBy, rowBy, colBy, residue);
  const reader = new BenchReader();
  const diagnostics: string[] = [];
  for (const inp of inputLabels(args)) {
    const text = read(inp.path);
    reader.read(text, inp.path, inp.label, (rec) => {
      if (rec.kind === "syntax") {
        diagnostics.push(syntaxErrorString(rec));
        return;
      }
      if (!filter.apply(rec)) return;
      builder.add(rec);
    });
  }
  const tables = builder.toTables({ confidence: opts.confidence, alpha: opts.alpha, units: reader.units });
  return { tables, units: reader.units, diagnostics };
}
