// One HTTP GET with a time limit and a size cap, for everything godiag fetches
// from a live Go service (/debug/pprof/*, /debug/vars). Node's fetch (undici) is
// the client; we only add the limits and turn every failure into a one-line
// FetchError naming the URL.

export interface FetchLimits {
  /** whole request, headers and body (ms) */
  timeoutMs: number;
  /** body bytes; larger bodies are an error, never buffered past the cap */
  maxBytes: number;
  /** aborts the request (Ctrl-C): it fails with "interrupted" */
  signal?: AbortSignal;
}

/**
 * 128 MiB per response: a few requests are in flight at once and each body is held
 * whole, so this keeps capture's peak under 1 GB; a 50,000-goroutine debug=2 dump is
 * 27 MB. A larger service raises it with --max_bytes.
 */
export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 60_000, maxBytes: 128 << 20 };

/** The error text of a request (or a fetch never started) cut short by the caller's signal. */
export const INTERRUPTED = "interrupted";

export class FetchError extends Error {
  constructor(
    readonly url: string,
    /** what went wrong, without the URL (the message is `url: detail`) */
    readonly detail: string,
    readonly status?: number,
  ) {
    super(`${url}: ${detail}`);
    this.name = "FetchError";
  }
}

export interface FetchResult {
  status: number;
  contentType: string;
  body: Buffer;
}

/** GET url; non-2xx statuses are FetchErrors carrying the status and the start of the body. */
export async function fetchCapped(url: string, limits: FetchLimits = DEFAULT_FETCH_LIMITS): Promise<FetchResult> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal ? AbortSignal.any([timeout, limits.signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: "follow" });
  } catch (e) {
    throw new FetchError(url, describe(e, limits));
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (res.body) {
      // Node's web stream is async-iterable (the DOM typings, used when tests are
      // type-checked, do not say so).
      const body = res.body as unknown as AsyncIterable<Uint8Array>;
      for await (const chunk of body) {
        total += chunk.byteLength;
        if (total > limits.maxBytes) {
          await res.body.cancel().catch(() => undefined);
          throw new FetchError(url, `response larger than ${limits.maxBytes} bytes (raise the limit with --max_bytes)`);
        }
        chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      }
    }
  } catch (e) {
    if (e instanceof FetchError) throw e;
    throw new FetchError(url, `reading the body after ${total} bytes: ${describe(e, limits)}`);
  }
  const body = Buffer.concat(chunks, total);
  if (res.status < 200 || res.status > 299) {
    const text = body.subarray(0, 200).toString("utf8").replace(/\s+/g, " ").trim();
    throw new FetchError(url, `HTTP ${res.status}${text ? `: ${text}` : ""}`, res.status);
  }
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body };
}

/** OpenSSL's verification failures that a CA of the user's own would cure. */
const CERT_ERRORS = new Set(["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_GET_ISSUER_CERT"]);

function describe(e: unknown, limits: FetchLimits): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (limits.signal?.aborted) return INTERRUPTED;
  if (err.name === "TimeoutError" || err.name === "AbortError") return `timed out after ${limits.timeoutMs} ms`;
  const cause = err.cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused (is the service running?)";
  if (cause?.code === "ECONNRESET" || cause?.code === "UND_ERR_SOCKET") return "connection closed by the server";
  // The fetch standard's port blocklist (undici says only "bad port").
  if (err.message === "bad port" || cause?.message === "bad port") return "blocked port: Node's fetch refuses to connect to it (serve the debug endpoint on another port)";
  if (/wrong version number/i.test(cause?.message ?? "")) return "TLS handshake failed (wrong version number): the port speaks plain HTTP; use http://";
  // Node trusts its own CA list; a service's private CA is added the way Node documents.
  if (CERT_ERRORS.has(cause?.code ?? "")) return `${cause?.message ?? err.message} (to trust the service's CA, run with NODE_EXTRA_CA_CERTS=ca.pem)`;
  return cause?.message ?? err.message;
}
