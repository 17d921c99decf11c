// crashers: tiny programs whose crash output (stderr) the goroutine parser tests
// read as real tracebacks. `crashers MODE`:
//
//	deadlock  - every goroutine blocked: "fatal error: all goroutines are asleep - deadlock!"
//	panic     - a panic in a goroutine while others wait (one locked to its thread)
//	deep      - a panic 300 calls deep: "...N frames elided..." (Go 1.21+)
//	dump      - runtime.Stack(all) with a parked goroutine, written to stdout, exit 0
package main

import (
	"os"
	"runtime"
	"sync"
	"time"
)

var mu sync.Mutex

//go:noinline
func recurse(n int) int {
	if n == 0 {
		panic("deep panic")
	}
	return recurse(n-1) + 1
}

//go:noinline
func waitForever(ch chan int) { <-ch }

func main() {
	switch os.Args[1] {
	case "deadlock":
		var wg sync.WaitGroup
		wg.Add(1)
		ch := make(chan int)
		go func() { ch <- 1; wg.Done() }()   // nobody receives
		go func() { mu.Lock(); mu.Lock() }() // locks itself out
		wg.Wait()
	case "panic":
		ch := make(chan int)
		go waitForever(ch)
		go func() {
			runtime.LockOSThread()
			waitForever(ch)
		}()
		time.Sleep(50 * time.Millisecond)
		var m map[string]int
		m["x"] = 1 // assignment to entry in nil map
	case "deep":
		recurse(300)
	case "dump":
		ch := make(chan int)
		for i := 0; i < 3; i++ {
			go waitForever(ch)
		}
		time.Sleep(50 * time.Millisecond)
		buf := make([]byte, 1<<20)
		os.Stdout.Write(buf[:runtime.Stack(buf, true)])
	}
}
