package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"time"
)

type endpoint struct {
	ID      string   `json:"id"`
	Account string   `json:"account"`
	URL     string   `json:"url"`
	Events  []string `json:"events"` // empty: every type
	Secret  string   `json:"-"`
	Enabled bool     `json:"enabled"`
}

func (e endpoint) wants(typ string) bool {
	if len(e.Events) == 0 {
		return true
	}
	for _, t := range e.Events {
		if t == typ {
			return true
		}
	}
	return false
}

type registry struct {
	mu        sync.RWMutex
	byAccount map[string][]endpoint
	seq       int
}

func newRegistry() *registry {
	return &registry{byAccount: make(map[string][]endpoint)}
}

func secretFor(id string) string {
	h := sha256.Sum256([]byte("whsec|" + id))
	return "whsec_" + hex.EncodeToString(h[:12])
}

func (r *registry) add(account, url string, events []string) endpoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	id := "we_" + strconv.Itoa(r.seq)
	ep := endpoint{ID: id, Account: account, URL: url, Events: events, Secret: secretFor(id), Enabled: true}
	r.byAccount[account] = append(r.byAccount[account], ep)
	return ep
}

func (r *registry) forAccount(account string) []endpoint {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]endpoint(nil), r.byAccount[account]...)
}

// seedDemo registers the demo tenants used by the staging environment.
func (r *registry) seedDemo(base string, accounts int) {
	for i := 1; i <= accounts; i++ {
		acct := fmt.Sprintf("acct_%d", i)
		r.add(acct, fmt.Sprintf("%s/hooks/%s/billing", base, acct), []string{"invoice.paid", "invoice.payment_failed", "subscription.updated"})
		if i%3 == 0 {
			r.add(acct, fmt.Sprintf("%s/hooks/%s/crm", base, acct), nil)
		}
	}
}

// deliveryLog keeps the most recent attempts for the dashboard.
type deliveryLog struct {
	mu   sync.Mutex
	max  int
	rows []logRow
}

type logRow struct {
	At      time.Time      `json:"at"`
	Event   string         `json:"event"`
	Account string         `json:"account"`
	Result  deliveryResult `json:"result"`
}

func newDeliveryLog(max int) *deliveryLog { return &deliveryLog{max: max} }

func (l *deliveryLog) add(row logRow) {
	l.mu.Lock()
	l.rows = append(l.rows, row)
	if len(l.rows) > l.max {
		l.rows = append([]logRow(nil), l.rows[len(l.rows)-l.max/2:]...)
	}
	l.mu.Unlock()
}

func (l *deliveryLog) recent(account string, n int) []logRow {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logRow
	for i := len(l.rows) - 1; i >= 0 && len(out) < n; i-- {
		if account == "" || l.rows[i].Account == account {
			out = append(out, l.rows[i])
		}
	}
	return out
}
