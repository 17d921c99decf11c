// A service whose goroutines block for minutes: the source of real goroutine
// dumps that print wait minutes ("[chan receive, 3 minutes]").
package main

import (
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime"
	"sync"
	"time"
)

var (
	mu   sync.Mutex
	jobs = make(chan int)
)

func waitForJob(id int) {
	<-jobs
	_ = id
}

func main() {
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("waitsvc listening on %s", ln.Addr())
	for i := 0; i < 10; i++ {
		go waitForJob(i)
	}
	// More waiters every 30 s, so waits differ; GC every 5 s stamps their wait start.
	go func() {
		for i := 10; ; i++ {
			time.Sleep(30 * time.Second)
			for k := 0; k < 5; k++ {
				go waitForJob(i*10 + k)
			}
		}
	}()
	go func() {
		for {
			time.Sleep(5 * time.Second)
			mu.Lock()
			_ = make([]byte, 1<<20)
			mu.Unlock()
			runtime.GC()
		}
	}()
	log.Fatal(http.Serve(ln, nil))
}
