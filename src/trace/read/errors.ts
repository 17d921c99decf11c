// A format or consistency error inside the trace, with the byte offset it was found at;
// the entry points turn it into an InputError naming the file.

export class TraceFormatError extends Error {
  constructor(
    readonly detail: string,
    /** byte offset in the (decompressed) trace */
    readonly offset: number,
  ) {
    super(detail);
    this.name = "TraceFormatError";
  }
}
