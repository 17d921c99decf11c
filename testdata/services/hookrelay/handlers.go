package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

type handlers struct {
	reg     *registry
	deliver *deliverer
	log     *deliveryLog
	seq     uint64
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (h *handlers) publish(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var ev event
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&ev); err != nil || ev.Account == "" || ev.Type == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "account and type are required"})
		return
	}
	if ev.ID == "" {
		ev.ID = "evt_" + strconv.FormatUint(atomic.AddUint64(&h.seq, 1), 36)
	}
	ev.Created = time.Now().UTC()
	var results []deliveryResult
	for _, ep := range h.reg.forAccount(ev.Account) {
		if !ep.Enabled || !ep.wants(ev.Type) {
			continue
		}
		res := h.deliver.send(ep, ev)
		h.log.add(logRow{At: time.Now().UTC(), Event: ev.ID, Account: ev.Account, Result: res})
		results = append(results, res)
	}
	writeJSON(w, http.StatusAccepted, map[string]interface{}{"id": ev.ID, "deliveries": results})
}

func (h *handlers) endpoints(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]interface{}{"endpoints": h.reg.forAccount(r.URL.Query().Get("account"))})
	case http.MethodPost:
		var in struct {
			Account string   `json:"account"`
			URL     string   `json:"url"`
			Events  []string `json:"events"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&in); err != nil || in.Account == "" || !strings.HasPrefix(in.URL, "http") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "account and an http(s) url are required"})
			return
		}
		writeJSON(w, http.StatusCreated, h.reg.add(in.Account, in.URL, in.Events))
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET or POST"})
	}
}

func (h *handlers) recent(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if n <= 0 || n > 200 {
		n = 50
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"deliveries": h.log.recent(r.URL.Query().Get("account"), n)})
}
