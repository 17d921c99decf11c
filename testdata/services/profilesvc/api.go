package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

type api struct {
	store *profileStore
	mux   *http.ServeMux
}

func newAPI(s *profileStore) *api {
	a := &api{store: s, mux: http.NewServeMux()}
	a.mux.HandleFunc("/v1/profiles/", a.profile)
	a.mux.HandleFunc("/v1/teams/", a.team)
	a.mux.HandleFunc("/v1/me", a.me)
	a.mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return a
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	a.mux.ServeHTTP(w, r)
}

func (a *api) profile(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/v1/profiles/")
	switch r.Method {
	case http.MethodGet:
		p, err := a.store.get(id)
		if err != nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("ETag", `"`+strconv.Itoa(p.Version)+`"`)
		writeJSON(w, http.StatusOK, p)
	case http.MethodPatch, http.MethodPut:
		var patch profilePatch
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&patch); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON"})
			return
		}
		p, err := a.store.update(id, patch)
		switch err {
		case nil:
			writeJSON(w, http.StatusOK, p)
		case errNotFound:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		case errConflict:
			writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
		default:
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		}
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET, PUT or PATCH"})
	}
}

func (a *api) team(w http.ResponseWriter, r *http.Request) {
	team := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/teams/"), "/members")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	members := a.store.teamMembers(team, limit)
	writeJSON(w, http.StatusOK, map[string]interface{}{"team": team, "members": members})
}

func (a *api) me(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("X-User-Id")
	if id == "" {
		id = r.URL.Query().Get("as")
	}
	p, err := a.store.get(id)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unknown user"})
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
