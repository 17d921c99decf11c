// healthy is the control: a small JSON API with every server timeout set,
// bounded work per request, pooled buffers and a client that reuses
// connections. godiag must report nothing above info on it.
package main

import (
	"bytes"
	"encoding/json"
	"io"
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
	s.Run(func() {
		// A modest, paced load from 4 clients sharing one keep-alive transport.
		client := &http.Client{Timeout: 5 * time.Second}
		var wg sync.WaitGroup
		for c := 0; c < 4; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for s.Running() {
					resp, err := client.Get(s.URL + "/item")
					if err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
					time.Sleep(2 * time.Millisecond)
				}
			}()
		}
		wg.Wait()
	})
}
