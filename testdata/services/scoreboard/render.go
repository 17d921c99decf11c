package main

import (
	"encoding/json"
	"net/http"
)

type boardPage struct {
	Game    string   `json:"game"`
	Players int      `json:"players"`
	Entries []*entry `json:"entries"`
}

// writeBoard streams the matching entries of a game's board as JSON, at most
// limit of them, straight from the live board so no copy is made.
func (s *standings) writeBoard(w http.ResponseWriter, game string, keep func(int, *entry) bool, limit int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.boards[game]
	if b == nil {
		http.Error(w, `{"error":"unknown game"}`, http.StatusNotFound)
		return
	}
	page := boardPage{Game: game, Players: len(b.ranked)}
	for i, e := range b.ranked {
		if len(page.Entries) >= limit {
			break
		}
		if keep(i, e) {
			page.Entries = append(page.Entries, e)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(page)
}
