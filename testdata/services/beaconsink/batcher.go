package main

import (
	"sync"
	"time"
)

// batcher groups events into warehouse batches: a batch ships when it is full
// or when its oldest event has waited maxWait.
type batcher struct {
	in       chan event
	done     chan struct{}
	wh       *warehouse
	size     int
	maxWait  time.Duration
	closeOne sync.Once
}

func newBatcher(wh *warehouse, size int, maxWait time.Duration) *batcher {
	return &batcher{in: make(chan event, 4096), done: make(chan struct{}), wh: wh, size: size, maxWait: maxWait}
}

func (b *batcher) add(ev event) { b.in <- ev }

func (b *batcher) close() { b.closeOne.Do(func() { close(b.in) }) }

func (b *batcher) run() {
	defer close(b.done)
	batch := make([]event, 0, b.size)
	for {
		select {
		case ev, ok := <-b.in:
			if !ok {
				b.wh.load(batch)
				return
			}
			batch = append(batch, ev)
			if len(batch) >= b.size {
				b.wh.load(batch)
				batch = batch[:0]
			}
		case <-time.After(b.maxWait):
			if len(batch) > 0 {
				b.wh.load(batch)
				batch = batch[:0]
			}
		}
	}
}
