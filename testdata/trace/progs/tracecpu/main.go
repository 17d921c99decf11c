// Command tracecpu writes an execution trace and a runtime/pprof CPU profile taken at the
// same time (the trace then holds the CPU samples as StackSample events). Most of the CPU
// goes to main.hot; main.warm takes about a quarter of what hot takes. It runs until the
// process has used 600 ms of CPU (at most 10 s), so a loaded machine still gives samples.
//
//	tracecpu TRACE_FILE CPU_PROFILE
package main

import (
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var sink atomic.Uint64

//go:noinline
func hot(n int) uint64 {
	x := uint64(1)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

//go:noinline
func warm(n int) uint64 {
	x := uint64(7)
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func main() {
	tf, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	pf, err := os.Create(os.Args[2])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		panic(err)
	}
	if err := trace.Start(tf); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				sink.Add(hot(400_000))
				sink.Add(warm(100_000))
			}
		}()
	}
	for cpuTime() < 600*time.Millisecond && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	trace.Stop()
	pprof.StopCPUProfile()
	if err := tf.Close(); err != nil {
		panic(err)
	}
	if err := pf.Close(); err != nil {
		panic(err)
	}
}

// cpuTime is the CPU the process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
