// keptbytes: one HTTP service, three ways of keeping what requests allocate, for the
// heap-growth rule on a single heap moment (src/diagnose/rules/heap-retained.ts).
// Every request renders a ~4 KB quote body; what happens to the body depends on -mode:
//
//	leak     quoteStore.put keeps a copy under a key that never repeats, nothing evicts:
//	         the live heap grows with every request (the fault).
//	lru      quoteStore.put keeps a copy in an LRU bounded to -entries entries: once full,
//	         every insert evicts the oldest; the heap is big and flat (healthy).
//	startup  main loads -entries quotes at start-up, requests only read them (healthy).
//	lazy     the first request loads them through sync.Once, requests only read (healthy).
//
// It drives its own load (-clients goroutines calling /quote in a loop) and serves
// /debug/pprof/ for curl-like fetches and /debug/vars ("quotes": requests answered).
// Prints "listening on http://ADDR" first.
package main

import (
	"container/list"
	"expvar"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const bodyBytes = 4096

// served counts answered quotes (/debug/vars "quotes"): a test waits on it, it is not part of a capture.
var served = expvar.NewInt("quotes")

type entry struct {
	key  int64
	body []byte
}

// quoteStore keeps quotes: unbounded (leak), or an LRU of at most max entries.
type quoteStore struct {
	mu    sync.Mutex
	max   int // 0 = unbounded
	byKey map[int64]*list.Element
	order *list.List
}

func newStore(max int) *quoteStore {
	return &quoteStore{max: max, byKey: map[int64]*list.Element{}, order: list.New()}
}

// put keeps a private copy of body under key.
//
//go:noinline
func (s *quoteStore) put(key int64, body []byte) {
	cp := make([]byte, len(body))
	copy(cp, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byKey[key] = s.order.PushFront(&entry{key: key, body: cp})
	for s.max > 0 && s.order.Len() > s.max {
		old := s.order.Back()
		s.order.Remove(old)
		delete(s.byKey, old.Value.(*entry).key)
	}
}

func (s *quoteStore) get(key int64) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byKey[key]; ok {
		return e.Value.(*entry).body, true
	}
	return nil, false
}

// render builds a fresh quote body: per-request garbage.
//
//go:noinline
func render(key int64) []byte {
	b := make([]byte, 0, bodyBytes)
	for len(b) < bodyBytes-24 {
		b = strconv.AppendInt(b, key, 10)
		b = append(b, ' ')
	}
	return b
}

// loadQuotes fills the store at start-up (mode startup).
//
//go:noinline
func loadQuotes(s *quoteStore, n int) {
	for i := 0; i < n; i++ {
		s.put(int64(i), render(int64(i)))
	}
}

func main() {
	mode := flag.String("mode", "leak", "leak | lru | startup | lazy")
	entries := flag.Int("entries", 4096, "lru: the bound; startup: quotes loaded")
	clients := flag.Int("clients", 4, "load goroutines")
	pause := flag.Duration("pause", 200*time.Microsecond, "pause between one client's requests")
	flag.Parse()

	var store *quoteStore
	switch *mode {
	case "leak":
		store = newStore(0)
	case "lru":
		store = newStore(*entries)
	case "startup":
		store = newStore(0)
		loadQuotes(store, *entries)
	case "lazy":
		store = newStore(0)
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
	var seq atomic.Int64
	var once sync.Once
	http.HandleFunc("/quote", func(w http.ResponseWriter, r *http.Request) {
		defer served.Add(1)
		if *mode == "lazy" {
			once.Do(func() { loadQuotes(store, *entries) })
		}
		if *mode == "startup" || *mode == "lazy" {
			body, _ := store.get(seq.Add(1) % int64(*entries))
			_, _ = w.Write(body)
			return
		}
		key := seq.Add(1)
		body := render(key)
		store.put(key, body)
		_, _ = w.Write(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	fmt.Printf("listening on %s\n", url)
	go func() { log.Fatal(http.Serve(ln, nil)) }()

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients}}
	for c := 0; c < *clients; c++ {
		go func() {
			for {
				if resp, err := client.Get(url + "/quote"); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				time.Sleep(*pause)
			}
		}()
	}
	select {}
}
