package main

import (
	"fmt"
	"hash/fnv"
	"sync"
	"time"
)

type plan struct {
	Name        string  `json:"name"`
	RatePerSec  float64 `json:"rate_per_sec"`
	Burst       float64 `json:"burst"`
	MonthlyCap  int64   `json:"monthly_cap"`
	OverageOkay bool    `json:"overage_ok"`
}

func defaultPlans() map[string]plan {
	return map[string]plan{
		"free":       {Name: "free", RatePerSec: 5, Burst: 20, MonthlyCap: 100_000},
		"team":       {Name: "team", RatePerSec: 50, Burst: 200, MonthlyCap: 5_000_000, OverageOkay: true},
		"enterprise": {Name: "enterprise", RatePerSec: 500, Burst: 2000, MonthlyCap: 0, OverageOkay: true},
	}
}

type bucket struct {
	key     string
	plan    string
	tokens  float64
	updated time.Time
	month   int64 // units used this month
	denied  int64
}

const shards = 64

type shard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

// registry holds a token bucket per provisioned key, spread over shards so
// concurrent keys rarely share a lock.
type registry struct {
	plansMu sync.RWMutex
	plans   map[string]plan
	shards  [shards]shard
}

func provisionKeys(n int, plans map[string]plan) map[string]string {
	names := []string{"free", "free", "team", "team", "team", "enterprise"}
	out := make(map[string]string, n)
	for i := 0; i < n; i++ {
		out[fmt.Sprintf("ak_%05d", i)] = names[i%len(names)]
	}
	return out
}

func newRegistry(plans map[string]plan, keys map[string]string) *registry {
	r := &registry{plans: plans}
	for i := range r.shards {
		r.shards[i].buckets = make(map[string]*bucket)
	}
	now := time.Now()
	for k, p := range keys {
		sh := r.shardFor(k)
		sh.buckets[k] = &bucket{key: k, plan: p, tokens: plans[p].Burst, updated: now}
	}
	return r
}

func (r *registry) shardFor(key string) *shard {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &r.shards[h.Sum32()%shards]
}

func (r *registry) planOf(name string) (plan, bool) {
	r.plansMu.RLock()
	defer r.plansMu.RUnlock()
	p, ok := r.plans[name]
	return p, ok
}

type decision struct {
	Allowed   bool    `json:"allowed"`
	Remaining float64 `json:"remaining"`
	RetryMs   int64   `json:"retry_after_ms,omitempty"`
	Month     int64   `json:"month_used"`
}

// consume refills the key's bucket for the time since its last use and takes
// cost tokens if it can.
func (r *registry) consume(key string, cost float64, now time.Time) (decision, bool) {
	sh := r.shardFor(key)
	sh.mu.Lock()
	b := sh.buckets[key]
	if b == nil {
		sh.mu.Unlock()
		return decision{}, false
	}
	planName := b.plan
	sh.mu.Unlock()
	p, ok := r.planOf(planName)
	if !ok {
		return decision{}, false
	}

	sh.mu.Lock()
	defer sh.mu.Unlock()
	elapsed := now.Sub(b.updated).Seconds()
	if elapsed > 0 {
		b.tokens += elapsed * p.RatePerSec
		if b.tokens > p.Burst {
			b.tokens = p.Burst
		}
		b.updated = now
	}
	if p.MonthlyCap > 0 && b.month+int64(cost) > p.MonthlyCap && !p.OverageOkay {
		b.denied++
		return decision{Allowed: false, Remaining: b.tokens, Month: b.month}, true
	}
	if b.tokens < cost {
		b.denied++
		wait := (cost - b.tokens) / p.RatePerSec
		return decision{Allowed: false, Remaining: b.tokens, RetryMs: int64(wait * 1000), Month: b.month}, true
	}
	b.tokens -= cost
	b.month += int64(cost)
	return decision{Allowed: true, Remaining: b.tokens, Month: b.month}, true
}

type keyUsage struct {
	Key    string  `json:"key"`
	Plan   string  `json:"plan"`
	Month  int64   `json:"month_used"`
	Denied int64   `json:"denied"`
	Tokens float64 `json:"tokens"`
}

func (r *registry) status(key string) (keyUsage, bool) {
	sh := r.shardFor(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b := sh.buckets[key]
	if b == nil {
		return keyUsage{}, false
	}
	return keyUsage{Key: b.key, Plan: b.plan, Month: b.month, Denied: b.denied, Tokens: b.tokens}, true
}

// top returns the heaviest users of one shard range (the billing job pages through shards).
func (r *registry) top(from, to int, n int) []keyUsage {
	var out []keyUsage
	for i := from; i < to && i < shards; i++ {
		sh := &r.shards[i]
		sh.mu.Lock()
		for _, b := range sh.buckets {
			if b.month > 0 {
				out = append(out, keyUsage{Key: b.key, Plan: b.plan, Month: b.month, Denied: b.denied})
			}
		}
		sh.mu.Unlock()
	}
	sortUsage(out)
	if len(out) > n {
		out = out[:n]
	}
	return out
}
