// lockcontention: every request updates a shared session registry under one
// global sync.Mutex and does its expensive work (hashing the whole session)
// while still holding the lock, so concurrent requests queue on the mutex.
// The fault is main.(*registry).touch holding mu across the hash.
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"godiag.test/workloads/internal/faultserver"
)

type session struct {
	id    string
	data  []byte
	seen  int
	token [32]byte
}

type registry struct {
	mu       sync.Mutex
	sessions map[string]*session
}

var reg = &registry{sessions: map[string]*session{}}

// touch records a visit. The bug: the SHA-256 over the session data runs with
// the registry lock held, serialising every request behind it.
//
//go:noinline
func (r *registry) touch(id string) [32]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.sessions[id]
	if !ok {
		s = &session{id: id, data: make([]byte, 64<<10)}
		r.sessions[id] = s
	}
	s.seen++
	s.data[s.seen%len(s.data)]++
	s.token = sha256.Sum256(s.data)
	return s.token
}

func handleVisit(w http.ResponseWriter, req *http.Request) {
	tok := reg.touch(req.URL.Query().Get("s"))
	fmt.Fprintf(w, "%x\n", tok[:4])
}

func main() {
	s := faultserver.New("lockcontention", "mutex-contention")
	s.Mux.HandleFunc("/visit", handleVisit)
	s.Serve()
	s.Run(func() {
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		var wg sync.WaitGroup
		for c := 0; c < 16; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for i := 0; s.Running(); i++ {
					resp, err := client.Get(fmt.Sprintf("%s/visit?s=user%d", s.URL, (c*7+i)%32))
					if err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}(c)
		}
		wg.Wait()
	})
}
