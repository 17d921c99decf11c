package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

type Event struct {
	ID        string                 `json:"id"`
	Tenant    string                 `json:"tenant"`
	Type      string                 `json:"type"`
	Actor     string                 `json:"actor"`
	Timestamp time.Time              `json:"ts"`
	Attrs     map[string]interface{} `json:"attrs,omitempty"`
	Digest    string                 `json:"digest,omitempty"`
}

var allowedTypes = map[string]bool{
	"login": true, "logout": true, "page_view": true, "purchase": true,
	"refund": true, "settings_changed": true, "api_call": true, "export": true,
}

func (e *Event) validate() error {
	switch {
	case e.ID == "":
		return errors.New("id is required")
	case e.Tenant == "":
		return errors.New("tenant is required")
	case !allowedTypes[e.Type]:
		return fmt.Errorf("unknown type %q", e.Type)
	case e.Timestamp.IsZero():
		return errors.New("ts is required")
	}
	return nil
}

// seal computes the tamper-evidence digest over the canonical encoding,
// chained to the digest of the previous event of the batch.
func seal(e *Event, prev string) error {
	e.Digest = ""
	canon, err := json.Marshal(e)
	if err != nil {
		return err
	}
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(canon)
	for i := 0; i < 32; i++ {
		sum := h.Sum(nil)
		h.Reset()
		h.Write(sum)
		h.Write(canon)
	}
	e.Digest = hex.EncodeToString(h.Sum(nil))
	return nil
}

type batchSummary struct {
	Accepted int            `json:"accepted"`
	Archived int            `json:"archivedBytes"`
	Rejected []string       `json:"rejected,omitempty"`
	ByType   map[string]int `json:"byType"`
	Head     string         `json:"head"`
	Span     string         `json:"span"`
}

func processBatch(events []Event) ([]Event, batchSummary, error) {
	sum := batchSummary{ByType: map[string]int{}}
	ok := events[:0]
	for _, e := range events {
		if err := e.validate(); err != nil {
			sum.Rejected = append(sum.Rejected, e.ID+": "+err.Error())
			continue
		}
		e.Type = strings.ToLower(e.Type)
		ok = append(ok, e)
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].Timestamp.Before(ok[j].Timestamp) })
	prev := ""
	for i := range ok {
		if err := seal(&ok[i], prev); err != nil {
			return nil, sum, err
		}
		prev = ok[i].Digest
		sum.ByType[ok[i].Type]++
	}
	sum.Accepted = len(ok)
	sum.Head = prev
	n, err := archive(ok)
	if err != nil {
		return nil, sum, err
	}
	sum.Archived = n
	if len(ok) > 0 {
		sum.Span = ok[len(ok)-1].Timestamp.Sub(ok[0].Timestamp).String()
	}
	return ok, sum, nil
}

var gzPool = sync.Pool{New: func() interface{} {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return w
}}

// archive compresses the sealed batch as JSON lines for cold storage and
// returns the compressed size.
func archive(evs []Event) (int, error) {
	var buf bytes.Buffer
	zw := gzPool.Get().(*gzip.Writer)
	defer gzPool.Put(zw)
	zw.Reset(&buf)
	enc := json.NewEncoder(zw)
	for i := range evs {
		if err := enc.Encode(&evs[i]); err != nil {
			return 0, err
		}
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return buf.Len(), nil
}

// journal keeps the most recently sealed batches for the audit UI.
type journal struct {
	mu      sync.RWMutex
	batches [][]Event
	next    int
	total   int
}

func newJournal(size int) *journal { return &journal{batches: make([][]Event, 0, size)} }

func (j *journal) append(evs []Event) {
	if len(evs) == 0 {
		return
	}
	j.mu.Lock()
	if len(j.batches) < cap(j.batches) {
		j.batches = append(j.batches, evs)
	} else {
		j.batches[j.next] = evs
		j.next = (j.next + 1) % cap(j.batches)
	}
	j.total += len(evs)
	j.mu.Unlock()
}

func (j *journal) latest(n int) [][]Event {
	j.mu.RLock()
	defer j.mu.RUnlock()
	out := make([][]Event, 0, n)
	size := len(j.batches)
	for k := 1; k <= size && len(out) < n; k++ {
		out = append(out, j.batches[(j.next-k+size)%size])
	}
	return out
}

func (j *journal) recent(tenant string, limit int) []Event {
	out := make([]Event, 0, limit)
	for _, b := range j.latest(20) {
		for i := len(b) - 1; i >= 0 && len(out) < limit; i-- {
			if tenant == "" || b[i].Tenant == tenant {
				out = append(out, b[i])
			}
		}
		if len(out) == limit {
			break
		}
	}
	return out
}

// tenantStats are per-tenant counters for the billing export.
type tenantStats struct {
	mu     sync.Mutex
	counts map[string]map[string]int
}

func (s *tenantStats) add(tenant string, byType map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.counts[tenant]
	if m == nil {
		if len(s.counts) >= 1000 {
			return
		}
		m = map[string]int{}
		s.counts[tenant] = m
	}
	for t, n := range byType {
		m[t] += n
	}
}

func (s *tenantStats) get(tenant string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.counts[tenant] {
		out[k] = v
	}
	return out
}
