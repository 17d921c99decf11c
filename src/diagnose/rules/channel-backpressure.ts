// channel-backpressure: senders spend a lot of time blocked on full channels, i.e.
// a producer outruns its consumer and the bounded queue pushes back on the request
// path. The block profile only records waits that *ended*, so this is flow that is
// slow but moving; sends blocked forever are a goroutine leak, which the goroutine
// snapshots show instead.

import { attributeToUserCode, topEntries } from "../../core/go/index.js";
import { sampleTypeIndex } from "../../core/model/index.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../finding.js";
import { secs, type Rule } from "../rule.js";

/** Average number of goroutines blocked in channel sends (send-wait seconds per second). */
const WARN_SENDERS = 0.5;
const CRITICAL_SENDERS = 2;
/** The top send site must carry this share of all send waits to be named. */
const MIN_SITE_SHARE = 0.3;

const CHAN_SEND = /^runtime\.chansend1?$/;

export const channelBackpressureRule: Rule = {
  name: "channel-backpressure",
  run(ctx: DiagnoseContext): Finding[] {
    const block = ctx.profile("block");
    if (!block || block.seconds === undefined) return [];
    const di = sampleTypeIndex(block.profile, "delay");
    const ci = sampleTypeIndex(block.profile, "contentions");
    if (di < 0) return [];
    const sends = attributeToUserCode(block.frames, di, (fr) => fr.slice(0, 3).some((f) => CHAN_SEND.test(f)));
    if (sends.total === 0) return [];
    const [site, siteDelay] = topEntries(sends.byFunction, 1)[0] ?? ["", 0];
    if (site === "" || siteDelay < MIN_SITE_SHARE * sends.total) return [];
    const senders = siteDelay / 1e9 / block.seconds;
    if (senders < WARN_SENDERS) return [];
    const count =
      ci >= 0 ? attributeToUserCode(block.frames, ci, (fr) => fr.slice(0, 3).some((f) => CHAN_SEND.test(f))) : undefined;
    const events = count?.byFunction.get(site) ?? 0;
    return [
      {
        id: `channel-backpressure:${site}`,
        category: "channel-backpressure",
        severity: senders >= CRITICAL_SENDERS ? "critical" : "warning",
        confidence: Math.min(0.9, 0.55 + senders / 40),
        title: `Back-pressure: ${site} blocks on a full channel (${senders.toFixed(1)} senders waiting on average)`,
        summary:
          `Goroutines waited ${secs(siteDelay)} over ${block.seconds.toFixed(1)}s sending in ${site}` +
          (events > 0 ? ` (${Math.round(events)} sends blocked, ${secs(siteDelay / events)} each on average)` : "") +
          `: the consumers of that channel are slower than its producers, so the queue is full and callers wait.`,
        evidence: [
          {
            source: block.file.path,
            kind: "block profile (channel sends)",
            numbers: {
              send_wait_ns: siteDelay,
              all_send_wait_ns: sends.total,
              window_seconds: block.seconds,
              avg_senders_waiting: Math.round(100 * senders) / 100,
              ...(events > 0 ? { blocked_sends: events } : {}),
            },
            functions: [site],
          },
        ],
        functions: [site],
        recommendation:
          `Speed up or add consumers of the channel ${site} sends on (more workers, batching), ` +
          `or shed load at the producer (non-blocking send with select/default and a 503) instead of queueing; ` +
          `a bigger buffer only hides the imbalance.`,
        docs: ["https://go.dev/blog/pipelines"],
      },
    ];
  },
};
