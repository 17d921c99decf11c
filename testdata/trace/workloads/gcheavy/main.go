// gcheavy: a pointer-dense heap of linked trees rebuilt continuously by several
// allocating goroutines, so GC runs many cycles and allocators do mark assists.
// Writes an execution trace to os.Args[1].
package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sync"
	"time"
)

type node struct {
	left, right *node
	next        *node
	val         [4]*int
}

func build(depth int) *node {
	if depth == 0 {
		v := depth
		return &node{val: [4]*int{&v, &v, &v, &v}}
	}
	n := &node{left: build(depth - 1), right: build(depth - 1)}
	n.left.next = n.right
	return n
}

var live [64]*node
var mu sync.Mutex

func main() {
	debug.SetGCPercent(50)
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	// A large retained heap makes marking long enough that allocators must assist.
	for i := range live {
		live[i] = build(12)
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
				t := build(10)
				mu.Lock()
				live[i%len(live)] = t
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	trace.Stop()
	f.Close()
}
