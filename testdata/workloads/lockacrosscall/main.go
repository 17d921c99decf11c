// lockacrosscall holds an RWMutex write lock across an HTTP round trip while readers
// queue for the read lock, and writes two goroutine snapshots (file names as args):
//   1. goroutine?debug=1 while the round trip is in flight: the readers parked in
//      RLock, and the holder inside main.(*priceCache).refresh in net/http's client;
//   2. goroutine?debug=2 right after the write lock is released, before the readers
//      run (GOMAXPROCS=1, no system call in between): every reader is runnable at
//      the read lock's semaphore, and nobody holds the lock any more.
package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

const readers = 6

type priceCache struct {
	mu     sync.RWMutex
	prices map[string]int
	url    string
}

// refresh keeps the write lock for the whole HTTP call.
func (c *priceCache) refresh() {
	c.mu.Lock()
	defer c.mu.Unlock()
	resp, err := http.Get(c.url)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	c.prices["eur"]++
}

func (c *priceCache) current(k string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.prices[k]
}

func main() {
	runtime.GOMAXPROCS(1)
	// Opened first: no system call may come between the Unlock and the second snapshot.
	debug1, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	debug2, err := os.Create(os.Args[2])
	if err != nil {
		panic(err)
	}
	entered := make(chan struct{})
	release := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			entered <- struct{}{}
			<-release
			_, _ = w.Write([]byte("ok"))
		}))
	}()
	c := &priceCache{prices: map[string]int{}, url: "http://" + ln.Addr().String()}
	done := make(chan struct{})
	go func() {
		c.refresh()
		_ = pprof.Lookup("goroutine").WriteTo(debug2, 2)
		close(done)
	}()
	<-entered
	for i := 0; i < readers; i++ {
		go func() { _ = c.current("eur") }()
	}
	time.Sleep(200 * time.Millisecond) // every reader reaches RLock and parks
	_ = pprof.Lookup("goroutine").WriteTo(debug1, 1)
	close(release)
	<-done
	_ = debug1.Close()
	_ = debug2.Close()
}
