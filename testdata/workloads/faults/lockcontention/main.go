// lockcontention: every request updates a shared session registry under one
// global sync.Mutex and does its expensive work (hashing the whole session)
// while still holding the lock, so concurrent requests queue on the mutex.
// The fault is main.(*registry).touch holding mu across the hash.
package main

import (
	"crypto/sha256"
	"fmt"
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
		s.Drive(faultserver.Load{
			Clients: 16,
			Client:  &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
			Request: func(cl *http.Client, c, i int) (*http.Response, error) {
				return cl.Get(fmt.Sprintf("%s/visit?s=user%d", s.URL, (c*7+i)%32))
			},
		})
	})
}
