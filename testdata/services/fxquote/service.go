package main

import (
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	quotesServed = expvar.NewInt("quotes_served")
	feedFetches  = expvar.NewInt("feed_history_fetches")
	conversions  = expvar.NewInt("conversions_booked")
)

var errUnsupported = errors.New("unsupported currency pair")

type Quote struct {
	ID         string    `json:"id"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Amount     float64   `json:"amount"`
	Rate       float64   `json:"rate"`
	Fee        float64   `json:"fee"`
	Converted  float64   `json:"converted"`
	ValidUntil time.Time `json:"validUntil"`
	Chart      []float64 `json:"chart"`
}

type Conversion struct {
	QuoteID string    `json:"quoteId"`
	Account string    `json:"account"`
	Booked  time.Time `json:"booked"`
}

// QuoteService prices currency conversions for the checkout and the app.
type QuoteService struct {
	feed   *rateFeed
	cache  *quoteCache
	spread float64

	mu     sync.Mutex
	ledger []Conversion
	next   int
}

func NewQuoteService(feed *rateFeed) *QuoteService {
	return &QuoteService{feed: feed, cache: newQuoteCache(30 * time.Second), spread: 0.0035, ledger: make([]Conversion, 0, 1000)}
}

func feeFor(amount float64) float64 {
	switch {
	case amount < 100:
		return 0.99
	case amount < 1000:
		return amount * 0.006
	default:
		return math.Min(amount*0.004, 45)
	}
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// downsample keeps a chart small enough for the mobile clients.
func downsample(ticks []float64, points int) []float64 {
	if len(ticks) <= points {
		return ticks
	}
	out := make([]float64, points)
	step := float64(len(ticks)) / float64(points)
	for i := range out {
		out[i] = round(ticks[int(float64(i)*step)], 5)
	}
	return out
}

// Quote returns the rendered quote JSON for converting amount from -> to.
func (s *QuoteService) Quote(from, to string, amount float64) ([]byte, error) {
	from, to = strings.ToUpper(from), strings.ToUpper(to)
	key := from + ":" + to + ":" + strconv.FormatFloat(amount, 'f', 2, 64)
	now := time.Now()
	if body, ok := s.cache.get(key, now); ok {
		quotesServed.Add(1)
		return body, nil
	}
	ticks, ok := s.feed.history(from, to, 2048)
	if !ok {
		return nil, errUnsupported
	}
	feedFetches.Add(1)
	mid := ticks[len(ticks)-1]
	rate := mid * (1 - s.spread)
	fee := feeFor(amount)
	q := Quote{
		ID:         fmt.Sprintf("q_%x", now.UnixNano()),
		From:       from,
		To:         to,
		Amount:     amount,
		Rate:       round(rate, 6),
		Fee:        round(fee, 2),
		Converted:  round((amount-fee)*rate, 2),
		ValidUntil: now.Add(30 * time.Second).UTC(),
		Chart:      downsample(ticks, 540),
	}
	body, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	s.cache.put(key, body, q.Chart, now)
	quotesServed.Add(1)
	return body, nil
}

func (s *QuoteService) Book(c Conversion) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Booked = time.Now().UTC()
	if len(s.ledger) < cap(s.ledger) {
		s.ledger = append(s.ledger, c)
	} else {
		s.ledger[s.next] = c
		s.next = (s.next + 1) % len(s.ledger)
	}
	conversions.Add(1)
}
