package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

type server struct {
	menus *menuBook
	carts *cartStore
}

// restaurant serves /v1/restaurants/{id}/menu and /v1/restaurants/{id}/items/{item}.
func (s *server) restaurant(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v1/restaurants/"), "/"), "/")
	rest := s.menus.byID[lookupID(parts[0], len(s.menus.ordered))]
	if rest == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such restaurant"})
		return
	}
	switch {
	case len(parts) == 2 && parts[1] == "menu":
		writeJSON(w, http.StatusOK, rest)
	case len(parts) == 3 && parts[1] == "items":
		it := rest.byItem[parts[2]]
		if it == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such item"})
			return
		}
		writeJSON(w, http.StatusOK, it)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	}
}

// lookupID maps the app's restaurant ids (r17, or a legacy numeric id that
// wraps around the demo dataset) to the dataset's ids.
func lookupID(s string, n int) string {
	v, err := strconv.Atoi(strings.TrimPrefix(s, "r"))
	if err != nil || v < 0 || n == 0 {
		return ""
	}
	return "r" + strconv.Itoa(v%n)
}

func (s *server) search(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	limit := 20
	ids := s.menus.wordToID[q]
	if len(ids) > limit {
		ids = ids[:limit]
	}
	type hit struct {
		ID, Name, Cuisine string
	}
	out := make([]hit, 0, len(ids))
	for _, id := range ids {
		rr := s.menus.byID[id]
		out = append(out, hit{rr.ID, rr.Name, rr.Cuisine})
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"query": q, "results": out})
}

type cartLine struct {
	Restaurant string `json:"restaurant"`
	Item       string `json:"item"`
	Qty        int    `json:"qty"`
}

type cart struct {
	Lines []cartLine `json:"lines"`
}

const maxCartLines = 40

// cartStore keeps open carts; a cart is dropped when it is checked out.
type cartStore struct {
	mu    sync.Mutex
	carts map[string]*cart
}

func newCartStore() *cartStore { return &cartStore{carts: map[string]*cart{}} }

// cart serves POST /v1/carts/{id}/items and DELETE /v1/carts/{id} (checkout).
func (s *server) cart(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v1/carts/"), "/"), "/")
	id := parts[0]
	switch {
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "items":
		var line cartLine
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&line); err != nil || line.Qty <= 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad line"})
			return
		}
		s.carts.mu.Lock()
		c := s.carts.carts[id]
		if c == nil {
			c = &cart{}
			s.carts.carts[id] = c
		}
		if len(c.Lines) >= maxCartLines {
			s.carts.mu.Unlock()
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "cart is full"})
			return
		}
		c.Lines = append(c.Lines, line)
		n := len(c.Lines)
		s.carts.mu.Unlock()
		writeJSON(w, http.StatusCreated, map[string]int{"lines": n})
	case r.Method == http.MethodDelete && len(parts) == 1:
		s.carts.mu.Lock()
		delete(s.carts.carts, id)
		s.carts.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	}
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
