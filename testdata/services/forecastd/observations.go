package main

import (
	"context"
	"expvar"
	"log"
	"sort"
	"sync"
	"time"
)

var (
	refreshes     = expvar.NewInt("observation_refreshes")
	refreshErrors = expvar.NewInt("observation_refresh_errors")
)

type observationCache struct {
	feed   *feedClient
	region string

	mu      sync.RWMutex
	byID    map[string]observation
	updated time.Time
}

func newObservationCache(feed *feedClient, region string) *observationCache {
	return &observationCache{feed: feed, region: region, byID: map[string]observation{}}
}

// refresh fetches the whole region and swaps the map in; readers never wait
// for the network.
func (c *observationCache) refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var doc struct {
		Observations []observation `json:"observations"`
	}
	if err := c.feed.get(ctx, "/v2/observations?region="+c.region, &doc); err != nil {
		refreshErrors.Add(1)
		return err
	}
	next := make(map[string]observation, len(doc.Observations))
	for _, o := range doc.Observations {
		next[o.Station] = o
	}
	c.mu.Lock()
	c.byID, c.updated = next, time.Now()
	c.mu.Unlock()
	refreshes.Add(1)
	return nil
}

// run refreshes on a ticker until ctx is cancelled.
func (c *observationCache) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.refresh(ctx); err != nil && ctx.Err() == nil {
				log.Printf("observation refresh: %v", err)
			}
		}
	}
}

func (c *observationCache) get(id string) (observation, bool) {
	c.mu.RLock()
	o, ok := c.byID[id]
	c.mu.RUnlock()
	return o, ok
}

func (c *observationCache) lastUpdate() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.updated
}

func (c *observationCache) count() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.byID)
}

func (c *observationCache) list() ([]observation, time.Time) {
	c.mu.RLock()
	out := make([]observation, 0, len(c.byID))
	for _, o := range c.byID {
		out = append(out, o)
	}
	updated := c.updated
	c.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Station < out[j].Station })
	return out, updated
}
