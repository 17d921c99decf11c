// healthy is the control: a small JSON API with every server timeout set,
// bounded work per request, pooled buffers and a client that reuses
// connections. godiag must report nothing above info on it.
package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"godiag.test/workloads/internal/faultserver"
)

type item struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

var (
	mu    sync.Mutex
	items = map[int]item{}
)

//go:noinline
func handleItem(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	n := len(items)
	it := items[n%64]
	mu.Unlock()
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	_ = json.NewEncoder(buf).Encode(it)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
	bufPool.Put(buf)
}

func main() {
	s := faultserver.New("healthy", "none")
	for i := 0; i < 64; i++ {
		items[i] = item{ID: i, Name: "item", Price: float64(i) * 1.5}
	}
	s.Mux.HandleFunc("/item", handleItem)
	s.Serve()
	// A modest, paced load from 4 clients sharing one keep-alive transport.
	s.Run(func() { s.Drive(faultserver.Load{Clients: 4, Path: "/item", Pause: 2 * time.Millisecond}) })
}
