// Where a user function's library work ends up, read from CPU stacks (godiag corpus
// round 5, cartprice). An HTTP service's product is its responses: encoding what
// goes into the http.ResponseWriter is the job. A function that net/http calls
// (a handler: it holds the ResponseWriter), or whose stacks pass through the
// response writer, is on the response path. Bytes built in memory elsewhere
// (json.Marshal returns them to its caller) go to something else: a log line, a
// cache, a queue, or nowhere.

import { innermostUserFrame, originOf } from "../../core/go/index.js";
import type { CpuAnalysis } from "../cpu.js";

/**
 * Library calls that build their output in memory and hand it back to the caller
 * (not streamed into an io.Writer): what happens to the bytes is the caller's choice.
 */
const ENCODE_TO_MEMORY =
  /^(encoding\/(json|xml)\.Marshal(Indent)?|fmt\.Sprint(f|ln)?|encoding\/(base64|hex)\.(\(\*Encoding\)\.)?EncodeToString|google\.golang\.org\/protobuf\/proto\.Marshal)$/;

/** The server's side of a response write (net/http, HTTP/1 and the bundled HTTP/2). */
const RESPONSE_WRITE = /^net\/http\.(\(\*response\)|\(\*http2responseWriter\))\.(Write|WriteString|write|ReadFrom|Flush|FlushError)$/;

export interface ResponsePath {
  /** user function -> CPU in an ENCODE_TO_MEMORY call it makes directly */
  encodeToMemory: Map<string, number>;
  /** user function -> the encoder it calls most (its name) */
  encoder: Map<string, string>;
  /** user functions seen serving a response: called by net/http, or writing to the ResponseWriter */
  onResponsePath: Set<string>;
}

export function responsePath(a: CpuAnalysis): ResponsePath {
  const p = a.input.profile;
  const encodeToMemory = new Map<string, number>();
  const byEncoder = new Map<string, Map<string, number>>();
  const onResponsePath = new Set<string>();
  for (let s = 0; s < p.samples.length; s++) {
    const v = p.sampleValue(s, a.typeIndex);
    if (v === 0) continue;
    const fr = a.input.frames.names(s);
    const u = innermostUserFrame(fr, a.origins.isUser);
    if (u < 0) continue;
    const fn = fr[u]!;
    const caller = fr[u + 1];
    if (caller !== undefined && caller.startsWith("net/http.") && originOf(caller) !== "user") onResponsePath.add(fn);
    for (let i = 0; i < u; i++) if (RESPONSE_WRITE.test(fr[i]!)) onResponsePath.add(fn);
    const callee = u > 0 ? fr[u - 1]! : "";
    if (ENCODE_TO_MEMORY.test(callee)) {
      encodeToMemory.set(fn, (encodeToMemory.get(fn) ?? 0) + v);
      let m = byEncoder.get(fn);
      if (!m) byEncoder.set(fn, (m = new Map()));
      m.set(callee, (m.get(callee) ?? 0) + v);
    }
  }
  const encoder = new Map<string, string>();
  for (const [fn, m] of byEncoder) encoder.set(fn, [...m.entries()].sort((x, y) => y[1] - x[1])[0]![0]);
  return { encodeToMemory, encoder, onResponsePath };
}
