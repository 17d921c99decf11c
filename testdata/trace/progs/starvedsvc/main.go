// starvedsvc: a live HTTP service with net/http/pprof, for capture-then-diagnose tests.
// GOMAXPROCS=1 and three background goroutines that re-index without end in
// main.rebuildIndex (CPU-bound, never blocking) while four clients of its own call
// /item: the handlers wait for the one P. With -healthy the re-indexing is off (the
// same service under the same load, as a control).
// Prints "listening on http://ADDR" first, then serves until -seconds pass.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime"
	"sync/atomic"
	"time"
)

var indexVersion atomic.Uint64

// rebuildIndex hashes the catalogue over and over (asynchronous preemption still applies).
func rebuildIndex() {
	x := uint64(1)
	for {
		for i := 0; i < 1e6; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		indexVersion.Store(x)
	}
}

func handleItem(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]uint64{"id": 7, "index": indexVersion.Load()})
}

func main() {
	secs := flag.Float64("seconds", 20, "run time")
	healthy := flag.Bool("healthy", false, "no re-indexing")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	http.HandleFunc("/item", handleItem)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String()
	fmt.Printf("listening on %s\n", url)
	if !*healthy {
		for i := 0; i < 3; i++ {
			go rebuildIndex()
		}
	}
	// One keep-alive connection per client (the default keeps only 2 idle per host).
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	for c := 0; c < 4; c++ {
		go func() {
			for {
				resp, err := client.Get(url + "/item")
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	time.Sleep(time.Duration(*secs * float64(time.Second)))
}
