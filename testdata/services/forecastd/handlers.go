package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

type api struct {
	obs  *observationCache
	pool *modelPool
	feed *feedClient
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (a *api) forecast(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("station")
	o, ok := a.obs.get(id)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown station"})
		return
	}
	hours, err := strconv.Atoi(r.URL.Query().Get("hours"))
	if err != nil || hours <= 0 {
		hours = 24
	}
	if hours > 72 {
		hours = 72
	}
	out, err := a.pool.forecast(r.Context(), o, hours)
	if err != nil {
		code := http.StatusServiceUnavailable
		if !errors.Is(err, errBusy) {
			code = http.StatusGatewayTimeout
		}
		writeJSON(w, code, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"station": o.Station, "name": o.Name, "issued": o.Observed, "hours": out,
	})
}

func (a *api) stations(w http.ResponseWriter, r *http.Request) {
	list, updated := a.obs.list()
	type row struct {
		ID   string  `json:"id"`
		Name string  `json:"name"`
		Lat  float64 `json:"lat"`
		Lon  float64 `json:"lon"`
	}
	rows := make([]row, 0, len(list))
	for _, o := range list {
		rows = append(rows, row{o.Station, o.Name, o.Lat, o.Lon})
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"updated": updated, "stations": rows})
}

func (a *api) latest(w http.ResponseWriter, r *http.Request) {
	o, ok := a.obs.get(r.URL.Query().Get("station"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown station"})
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// history is not cached: it is rare, and the feed keeps it.
func (a *api) history(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("station")
	if _, ok := a.obs.get(id); !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown station"})
		return
	}
	var doc struct {
		Observations []observation `json:"observations"`
	}
	if err := a.feed.get(r.Context(), "/v2/history?station="+id, &doc); err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	if time.Since(a.obs.lastUpdate()) > 30*time.Second {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "stale observations"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
