// bodyleak calls a local HTTP server from main.fetchStatus. In "leak" mode 6 of the
// calls keep their response without reading or closing the body, so those 6
// connections stay out of the pool: each one's readLoop goroutine waits for its body
// (net/http/transport.go, waitForBodyRead) for as long as the process runs. In
// "closed" mode every body is read and closed (the same calls, no leak).
//
//	go run . OUTDIR leak|closed
//
// Writes OUTDIR/g1.txt and OUTDIR/g2.txt (goroutine?debug=2, one second apart, with
// well-behaved calls in between) and OUTDIR/allocs.pprof.
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
	"time"
)

const leaked = 6

var held []*http.Response

var client = &http.Client{Timeout: 30 * time.Second}

// fetchStatus asks the server for a status; keep leaves the body unread and open.
func fetchStatus(url string, keep bool) {
	resp, err := client.Get(url)
	if err != nil {
		panic(err)
	}
	if keep {
		held = append(held, resp)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func dump(path string) {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
	f.Close()
}

func main() {
	runtime.MemProfileRate = 1
	dir, mode := os.Args[1], os.Args[2]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "status: ok")
	}))
	url := "http://" + ln.Addr().String() + "/status"
	for i := 0; i < 50; i++ {
		fetchStatus(url, mode == "leak" && i%8 == 0 && len(held) < leaked)
	}
	time.Sleep(100 * time.Millisecond)
	dump(filepath.Join(dir, "g1.txt"))
	for end := time.Now().Add(time.Second); time.Now().Before(end); {
		fetchStatus(url, false)
		time.Sleep(20 * time.Millisecond)
	}
	dump(filepath.Join(dir, "g2.txt"))
	f, err := os.Create(filepath.Join(dir, "allocs.pprof"))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		panic(err)
	}
	f.Close()
}
