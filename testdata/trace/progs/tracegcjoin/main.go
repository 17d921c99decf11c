// tracegcjoin: the GC-heavy pattern of workloads/gcheavy (pointer-dense trees rebuilt
// by GOMAXPROCS+2 goroutines over a large retained heap, GOGC=50), allocating in
// main.buildTree, with the evidence a capture would hold side by side: an execution
// trace, the allocation profile and (GODEBUG=gctrace=1, from the caller) the gctrace
// log, so diagnose can join the trace's gc-pressure finding with the GC rule's.
// Usage: tracegcjoin DIR (writes DIR/trace.out and DIR/allocs.pb.gz).
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

type node struct {
	left, right *node
	val         [4]*int
}

func buildTree(depth int) *node {
	if depth == 0 {
		v := depth
		return &node{val: [4]*int{&v, &v, &v, &v}}
	}
	return &node{left: buildTree(depth - 1), right: buildTree(depth - 1)}
}

var (
	live [64]*node
	mu   sync.Mutex
)

func main() {
	dir := os.Args[1]
	debug.SetGCPercent(50)
	for i := range live {
		live[i] = buildTree(12)
	}
	f, err := os.Create(filepath.Join(dir, "trace.out"))
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(800 * time.Millisecond)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0)+2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; time.Now().Before(deadline); i++ {
				t := buildTree(10)
				mu.Lock()
				live[i%len(live)] = t
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	trace.Stop()
	f.Close()
	a, err := os.Create(filepath.Join(dir, "allocs.pb.gz"))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("allocs").WriteTo(a, 0); err != nil {
		panic(err)
	}
	a.Close()
}
