// The errors every front end tells apart (bad input, bad report request, bad usage:
// exit 2 with one line) and the input limits that bound every read.

export { DEFAULT_LIMITS, DecompressBudget, InputError, commandLimits, textOf, ReportError, UsageError, readFileCapped, type ReadLimits } from "../core/input/index.js";
