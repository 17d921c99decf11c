package main

import (
	"encoding/json"
	"net/http"
	"time"
)

type server struct{ store *policyStore }

type checkRequest struct {
	User     string `json:"user"`
	Action   string `json:"action"`
	Resource string `json:"resource"`
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (s *server) check(w http.ResponseWriter, r *http.Request) {
	var req checkRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&req); err != nil || req.User == "" || req.Action == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "user, action and resource are required"})
		return
	}
	writeJSON(w, http.StatusOK, s.store.check(req.User, req.Action, req.Resource))
}

func (s *server) checkBatch(w http.ResponseWriter, r *http.Request) {
	var reqs []checkRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&reqs); err != nil || len(reqs) > 100 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "a JSON array of at most 100 checks"})
		return
	}
	out := make([]decision, len(reqs))
	for i, q := range reqs {
		out[i] = s.store.check(q.User, q.Action, q.Resource)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) userGroups(w http.ResponseWriter, r *http.Request) {
	u := r.URL.Query().Get("user")
	gs := s.store.groupsOf(u)
	if len(gs) == 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown user"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"user": u, "groups": gs})
}

func (s *server) policies(w http.ResponseWriter, r *http.Request) {
	v, at, n := s.store.snapshot()
	writeJSON(w, http.StatusOK, map[string]interface{}{"version": v, "updated": at.Format(time.RFC3339Nano), "policies": n})
}
