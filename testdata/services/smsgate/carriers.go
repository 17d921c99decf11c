package main

import (
	"context"
	"sync"
	"time"
)

type outboundSMS struct {
	Partner string
	ID      string
	To      string
	From    string
	Parts   int
}

// carrierQueues holds the messages waiting for each carrier's submit window.
type carrierQueues struct {
	mu     sync.Mutex
	queues map[string][]outboundSMS
	sent   map[string]int
}

func newCarrierQueues() *carrierQueues {
	return &carrierQueues{queues: map[string][]outboundSMS{}, sent: map[string]int{}}
}

func (q *carrierQueues) enqueue(carrier string, m outboundSMS) {
	q.mu.Lock()
	q.queues[carrier] = append(q.queues[carrier], m)
	q.mu.Unlock()
}

// drain hands each carrier its queue every tick (the carriers' SMPP binds are
// simulated: a submitted message is counted as sent).
func (q *carrierQueues) drain(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			q.mu.Lock()
			for c, msgs := range q.queues {
				for _, m := range msgs {
					q.sent[c] += m.Parts
				}
				q.queues[c] = msgs[:0]
			}
			q.mu.Unlock()
		}
	}
}

func (q *carrierQueues) depths() map[string]interface{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	depth := map[string]int{}
	for c, msgs := range q.queues {
		depth[c] = len(msgs)
	}
	sent := map[string]int{}
	for c, n := range q.sent {
		sent[c] = n
	}
	return map[string]interface{}{"waiting": depth, "sent_parts": sent}
}
