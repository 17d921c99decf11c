// Every rule, in no particular order: the engine ranks their findings.

import type { Rule } from "../rule.js";
import { channelBackpressureRule } from "./channel-backpressure.js";
import { cpuHotspotRule } from "./cpu-hotspot.js";
import { ebpfAcceptQueueRule } from "./ebpf-accept-queue.js";
import { ebpfFdLeakRule } from "./ebpf-fd-leak.js";
import { ebpfFsyncRule } from "./ebpf-fsync.js";
import { ebpfPacketLossRule } from "./ebpf-packet-loss.js";
import { ebpfSlowIoRule } from "./ebpf-slow-io.js";
import { ebpfStarvationRule } from "./ebpf-starvation.js";
import { ebpfWaitsRule } from "./ebpf-waits.js";
import { gcRule } from "./gc.js";
import { goroutineRule } from "./goroutines.js";
import { heapRetainedRule } from "./heap-retained.js";
import { httpClientRule } from "./http-client.js";
import { mutexContentionRule } from "./mutex-contention.js";
import { netLatencyRule } from "./net-latency.js";
import { profilingDisabledRule } from "./profiling-disabled.js";
import { syscallHeavyRule } from "./syscall-heavy.js";
import { traceGcRule } from "./trace-gc.js";
import { traceSchedulerRule } from "./trace-scheduler.js";
import { traceStwRule } from "./trace-stw.js";
import { traceTasksRule } from "./trace-tasks.js";

export const RULES: Rule[] = [
  cpuHotspotRule,
  syscallHeavyRule,
  mutexContentionRule,
  channelBackpressureRule,
  profilingDisabledRule,
  gcRule,
  heapRetainedRule,
  goroutineRule,
  httpClientRule,
  // execution traces; after gcRule, whose gc-pressure finding a trace's joins
  traceSchedulerRule,
  traceGcRule,
  traceStwRule,
  traceTasksRule,
  // packet captures (godiag capture --pcap)
  netLatencyRule,
  // eBPF probe reports (godiag probe, capture --ebpf)
  ebpfFsyncRule,
  ebpfStarvationRule,
  ebpfAcceptQueueRule,
  ebpfSlowIoRule,
  ebpfWaitsRule,
  ebpfFdLeakRule,
  ebpfPacketLossRule,
];
