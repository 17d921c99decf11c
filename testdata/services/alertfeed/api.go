package main

import (
	"encoding/json"
	"net/http"
	"strconv"
)

type api struct {
	feed *feed
}

type webhook struct {
	Receiver string  `json:"receiver"`
	Alerts   []alert `json:"alerts"`
}

func (a *api) receive(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var wh webhook
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&wh); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if len(wh.Alerts) == 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "no alerts"})
		return
	}
	n := a.feed.add(wh.Alerts)
	alertsReceived.Add(int64(len(wh.Alerts)))
	writeJSON(w, http.StatusOK, map[string]int{"stored": len(wh.Alerts), "feed": n})
}

func (a *api) recent(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n := 50
	if v, err := strconv.Atoi(q.Get("n")); err == nil && v > 0 && v <= 500 {
		n = v
	}
	writeJSON(w, http.StatusOK, a.feed.newest(n, q.Get("team")))
}

func (a *api) summary(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.feed.summary())
}

func (a *api) ack(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var in struct {
		Fingerprint string `json:"fingerprint"`
		By          string `json:"by"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil || in.Fingerprint == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "fingerprint and by are required"})
		return
	}
	a.feed.ack(in.Fingerprint, in.By)
	alertsAcked.Add(1)
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
