// starved: GOMAXPROCS=1; CPU-bound goroutines compete with an HTTP server on
// 127.0.0.1 that the program drives itself, so handler goroutines wait runnable
// (scheduler latency) behind long runs. Writes an execution trace to os.Args[1].
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/trace"
	"sync/atomic"
	"time"
)

var sink uint64

// spin burns CPU without yielding explicitly (asynchronous preemption still applies).
func spin(stop *atomic.Bool) {
	x := uint64(1)
	for !stop.Load() {
		for i := 0; i < 1e6; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		atomic.AddUint64(&sink, x)
	}
}

func main() {
	runtime.GOMAXPROCS(1)
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})}
	go srv.Serve(ln)
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	var stop atomic.Bool
	for i := 0; i < 3; i++ {
		go spin(&stop)
	}
	url := "http://" + ln.Addr().String() + "/"
	client := &http.Client{}
	deadline := time.Now().Add(1200 * time.Millisecond)
	n := 0
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		n++
	}
	stop.Store(true)
	trace.Stop()
	f.Close()
	fmt.Fprintln(os.Stderr, "requests", n)
}
