// Alert delivery: a JSON POST per alert change to every configured webhook, retried
// with exponential backoff (0.5 s, 1 s, 2 s, ...) on a network error or a 5xx/429
// answer. Deliveries run in the background and never hold up scraping; a failure
// after the last retry is counted (godiag_webhook_failures_total) and logged.

export interface AlertPayload {
  /** "firing" when the condition starts, "resolved" when it ends */
  status: "firing" | "resolved";
  alert: string;
  job: string;
  instance: string;
  labels: Record<string, string>;
  severity: "critical" | "warning" | "info";
  summary: string;
  /** the numbers behind it (fit slope, r², windows, fraction, share...) */
  values: Record<string, number | string>;
  time: string;
}

export interface Webhook {
  url: string;
  timeoutMs: number;
  maxRetries: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export async function deliver(hook: Webhook, payload: AlertPayload): Promise<{ ok: boolean; attempts: number; error?: string }> {
  let error = "";
  for (let attempt = 0; attempt <= hook.maxRetries; attempt++) {
    if (attempt > 0) await sleep(500 * 2 ** (attempt - 1));
    try {
      const res = await fetch(hook.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "godiag-watch" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(hook.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, attempts: attempt + 1 };
      error = `HTTP ${res.status}`;
      // A 4xx other than 429 will not get better by retrying.
      if (res.status < 500 && res.status !== 429) return { ok: false, attempts: attempt + 1, error };
    } catch (e) {
      error = (e as Error).name === "TimeoutError" ? `timed out after ${hook.timeoutMs} ms` : ((e as Error & { cause?: Error }).cause?.message ?? (e as Error).message);
    }
  }
  return { ok: false, attempts: hook.maxRetries + 1, error };
}
