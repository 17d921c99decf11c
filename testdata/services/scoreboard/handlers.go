package main

import (
	"encoding/json"
	"net/http"
	"strconv"
)

type api struct{ st *standings }

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func intParam(r *http.Request, name string, def, lo, hi int) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < lo || n > hi {
		return def
	}
	return n
}

type submission struct {
	Game    string `json:"game"`
	Player  string `json:"player"`
	Name    string `json:"name"`
	Score   int64  `json:"score"`
	Level   int    `json:"level"`
	Country string `json:"country"`
}

func (a *api) submit(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var s submission
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&s); err != nil || s.Player == "" || s.Score < 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid submission"})
		return
	}
	rank, ok := a.st.record(s.Game, s.Player, s.Name, s.Score, s.Level, s.Country)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown game"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"rank": rank})
}

// top serves the first n entries of a game's board, optionally one country's.
func (a *api) top(w http.ResponseWriter, r *http.Request) {
	game := r.URL.Query().Get("game")
	n := intParam(r, "n", 100, 1, 1000)
	country := r.URL.Query().Get("country")
	a.st.writeBoard(w, game, func(i int, e *entry) bool { return country == "" || e.Country == country }, n)
}

// around serves the entries near a player's rank (the in-game "you are here").
func (a *api) around(w http.ResponseWriter, r *http.Request) {
	game, player := r.URL.Query().Get("game"), r.URL.Query().Get("player")
	rank, _, _ := a.st.rankOf(game, player)
	if rank == 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not ranked"})
		return
	}
	lo, hi := rank-26, rank+25
	a.st.writeBoard(w, game, func(i int, e *entry) bool { return i >= lo && i < hi }, 51)
}

func (a *api) rank(w http.ResponseWriter, r *http.Request) {
	rank, e, total := a.st.rankOf(r.URL.Query().Get("game"), r.URL.Query().Get("player"))
	if e == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not ranked"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"rank": rank, "of": total, "entry": e})
}

// export is the nightly dump the analytics job pulls, and the support tool's "whole board" view.
func (a *api) export(w http.ResponseWriter, r *http.Request) {
	a.st.writeBoard(w, r.URL.Query().Get("game"), func(int, *entry) bool { return true }, 1<<30)
}
