package main

import (
	"crypto/sha1"
	"encoding/hex"
	"sort"
	"strings"
	"sync"
	"time"
)

// alert is one notification as the pipeline sends it (Alertmanager-like).
type alert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`

	Fingerprint string    `json:"fingerprint"`
	Received    time.Time `json:"received"`
	AckedBy     string    `json:"acked_by,omitempty"`
}

type counts struct {
	BySeverity map[string]int `json:"by_severity"`
	ByTeam     map[string]int `json:"by_team"`
	Firing     int            `json:"firing"`
	Resolved   int            `json:"resolved"`
}

// feed keeps the newest alerts for the dashboard plus running counts.
type feed struct {
	mu     sync.RWMutex
	limit  int
	recent []alert // oldest first
	counts counts
	acks   map[string]string // fingerprint -> who
}

func newFeed(limit int) *feed {
	return &feed{
		limit:  limit,
		counts: counts{BySeverity: map[string]int{}, ByTeam: map[string]int{}},
		acks:   map[string]string{},
	}
}

func fingerprint(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha1.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0xff})
		h.Write([]byte(labels[k]))
		h.Write([]byte{0xff})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// add stores a batch from the pipeline; when the feed is full the older half
// is dropped in one go (cheaper than shifting on every alert).
func (f *feed) add(batch []alert) int {
	now := time.Now().UTC()
	for i := range batch {
		batch[i].Fingerprint = fingerprint(batch[i].Labels)
		batch[i].Received = now
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range batch {
		f.counts.BySeverity[strings.ToLower(a.Labels["severity"])]++
		f.counts.ByTeam[a.Labels["team"]]++
		if a.Status == "resolved" {
			f.counts.Resolved++
		} else {
			f.counts.Firing++
		}
		if who, ok := f.acks[a.Fingerprint]; ok {
			a.AckedBy = who
		}
	}
	f.recent = append(f.recent, batch...)
	if len(f.recent) == f.limit {
		f.recent = append([]alert(nil), f.recent[f.limit/2:]...)
	}
	return len(f.recent)
}

func (f *feed) length() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.recent)
}

// newest returns up to n alerts, newest first, optionally of one team.
func (f *feed) newest(n int, team string) []alert {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]alert, 0, n)
	for i := len(f.recent) - 1; i >= 0 && len(out) < n; i-- {
		if team != "" && f.recent[i].Labels["team"] != team {
			continue
		}
		out = append(out, f.recent[i])
	}
	return out
}

func (f *feed) summary() counts {
	f.mu.RLock()
	defer f.mu.RUnlock()
	c := counts{BySeverity: map[string]int{}, ByTeam: map[string]int{}, Firing: f.counts.Firing, Resolved: f.counts.Resolved}
	for k, v := range f.counts.BySeverity {
		c.BySeverity[k] = v
	}
	for k, v := range f.counts.ByTeam {
		c.ByTeam[k] = v
	}
	return c
}

func (f *feed) ack(fp, who string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.acks[fp] = who
	if len(f.acks) > 10000 {
		f.acks = map[string]string{fp: who}
	}
}
