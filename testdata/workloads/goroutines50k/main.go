// goroutines50k: 50,000 parked goroutines in a few shapes (channel receive at
// several depths, mutex waiters, select, sleep, sync.Cond), then one
// goroutine?debug=2 dump written to the file named by the first argument. The
// input of the goroutine benchmark (bench/goroutines.mjs).
package main

import (
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var (
	block = make(chan int)
	mu    sync.Mutex
	cond  = sync.NewCond(&sync.Mutex{})
)

//go:noinline
func recvAt(depth int, started *sync.WaitGroup) {
	if depth > 0 {
		recvAt(depth-1, started)
		return
	}
	started.Done()
	<-block
}

//go:noinline
func lockWaiter(started *sync.WaitGroup) {
	started.Done()
	mu.Lock()
	mu.Unlock()
}

//go:noinline
func selectWaiter(started *sync.WaitGroup, other chan string) {
	started.Done()
	select {
	case <-block:
	case <-other:
	}
}

//go:noinline
func sleeper(started *sync.WaitGroup) {
	started.Done()
	time.Sleep(time.Hour)
}

//go:noinline
func condWaiter(started *sync.WaitGroup) {
	cond.L.Lock()
	started.Done()
	cond.Wait()
	cond.L.Unlock()
}

func main() {
	var started sync.WaitGroup
	mu.Lock() // held: lock waiters park
	other := make(chan string)
	spawn := func(n int, f func()) {
		started.Add(n)
		for i := 0; i < n; i++ {
			go f()
		}
	}
	for d := 0; d < 4; d++ {
		depth := d * 3
		spawn(5000, func() { recvAt(depth, &started) })
	}
	spawn(10000, func() { lockWaiter(&started) })
	spawn(10000, func() { selectWaiter(&started, other) })
	spawn(5000, func() { sleeper(&started) })
	spawn(5000, func() { condWaiter(&started) })
	started.Wait()
	time.Sleep(200 * time.Millisecond) // let the last ones park
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
	f.Close()
}
