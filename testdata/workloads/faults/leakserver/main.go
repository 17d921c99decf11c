// leakserver: a goroutine leak. Each /order request hands its audit record to
// main.notifyAudit in a new goroutine and waits for the result for at most 5 ms;
// when the audit is slower, the handler gives up and returns, and notifyAudit
// blocks forever sending on the unbuffered channel nobody reads any more. The
// leaked goroutines (chan send, created by main.handleOrder) grow with requests.
package main

import (
	"io"
	"net/http"
	"sync"
	"time"

	"godiag.test/workloads/internal/faultserver"
)

type auditRecord struct {
	id   int
	path string
}

var (
	mu   sync.Mutex
	next int
)

// notifyAudit writes the record to the (slow) audit log and reports the result.
// The fault: done is unbuffered, so when the caller has timed out the send never completes.
//
//go:noinline
func notifyAudit(done chan error, rec auditRecord) {
	time.Sleep(time.Duration(2+rec.id%10) * time.Millisecond) // the audit backend: 2-11 ms
	done <- nil
}

//go:noinline
func handleOrder(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	next++
	rec := auditRecord{id: next, path: r.URL.Path}
	mu.Unlock()
	done := make(chan error) // unbuffered: the bug
	go notifyAudit(done, rec)
	select {
	case <-done:
		_, _ = io.WriteString(w, "ok\n")
	case <-time.After(5 * time.Millisecond):
		http.Error(w, "audit timeout", http.StatusGatewayTimeout)
	}
}

func main() {
	s := faultserver.New("leakserver", "goroutine leak: main.notifyAudit blocked forever in chan send")
	s.Mux.HandleFunc("/order", handleOrder)
	s.Serve()
	// Two paced clients: about 80 requests/s, about half of them leak a goroutine.
	s.Run(func() { s.Drive(faultserver.Load{Clients: 2, Path: "/order", Pause: 20 * time.Millisecond}) })
}
