package main

import (
	"sync"
	"time"
)

type quoteEntry struct {
	body    []byte
	chart   []float64
	created time.Time
	expires time.Time
}

// quoteCache remembers rendered quotes so that a client polling the same
// conversion gets a stable price for the quote's validity window.
type quoteCache struct {
	mu      sync.Mutex
	entries map[string]*quoteEntry
	ttl     time.Duration
}

func newQuoteCache(ttl time.Duration) *quoteCache {
	return &quoteCache{entries: make(map[string]*quoteEntry), ttl: ttl}
}

func (c *quoteCache) get(key string, now time.Time) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || now.After(e.expires) {
		return nil, false
	}
	return e.body, true
}

// put stores a private copy of the rendered quote and its chart.
func (c *quoteCache) put(key string, body []byte, chart []float64, now time.Time) {
	e := &quoteEntry{
		body:    append([]byte(nil), body...),
		chart:   append([]float64(nil), chart...),
		created: now,
		expires: now.Add(c.ttl),
	}
	c.mu.Lock()
	c.entries[key] = e
	c.mu.Unlock()
}
