// Command tracecpuburn writes an execution trace with CPU profile samples in it (Go 1.19+
// record them when a CPU profile runs during the trace): a few goroutines burn CPU for
// -ms milliseconds while both run. Go 1.19-compatible.
//
//	tracecpuburn -out FILE -ms 300
package main

import (
	"flag"
	"io"
	"log"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

var sink uint64

func burn(until time.Time, seed uint64) uint64 {
	x := seed
	for time.Now().Before(until) {
		for i := 0; i < 10000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	return x
}

func main() {
	out := flag.String("out", "", "output file")
	ms := flag.Int("ms", 300, "how long to burn CPU")
	workers := flag.Int("goroutines", 4, "busy goroutines")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	until := time.Now().Add(time.Duration(*ms) * time.Millisecond)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < *workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			x := burn(until, uint64(i))
			mu.Lock()
			sink += x
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	trace.Stop()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
