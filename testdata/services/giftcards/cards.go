package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

var (
	errUnknownCard  = errors.New("unknown card")
	errInsufficient = errors.New("insufficient balance")
	errDeclined     = errors.New("redemption declined by risk check")
	errFrozen       = errors.New("card is frozen")
)

type movement struct {
	At       time.Time `json:"at"`
	Cents    int64     `json:"cents"` // negative for redemptions
	Merchant string    `json:"merchant,omitempty"`
	Ref      string    `json:"ref"`
}

type card struct {
	Code     string
	Cents    int64
	Currency string
	Frozen   bool
	history  []movement
	recent   []time.Time // redemption times, for the velocity signal
}

// cardStore is the authoritative balance table; the snapshot is reloaded at
// start and every movement is appended to the card's history.
type cardStore struct {
	risk *riskClient

	mu    sync.Mutex
	cards map[string]*card
	seq   int64
}

func newCardStore(risk *riskClient) *cardStore {
	return &cardStore{risk: risk, cards: make(map[string]*card)}
}

func (s *cardStore) loadSnapshot(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i <= n; i++ {
		code := "GC-" + strconv.Itoa(i)
		s.cards[code] = &card{Code: code, Cents: int64(2500 + (i%40)*500), Currency: "EUR"}
	}
}

func (s *cardStore) nextRef(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%08d", prefix, s.seq)
}

func (s *cardStore) issue(cents int64, currency string) *card {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := "GC-N" + strconv.FormatInt(s.seq+1, 10)
	c := &card{Code: code, Cents: cents, Currency: currency}
	c.history = append(c.history, movement{At: time.Now().UTC(), Cents: cents, Ref: s.nextRef("iss")})
	s.cards[code] = c
	return c
}

type cardView struct {
	Code     string `json:"code"`
	Cents    int64  `json:"balanceCents"`
	Currency string `json:"currency"`
	Frozen   bool   `json:"frozen,omitempty"`
}

func (s *cardStore) balance(code string) (cardView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cards[code]
	if !ok {
		return cardView{}, errUnknownCard
	}
	return cardView{Code: c.Code, Cents: c.Cents, Currency: c.Currency, Frozen: c.Frozen}, nil
}

func (s *cardStore) history(code string, limit int) ([]movement, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cards[code]
	if !ok {
		return nil, errUnknownCard
	}
	h := c.history
	if len(h) > limit {
		h = h[len(h)-limit:]
	}
	return append([]movement(nil), h...), nil
}

func (s *cardStore) reload(code string, cents int64) (cardView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cards[code]
	if !ok {
		return cardView{}, errUnknownCard
	}
	c.Cents += cents
	c.history = append(c.history, movement{At: time.Now().UTC(), Cents: cents, Ref: s.nextRef("rld")})
	return cardView{Code: c.Code, Cents: c.Cents, Currency: c.Currency}, nil
}

// redeem debits a card after the risk check. The check and the debit must
// not interleave with another redemption of the same card.
func (s *cardStore) redeem(ctx context.Context, code, merchant string, cents int64) (cardView, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cards[code]
	if !ok {
		return cardView{}, "", errUnknownCard
	}
	if c.Frozen {
		return cardView{}, "", errFrozen
	}
	if c.Cents < cents {
		return cardView{}, "", errInsufficient
	}
	now := time.Now()
	velocity := 0
	kept := c.recent[:0]
	for _, t := range c.recent {
		if now.Sub(t) < 24*time.Hour {
			kept = append(kept, t)
			velocity++
		}
	}
	c.recent = kept

	v, err := s.risk.score(ctx, riskRequest{Card: code, Merchant: merchant, Cents: cents, Velocity: velocity})
	if err != nil {
		return cardView{}, "", fmt.Errorf("risk check unavailable: %w", err)
	}
	switch v.Decision {
	case "decline":
		return cardView{}, "", errDeclined
	case "review":
		c.Frozen = true
		return cardView{}, "", errFrozen
	}
	c.Cents -= cents
	c.recent = append(c.recent, now)
	ref := s.nextRef("rdm")
	c.history = append(c.history, movement{At: now.UTC(), Cents: -cents, Merchant: merchant, Ref: ref})
	return cardView{Code: c.Code, Cents: c.Cents, Currency: c.Currency}, ref, nil
}
