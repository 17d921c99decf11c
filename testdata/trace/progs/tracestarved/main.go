// tracestarved: workloads/starved (GOMAXPROCS=1, three CPU-bound goroutines in
// main.spin, an HTTP server on 127.0.0.1 the program drives itself) with a CPU profile
// of the same run beside the trace, as a capture would hold them.
// Usage: tracestarved DIR (writes DIR/trace.out and DIR/cpu.pb.gz).
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
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

func create(dir, name string) *os.File {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	return f
}

func main() {
	runtime.GOMAXPROCS(1)
	dir := os.Args[1]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})}
	go srv.Serve(ln)
	tf, cf := create(dir, "trace.out"), create(dir, "cpu.pb.gz")
	if err := pprof.StartCPUProfile(cf); err != nil {
		panic(err)
	}
	if err := trace.Start(tf); err != nil {
		panic(err)
	}
	var stop atomic.Bool
	for i := 0; i < 3; i++ {
		go spin(&stop)
	}
	url := "http://" + ln.Addr().String() + "/"
	client := &http.Client{}
	deadline := time.Now().Add(1200 * time.Millisecond)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	stop.Store(true)
	trace.Stop()
	pprof.StopCPUProfile()
	tf.Close()
	cf.Close()
}
