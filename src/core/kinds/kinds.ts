// What a capture file is, by content: the kinds the recogniser (sniff.ts) tells apart
// and the bundle manifest records (docs/BUNDLE.md).
export const FILE_KINDS = [
  "cpu", // profile?seconds=N (proto)
  "heap", // heap (proto)
  "allocs", // allocs (proto)
  "block", // block (proto)
  "mutex", // mutex (proto)
  "goroutine", // goroutine (proto, debug=0)
  "goroutine-debug1", // goroutine?debug=1 text
  "goroutine-debug2", // goroutine?debug=2 text (or a crash traceback)
  "threadcreate", // threadcreate (proto)
  "heap-debug1", // heap?debug=1 text, with the # runtime.MemStats block
  "gctrace", // GODEBUG=gctrace=1 stderr
  "expvar", // /debug/vars JSON
  "trace", // runtime/trace execution trace
  "escape", // go build -gcflags=-m=2 output
  "proc", // /proc facts collected by godiag capture (JSON)
  "pcap", // tcpdump's capture of the service's port (godiag capture --pcap)
  "netaudit", // the host's network limits and accept-queue counters (godiag capture --pcap, local target; JSON)
  "ebpf", // godiag probe's report (ebpf.json): eBPF probes of the process
  "ebpf-oncpu", // godiag probe: on-CPU stacks at 99 Hz (proto, a CPU profile)
  "ebpf-offcpu", // godiag probe: off-CPU time by stack (proto)
  "ebpf-syscalls", // godiag probe: slow syscall time by stack (proto)
  "other",
] as const;

export type FileKind = (typeof FILE_KINDS)[number];
