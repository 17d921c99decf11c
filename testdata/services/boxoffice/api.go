package main

import (
	"encoding/json"
	"errors"
	"net/http"
)

type api struct {
	b     *booker
	house *house
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

type holdRequest struct {
	Performance string `json:"performance"`
	Section     string `json:"section"`
	Qty         int    `json:"qty"`
}

func (a *api) hold(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var req holdRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil || req.Qty < 1 || req.Qty > 8 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "performance, section and qty 1-8"})
		return
	}
	res, err := a.b.hold(req.Performance, req.Section, req.Qty)
	switch {
	case err == nil:
		writeJSON(w, http.StatusCreated, res)
	case errors.Is(err, errUnknownPerformance):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
	case errors.Is(err, errNoSeats):
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
	}
}

func (a *api) release(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Performance string `json:"performance"`
		HoldID      string `json:"hold_id"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request"})
		return
	}
	m := a.house.perfs[req.Performance]
	if m == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": errUnknownPerformance.Error()})
		return
	}
	if n := m.release(req.HoldID); n == 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": errUnknownHold.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "released"})
}

func (a *api) availability(w http.ResponseWriter, r *http.Request) {
	m := a.house.perfs[r.URL.Query().Get("performance")]
	if m == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": errUnknownPerformance.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"performance": m.perf, "sections": m.availability()})
}

func (a *api) performances(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]interface{}{"performances": a.house.order})
}
