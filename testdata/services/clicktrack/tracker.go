package main

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"
)

// Click is one ad click as received from the edge.
type Click struct {
	ID       string    `json:"id"`
	Campaign string    `json:"campaign"`
	Ad       string    `json:"ad"`
	User     string    `json:"user,omitempty"`
	Referrer string    `json:"referrer,omitempty"`
	At       time.Time `json:"at"`
}

// CampaignStats are the live counters kept for one campaign.
type CampaignStats struct {
	Campaign    string    `json:"campaign"`
	Clicks      int64     `json:"clicks"`
	UniqueUsers int       `json:"uniqueUsers"`
	LastClick   time.Time `json:"lastClick"`
	TopAd       string    `json:"topAd"`
}

type campaign struct {
	clicks int64
	users  map[string]struct{}
	ads    map[string]int64
	last   time.Time
}

// Tracker keeps per-campaign counters and hands clicks to the journal.
type Tracker struct {
	mu        sync.Mutex
	campaigns map[string]*campaign
	journal   *journal
}

func NewTracker(j *journal) *Tracker {
	return &Tracker{campaigns: make(map[string]*campaign), journal: j}
}

var errBlockedReferrer = errors.New("referrer is blocklisted")

func clickID(c Click) string {
	h := sha1.New()
	h.Write([]byte(c.Campaign))
	h.Write([]byte{0})
	h.Write([]byte(c.Ad))
	h.Write([]byte{0})
	h.Write([]byte(c.User))
	h.Write([]byte(c.At.Format(time.RFC3339Nano)))
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// Record validates a click, updates the counters and journals it.
func (t *Tracker) Record(c Click) (string, error) {
	if strings.HasSuffix(c.Referrer, ".invalid") {
		return "", errBlockedReferrer
	}
	c.ID = clickID(c)
	t.count(c)
	t.journal.append(c)
	return c.ID, nil
}

func (t *Tracker) count(c Click) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cp := t.campaigns[c.Campaign]
	if cp == nil {
		cp = &campaign{users: make(map[string]struct{}), ads: make(map[string]int64)}
		t.campaigns[c.Campaign] = cp
	}
	cp.clicks++
	if c.User != "" && len(cp.users) < 10000 {
		cp.users[c.User] = struct{}{}
	}
	if len(cp.ads) < 1000 {
		cp.ads[c.Ad]++
	}
	cp.last = c.At
}

func (t *Tracker) statsLocked(name string, cp *campaign) CampaignStats {
	var top string
	var best int64
	for ad, n := range cp.ads {
		if n > best || (n == best && ad < top) {
			top, best = ad, n
		}
	}
	return CampaignStats{Campaign: name, Clicks: cp.clicks, UniqueUsers: len(cp.users), LastClick: cp.last, TopAd: top}
}

func (t *Tracker) Campaign(name string) (CampaignStats, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cp, ok := t.campaigns[name]
	if !ok {
		return CampaignStats{}, false
	}
	return t.statsLocked(name, cp), true
}

func (t *Tracker) Snapshot() []CampaignStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]CampaignStats, 0, len(t.campaigns))
	for name, cp := range t.campaigns {
		out = append(out, t.statsLocked(name, cp))
	}
	return out
}
