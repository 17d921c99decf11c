// heapgrowth: every request stores its rendered response in a global map that
// is never evicted. The live heap grows cycle after cycle: godiag gc must report
// heap growth and name cacheResponse as the site whose in-use space grows.
package main

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"godiag.test/workloads/internal/faultserver"
)

var (
	cacheMu sync.Mutex
	cache   = map[int64][]byte{}
	reqSeq  atomic.Int64
)

// cacheResponse is the injected fault: an unbounded cache keyed by a request id
// that never repeats.
//
//go:noinline
func cacheResponse(id int64, body []byte) {
	cp := make([]byte, len(body))
	copy(cp, body)
	cacheMu.Lock()
	cache[id] = cp
	cacheMu.Unlock()
}

func handlePage(w http.ResponseWriter, r *http.Request) {
	id := reqSeq.Add(1)
	body := make([]byte, 0, 2048)
	for len(body) < 2000 {
		body = strconv.AppendInt(body, id, 10)
		body = append(body, ' ')
	}
	cacheResponse(id, body)
	_, _ = w.Write(body)
}

func main() {
	s := faultserver.New("heapgrowth", "cacheResponse stores every response in a map that is never evicted")
	s.Mux.HandleFunc("/page", handlePage)
	s.Serve()
	s.Run(func() { s.Drive(faultserver.Load{Clients: 4, Path: "/page", Pause: 500 * time.Microsecond}) })
}
