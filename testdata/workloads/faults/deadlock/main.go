// deadlock: a partial deadlock by lock-order inversion. main.transferFunds locks
// accountsMu then ledgerMu; main.auditLedger locks ledgerMu then accountsMu. Once
// one of each runs concurrently, both hold one lock and wait forever for the other;
// every later /transfer and /audit request then blocks in sync.(*Mutex).Lock too,
// while /health (which takes neither lock) keeps working.
package main

import (
	"io"
	"net/http"
	"sync"
	"time"

	"godiag.test/workloads/internal/faultserver"
)

var (
	accountsMu sync.Mutex
	ledgerMu   sync.Mutex
	balances   = map[string]int{"alice": 100, "bob": 100}
	ledger     []string
)

// transferFunds takes accountsMu, then ledgerMu.
//
//go:noinline
func transferFunds(from, to string, amount int) {
	accountsMu.Lock()
	defer accountsMu.Unlock()
	balances[from] -= amount
	balances[to] += amount
	time.Sleep(5 * time.Millisecond) // validation work while holding accountsMu
	ledgerMu.Lock()
	defer ledgerMu.Unlock()
	ledger = append(ledger, from+"->"+to)
}

// auditLedger takes ledgerMu, then accountsMu: the inverted order.
//
//go:noinline
func auditLedger() int {
	ledgerMu.Lock()
	defer ledgerMu.Unlock()
	n := len(ledger)
	time.Sleep(5 * time.Millisecond) // reading the ledger while holding ledgerMu
	accountsMu.Lock()
	defer accountsMu.Unlock()
	return n + balances["alice"]
}

func main() {
	s := faultserver.New("deadlock", "lock-order inversion: main.transferFunds (accountsMu, ledgerMu) vs main.auditLedger (ledgerMu, accountsMu)")
	s.Mux.HandleFunc("/transfer", func(w http.ResponseWriter, r *http.Request) {
		transferFunds("alice", "bob", 1)
		_, _ = io.WriteString(w, "ok\n")
	})
	s.Mux.HandleFunc("/audit", func(w http.ResponseWriter, r *http.Request) {
		auditLedger()
		_, _ = io.WriteString(w, "ok\n")
	})
	s.Mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	s.Serve()
	// Clients give up after 200 ms; the server-side handlers stay blocked.
	paths := []string{"/transfer", "/audit", "/health"}
	s.Run(func() {
		s.Drive(faultserver.Load{
			Clients: len(paths),
			Pause:   50 * time.Millisecond,
			Client:  &http.Client{Timeout: 200 * time.Millisecond},
			Request: func(cl *http.Client, c, _ int) (*http.Response, error) { return cl.Get(s.URL + paths[c]) },
		})
	})
}
