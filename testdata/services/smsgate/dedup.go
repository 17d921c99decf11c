package main

import (
	"context"
	"sync"
	"time"
)

// dedupWindow remembers the message ids seen in the last window, with the
// original line, so partner retries are answered without resending and the
// status endpoint can show what was accepted.
type dedupWindow struct {
	mu      sync.Mutex
	window  time.Duration
	entries map[string]dedupEntry
}

type dedupEntry struct {
	at  time.Time
	raw []byte
}

func newDedupWindow(window time.Duration) *dedupWindow {
	return &dedupWindow{window: window, entries: make(map[string]dedupEntry)}
}

// remember records key and reports whether it is new.
func (d *dedupWindow) remember(key string, raw []byte) bool {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.entries[key]; ok && now.Sub(e.at) < d.window {
		return false
	}
	d.entries[key] = dedupEntry{at: now, raw: raw}
	return true
}

func (d *dedupWindow) lookup(key string) ([]byte, time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[key]
	return e.raw, e.at, ok
}

func (d *dedupWindow) sweepEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			d.mu.Lock()
			for k, e := range d.entries {
				if now.Sub(e.at) >= d.window {
					delete(d.entries, k)
				}
			}
			d.mu.Unlock()
		}
	}
}
