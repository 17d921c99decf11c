// healthy: an HTTP service on 127.0.0.1 under modest load (four clients, a request
// every 5 ms each), default GOMAXPROCS; each request is a task with a short region of
// work. No CPU hog, little garbage, no slow peer: diagnose must find nothing above info.
// Writes an execution trace to os.Args[1].
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

var (
	mu     sync.Mutex
	prices = map[string]int{"apple": 3, "pear": 4, "plum": 2}
)

func quote(ctx context.Context, item string) int {
	var p int
	trace.WithRegion(ctx, "lookup", func() {
		mu.Lock()
		p = prices[item]
		mu.Unlock()
		for i := 0; i < 2000; i++ { // a little real work
			p = (p*31 + i) % 1000003
		}
	})
	return p
}

func handler(w http.ResponseWriter, r *http.Request) {
	ctx, task := trace.NewTask(r.Context(), "quote")
	p := quote(ctx, r.URL.Query().Get("item"))
	task.End()
	json.NewEncoder(w).Encode(map[string]int{"price": p})
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(handler), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	url := "http://" + ln.Addr().String() + "/?item=pear"
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{}
			for time.Now().Before(deadline) {
				resp, err := client.Get(url)
				if err != nil {
					panic(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	trace.Stop()
	f.Close()
	fmt.Fprintln(os.Stderr, "done")
}
