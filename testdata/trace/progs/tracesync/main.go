// Command tracesync writes an execution trace of a program that spends its time blocked
// on synchronisation: goroutines contending for one sync.Mutex, a channel pipeline, a
// select over several channels, a sync.Cond and a sync.WaitGroup. godiag's
// `trace --pprof=sync` is compared with go tool trace -pprof=sync on it.
//
//	tracesync TRACE_FILE
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"time"
)

var (
	mu      sync.Mutex
	counter int
)

// lockLoop holds the mutex for a while on each turn, so the other lockers wait.
func lockLoop(until time.Time) {
	for time.Now().Before(until) {
		mu.Lock()
		counter++
		spinFor(50 * time.Microsecond)
		mu.Unlock()
	}
}

func spinFor(d time.Duration) {
	for t := time.Now(); time.Since(t) < d; {
	}
}

// pipeStage passes values on; receivers and senders block on unbuffered channels.
func pipeStage(in <-chan int, out chan<- int) {
	for v := range in {
		out <- v + 1
	}
	close(out)
}

// selectLoop waits on two channels at once until told to stop.
func selectLoop(a, b <-chan int, stop <-chan struct{}) {
	for {
		select {
		case <-a:
		case <-b:
		case <-stop:
			return
		}
	}
}

// condWaiter waits on a sync.Cond broadcast every few milliseconds.
func condWaiter(c *sync.Cond, ready *int, stop *bool) {
	c.L.Lock()
	for !*stop {
		c.Wait()
		*ready++
	}
	c.L.Unlock()
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	until := time.Now().Add(600 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); lockLoop(until) }()
	}

	// A four-stage pipeline fed until the deadline.
	src := make(chan int)
	var in <-chan int = src
	for i := 0; i < 4; i++ {
		out := make(chan int)
		go pipeStage(in, out)
		in = out
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range in {
		}
	}()

	a, b := make(chan int), make(chan int)
	stop := make(chan struct{})
	wg.Add(1)
	go func() { defer wg.Done(); selectLoop(a, b, stop) }()

	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	ready, condStop := 0, false
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); condWaiter(cond, &ready, &condStop) }()
	}

	for i := 0; time.Now().Before(until); i++ {
		src <- i
		if i%2 == 0 {
			a <- i
		} else {
			b <- i
		}
		if i%50 == 0 {
			time.Sleep(time.Millisecond)
			cond.Broadcast()
		}
	}
	close(src)
	close(stop)
	cmu.Lock()
	condStop = true
	cmu.Unlock()
	cond.Broadcast()
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
