// memlimit: the service keeps a ~48 MiB pointer-rich dataset live while
// capture.json sets GOMEMLIMIT=40MiB. The heap can never get under the limit, so
// the GC runs back to back at the limit (until the runtime's 50 % GC CPU limiter
// caps it): godiag gc must report GOMEMLIMIT thrash.
package main

import (
	"net/http"
	"strconv"
	"time"

	"godiag.test/workloads/internal/faultserver"
)

type record struct {
	next  *record
	key   *string
	value []byte
}

var dataset []*record

// loadDataset is the injected fault: a live heap larger than GOMEMLIMIT.
//
//go:noinline
func loadDataset(n int) []*record {
	out := make([]*record, n)
	var prev *record
	for i := range out {
		k := strconv.Itoa(i)
		r := &record{next: prev, key: &k, value: make([]byte, 64)}
		out[i] = r
		prev = r
	}
	return out
}

//go:noinline
func handleQuery(w http.ResponseWriter, r *http.Request) {
	buf := make([]byte, 0, 4096)
	for i := 0; i < 32; i++ {
		rec := dataset[(i*7919)%len(dataset)]
		buf = append(buf, *rec.key...)
		buf = append(buf, ' ')
	}
	_, _ = w.Write(buf)
}

func main() {
	s := faultserver.New("memlimit", "loadDataset keeps a live heap above GOMEMLIMIT")
	dataset = loadDataset(400_000)
	s.Mux.HandleFunc("/query", handleQuery)
	s.Serve()
	s.Run(func() { s.Drive(faultserver.Load{Clients: 2, Path: "/query", Pause: time.Millisecond}) })
}
