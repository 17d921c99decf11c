package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"
)

type booker struct {
	house   *house
	holdFor time.Duration
	maxWait time.Duration
}

type holdResult struct {
	HoldID string    `json:"hold_id"`
	Seats  []string  `json:"seats"`
	Total  int       `json:"total_cents"`
	Until  time.Time `json:"until"`
	Tries  int       `json:"tries"`
}

func newHoldID() string {
	var b [8]byte
	rand.Read(b[:])
	return "H-" + hex.EncodeToString(b[:])
}

// hold places a hold for qty adjacent seats. A map being reconciled with the
// venue is only unavailable for a moment, so the hold is tried again until it
// goes through or maxWait has passed.
func (b *booker) hold(perf, section string, qty int) (holdResult, error) {
	m := b.house.perfs[perf]
	if m == nil {
		return holdResult{}, errUnknownPerformance
	}
	id := newHoldID()
	deadline := time.Now().Add(b.maxWait)
	tries := 0
	for {
		tries++
		until := time.Now().Add(b.holdFor)
		seats, total, err := m.tryHold(section, qty, id, until)
		if err == nil {
			return holdResult{HoldID: id, Seats: seats, Total: total, Until: until, Tries: tries}, nil
		}
		if !errors.Is(err, errSyncing) || time.Now().After(deadline) {
			return holdResult{Tries: tries}, err
		}
	}
}
