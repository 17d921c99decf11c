// parkedleak prints one goroutine?debug=2 dump of a process with three groups of
// goroutines parked on other goroutines:
//   - a pool of workers started together at start-up (main.startPool), idle in a
//     channel receive: healthy;
//   - a watcher (main.watch) started by one request in twenty, over 400 requests
//     that each run in their own goroutine and finish: every watcher waits in a
//     select nobody will ever complete, so each one outlives its request (the leak);
//   - a pump (main.pump) per open event stream: an HTTP handler (main.handleStream)
//     starts it and waits until its client goes away, with short requests on fresh
//     connections between the streams: healthy, its request is still being served.
//
// The dump is written once every short request has returned.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

const (
	requests   = 400
	watchEvery = 20
	poolSize   = requests / watchEvery // as many workers as leaked watchers
	streams    = 8
)

// started: every pool worker and watcher has begun waiting before the dump is taken (on a
// loaded machine a goroutine just created may not have run yet, and would not be parked).
var started sync.WaitGroup

func startPool(jobs chan int) {
	for i := 0; i < poolSize; i++ {
		started.Add(1)
		go worker(jobs)
	}
}

func worker(jobs chan int) {
	started.Done()
	for range jobs {
	}
}

// handle is one request: some take a watcher that never ends.
func handle(i int, never chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	if i%watchEvery == 0 {
		started.Add(1)
		go watch(never)
	}
}

func watch(never chan struct{}) {
	started.Done()
	select {
	case <-never:
	case <-never:
	}
}

var opened = make(chan struct{})

func handleStream(w http.ResponseWriter, r *http.Request) {
	events := make(chan string)
	go pump(r, events)
	opened <- struct{}{}
	<-r.Context().Done()
}

func pump(r *http.Request, events chan string) {
	select {
	case <-events:
	case <-r.Context().Done():
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

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/stream", handleStream)
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {})
	go func() { _ = http.Serve(ln, mux) }()
	base := "http://" + ln.Addr().String()
	short := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for s := 0; s < streams; s++ {
		go func() {
			resp, err := http.Get(base + "/stream")
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
			}
		}()
		<-opened
		for i := 0; i < 20; i++ {
			resp, err := short.Get(base + "/short")
			if err != nil {
				panic(fmt.Sprint("short request: ", err))
			}
			_ = resp.Body.Close()
		}
	}
	started.Wait()
	time.Sleep(100 * time.Millisecond) // the short connections' goroutines end
	_ = pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
