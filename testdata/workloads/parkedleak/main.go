// parkedleak prints one goroutine?debug=2 dump of a process with two groups of
// goroutines parked on other goroutines, the same size:
//   - a pool of workers started together at start-up (main.startPool), idle in a
//     channel receive: healthy;
//   - a watcher (main.watch) started by one request in twenty, over 400 requests
//     that each run in their own goroutine and finish: every watcher waits in a
//     select nobody will ever complete, so each one outlives its request.
// The dump is written once every request goroutine has returned.
package main

import (
	"os"
	"runtime/pprof"
	"sync"
)

const (
	requests   = 400
	watchEvery = 20
	poolSize   = requests / watchEvery // as many workers as leaked watchers
)

func startPool(jobs chan int) {
	for i := 0; i < poolSize; i++ {
		go worker(jobs)
	}
}

func worker(jobs chan int) {
	for range jobs {
	}
}

// handle is one request: some take a watcher that never ends.
func handle(i int, never chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	if i%watchEvery == 0 {
		go watch(never)
	}
}

func watch(never chan struct{}) {
	select {
	case <-never:
	case <-never:
	}
}

func main() {
	jobs := make(chan int)
	startPool(jobs)
	never := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < requests; i++ {
		wg.Add(1)
		go handle(i, never, &wg)
		if i%10 == 0 {
			wg.Wait() // let requests finish as they would over time
		}
	}
	wg.Wait()
	_ = pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
