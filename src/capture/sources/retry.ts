// Retries with exponential backoff around fetchCapped, for the transient
// failures of a live service: a refused or reset connection (the service is
// restarting, a keep-alive socket went stale) and 502/503/504 from a proxy.
// Timeouts, other HTTP statuses and oversize bodies are not retried: they
// would fail the same way again, and each retry would stretch the capture's
// stated time bound.

import { fetchCapped, FetchError, type FetchLimits, type FetchResult } from "./http.js";

export interface RetryOptions {
  /** extra attempts after the first */
  retries: number;
  /** delay before the first retry (ms); doubles each time */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 2, backoffMs: 250 };

const RETRY_STATUS = new Set([502, 503, 504]);

/** Whether a failed attempt is worth repeating. */
export function isTransient(e: FetchError): boolean {
  if (e.status !== undefined) return RETRY_STATUS.has(e.status);
  return /connection refused|connection closed|ECONNRESET|socket hang up|other side closed/i.test(e.message);
}

/** GET with retries; the error thrown is the last attempt's, with the attempt count appended. */
export async function fetchWithRetry(
  url: string,
  limits: FetchLimits,
  retry: RetryOptions = DEFAULT_RETRY,
  onRetry?: (attempt: number, e: FetchError) => void,
): Promise<FetchResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchCapped(url, limits);
    } catch (e) {
      if (!(e instanceof FetchError)) throw e;
      if (limits.signal?.aborted) throw e; // "interrupted", whatever the attempt
      if (attempt >= retry.retries || !isTransient(e)) {
        if (attempt === 0) throw e;
        throw new FetchError(url, `${e.message.slice(url.length + 2)} (after ${attempt + 1} attempts)`, e.status);
      }
      onRetry?.(attempt + 1, e);
      await abortableSleep(retry.backoffMs * 2 ** attempt, limits.signal);
    }
  }
}

/** setTimeout as a promise that resolves early when signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
