package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

type reviewItem struct {
	ID       string    `json:"id"`
	Received time.Time `json:"received"`
	Risk     string    `json:"risk"`
}

// reviewQueue holds accepted applications until the review tool picks them up
// (it keeps the newest when the reviewers fall behind).
type reviewQueue struct {
	mu    sync.Mutex
	items []reviewItem
	byID  map[string]int
	max   int
}

func newReviewQueue(max int) *reviewQueue {
	return &reviewQueue{max: max, byID: map[string]int{}}
}

func (q *reviewQueue) push(it reviewItem) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= q.max {
		drop := len(q.items) - q.max + 1
		for _, old := range q.items[:drop] {
			delete(q.byID, old.ID)
		}
		q.items = append(q.items[:0], q.items[drop:]...)
		for i, it := range q.items {
			q.byID[it.ID] = i
		}
	}
	q.items = append(q.items, it)
	q.byID[it.ID] = len(q.items) - 1
	return len(q.items)
}

func (q *reviewQueue) find(id string) (reviewItem, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	i, ok := q.byID[id]
	if !ok {
		return reviewItem{}, false
	}
	return q.items[i], true
}

type handlers struct {
	v     *validator
	queue *reviewQueue
}

func (h *handlers) decode(w http.ResponseWriter, r *http.Request) (*application, bool) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return nil, false
	}
	var app application
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&app); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return nil, false
	}
	return &app, true
}

func (h *handlers) submit(w http.ResponseWriter, r *http.Request) {
	app, ok := h.decode(w, r)
	if !ok {
		return
	}
	if errs := h.v.Validate(app); len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]interface{}{"errors": errs})
		return
	}
	depth := h.queue.push(reviewItem{ID: app.ID, Received: time.Now().UTC(), Risk: riskBand(app)})
	writeJSON(w, http.StatusAccepted, map[string]interface{}{"id": app.ID, "queue_depth": depth})
}

func (h *handlers) dryRun(w http.ResponseWriter, r *http.Request) {
	app, ok := h.decode(w, r)
	if !ok {
		return
	}
	errs := h.v.Validate(app)
	writeJSON(w, http.StatusOK, map[string]interface{}{"valid": len(errs) == 0, "errors": errs})
}

func (h *handlers) status(w http.ResponseWriter, r *http.Request) {
	it, ok := h.queue.find(r.URL.Query().Get("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown application"})
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (h *handlers) queueDepth(w http.ResponseWriter, r *http.Request) {
	h.queue.mu.Lock()
	n := len(h.queue.items)
	h.queue.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int{"depth": n})
}

// riskBand is the first triage rule: large inflows from some categories go to senior review.
func riskBand(app *application) string {
	var inflow int64
	for _, t := range app.Funds.Transactions {
		if t.AmountMinor > 0 && (t.Category == "gift" || t.Category == "other" || t.Category == "loan") {
			inflow += t.AmountMinor
		}
	}
	switch {
	case inflow > 5_000_000:
		return "high"
	case strings.HasPrefix(app.Nationality, "K") || inflow > 1_000_000:
		return "medium"
	}
	return "low"
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
