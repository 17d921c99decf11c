package main

import (
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"time"
)

type entry struct {
	Player  string    `json:"player"`
	Name    string    `json:"name"`
	Score   int64     `json:"score"`
	Level   int       `json:"level"`
	Country string    `json:"country"`
	At      time.Time `json:"at"`
}

// board is one game's ranking: entries sorted by score, best first, and an
// index from player to position.
type board struct {
	ranked []*entry
	pos    map[string]int
}

// standings holds every game's board behind one lock.
type standings struct {
	mu     sync.Mutex
	boards map[string]*board
}

func newStandings() *standings { return &standings{boards: map[string]*board{}} }

var countries = []string{"DE", "US", "BR", "JP", "KR", "FR", "GB", "PL", "SE", "IN"}

func (s *standings) seed(games []string, players int) {
	rng := rand.New(rand.NewSource(7))
	for _, g := range games {
		b := &board{pos: make(map[string]int, players)}
		for i := 0; i < players; i++ {
			b.ranked = append(b.ranked, &entry{
				Player: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("Player%05d", i), Score: rng.Int63n(2_000_000),
				Level: 1 + rng.Intn(80), Country: countries[rng.Intn(len(countries))], At: time.Now().Add(-time.Duration(rng.Intn(72)) * time.Hour),
			})
		}
		b.resort()
		s.boards[g] = b
	}
}

func (b *board) resort() {
	sort.SliceStable(b.ranked, func(i, j int) bool { return b.ranked[i].Score > b.ranked[j].Score })
	for i, e := range b.ranked {
		b.pos[e.Player] = i
	}
}

// record keeps a player's best score and moves the entry to its new place.
func (s *standings) record(game, player, name string, score int64, level int, country string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.boards[game]
	if b == nil {
		return 0, false
	}
	i, ok := b.pos[player]
	if !ok {
		b.ranked = append(b.ranked, &entry{Player: player, Name: name, Country: country})
		i = len(b.ranked) - 1
		b.pos[player] = i
	}
	e := b.ranked[i]
	if score <= e.Score && ok {
		return i + 1, true
	}
	e.Score, e.Level, e.At = score, level, time.Now()
	for i > 0 && b.ranked[i-1].Score < e.Score { // bubble up: scores only improve
		b.ranked[i], b.ranked[i-1] = b.ranked[i-1], b.ranked[i]
		b.pos[b.ranked[i].Player] = i
		i--
	}
	b.pos[player] = i
	return i + 1, true
}

func (s *standings) rankOf(game, player string) (int, *entry, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.boards[game]
	if b == nil {
		return 0, nil, 0
	}
	i, ok := b.pos[player]
	if !ok {
		return 0, nil, len(b.ranked)
	}
	e := *b.ranked[i]
	return i + 1, &e, len(b.ranked)
}
