package main

import (
	"context"
	"sync"
	"sync/atomic"
)

type watch struct {
	updates chan shipment
	cancel  context.CancelFunc
}

// tracker routes warehouse shipment events to the order they belong to.
type tracker struct {
	mu      sync.Mutex
	watches map[string]*watch
	shipped int64
}

func newTracker() *tracker {
	return &tracker{watches: make(map[string]*watch)}
}

func (t *tracker) follow(o *order) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watch{updates: make(chan shipment, 1), cancel: cancel}
	t.mu.Lock()
	t.watches[o.ID] = w
	t.mu.Unlock()
	go t.await(ctx, o, w)
}

func (t *tracker) await(ctx context.Context, o *order, w *watch) {
	select {
	case <-ctx.Done():
		return
	case s := <-w.updates:
		o.setStatus(statusShipped, s.Tracking)
		atomic.AddInt64(&t.shipped, 1)
	}
	t.mu.Lock()
	delete(t.watches, o.ID)
	t.mu.Unlock()
	w.cancel()
}

func (t *tracker) publish(s shipment) {
	t.mu.Lock()
	w, ok := t.watches[s.OrderID]
	t.mu.Unlock()
	if !ok {
		return
	}
	select {
	case w.updates <- s:
	default:
	}
}

func (t *tracker) stop(orderID string) {
	t.mu.Lock()
	w, ok := t.watches[orderID]
	delete(t.watches, orderID)
	t.mu.Unlock()
	if ok {
		w.cancel()
	}
}

func (t *tracker) pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.watches)
}
