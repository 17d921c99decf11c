// cutshort: tracing is never stopped; the program exits while the tracer is
// running, so the file ends wherever the last flushed batch ended (a trace cut
// short, as when a process dies). Writes the trace to os.Args[1].
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	var mu sync.Mutex
	n := 0
	for i := 0; i < 8; i++ {
		go func() {
			for {
				mu.Lock()
				n++
				mu.Unlock()
				b := make([]byte, 1<<12)
				_ = b
				time.Sleep(50 * time.Microsecond)
			}
		}()
	}
	// Longer than one trace generation (~1 s in Go 1.22+) so at least one is flushed.
	time.Sleep(1500 * time.Millisecond)
	os.Exit(0)
}
