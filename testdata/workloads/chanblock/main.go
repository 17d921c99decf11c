// chanblock is a channel-heavy pipeline. It exists to exercise the block
// profile (contentions/count, delay/nanoseconds) with every kind of channel
// wait: send on an unbuffered channel, send on a full buffered channel,
// receive on an empty channel, select with several cases, and WaitGroup.Wait.
// The block profile rate is 1 (record every blocking event).
package main

import (
	"runtime"
	"sync"
	"time"

	"godiag.test/workloads/internal/capture"
)

var sink uint64

// spin burns a little CPU so consumers are slower than producers.
//
//go:noinline
func spin(n int) uint64 {
	var x uint64 = 1
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// Stage 1: unbuffered hand-off; the producer blocks in chansend until the
// slow consumer is ready.
//
//go:noinline
func produceUnbuffered(out chan<- int, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			close(out)
			return
		default:
		}
		out <- i
	}
}

//go:noinline
func consumeSlow(in <-chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for v := range in {
		sink += spin(2000 + v%5*500)
	}
}

// Stage 2: small buffered channel that is always full.
//
//go:noinline
func produceBuffered(out chan<- []byte, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			close(out)
			return
		default:
		}
		out <- make([]byte, 64) // blocks while the buffer is full
	}
}

//go:noinline
func consumeBuffered(in <-chan []byte, wg *sync.WaitGroup) {
	defer wg.Done()
	for b := range in {
		sink += spin(4000) + uint64(len(b))
	}
}

// Stage 3: a fan-in that blocks in select waiting on several inputs.
//
//go:noinline
func ticker(out chan<- int, period time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			select {
			case out <- 1:
			case <-stop:
				return
			}
		}
	}
}

//go:noinline
func fanIn(a, b, c <-chan int, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case v := <-a:
			sink += uint64(v)
		case v := <-b:
			sink += uint64(v) * 2
		case v := <-c:
			sink += uint64(v) * 3
		case <-stop:
			return
		}
	}
}

// Stage 4: request/response over per-request reply channels; the caller
// blocks in chanrecv waiting for its reply.
type request struct {
	n     int
	reply chan uint64
}

//go:noinline
func server(reqs <-chan request) {
	for r := range reqs {
		r.reply <- spin(r.n)
	}
}

//go:noinline
func client(reqs chan<- request, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	reply := make(chan uint64)
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		reqs <- request{n: 1000 + i%4*1000, reply: reply}
		sink += <-reply
	}
}

// Stage 5: batches of workers joined with WaitGroup.Wait.
//
//go:noinline
func batch(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sink += spin(5000 * (i + 1))
		}(i)
	}
	wg.Wait()
}

func main() {
	runtime.SetBlockProfileRate(1)
	s := capture.Start()

	stop := make(chan struct{})
	var consumers, clients, fans sync.WaitGroup

	unbuf := make(chan int)
	go produceUnbuffered(unbuf, stop)
	consumers.Add(2)
	go consumeSlow(unbuf, &consumers)
	go consumeSlow(unbuf, &consumers)

	buffered := make(chan []byte, 4)
	go produceBuffered(buffered, stop)
	consumers.Add(1)
	go consumeBuffered(buffered, &consumers)

	a, b, c := make(chan int), make(chan int), make(chan int)
	go ticker(a, 1*time.Millisecond, stop)
	go ticker(b, 3*time.Millisecond, stop)
	go ticker(c, 7*time.Millisecond, stop)
	fans.Add(1)
	go fanIn(a, b, c, stop, &fans)

	reqs := make(chan request)
	go server(reqs)
	for i := 0; i < 3; i++ {
		clients.Add(1)
		go client(reqs, stop, &clients)
	}

	for s.Running() {
		batch(4)
		time.Sleep(10 * time.Millisecond)
	}

	close(stop)
	clients.Wait()
	close(reqs)
	fans.Wait()
	// drain producers' final sends so consumers see the closes
	consumers.Wait()

	s.Finish()
}
