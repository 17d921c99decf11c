package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strings"
	"time"
)

type createRequest struct {
	User   string   `json:"user"`
	Device string   `json:"device"`
	Roles  []string `json:"roles"`
}

func handleSessions(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		replyError(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	var req createRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.User == "" {
		replyError(w, http.StatusBadRequest, "user required")
		return
	}
	if req.Device == "" {
		req.Device = "web"
	}
	tok, s := createSession(req.User, req.Device, req.Roles)
	reply(w, http.StatusCreated, map[string]interface{}{"token": tok, "expires": s.Expires})
}

func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimPrefix(h, "Bearer ")
	}
	return r.URL.Query().Get("token")
}

func handleCheck(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	if tok == "" {
		replyError(w, http.StatusUnauthorized, "missing token")
		return
	}
	s, err := lookupSession(tok)
	if err != nil {
		replyError(w, http.StatusUnauthorized, err.Error())
		return
	}
	reply(w, http.StatusOK, s)
}

func handleRevoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		replyError(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	if err := revokeSession(bearer(r)); err != nil {
		replyError(w, http.StatusNotFound, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func handleUserSessions(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	if user == "" {
		replyError(w, http.StatusBadRequest, "user required")
		return
	}
	reply(w, http.StatusOK, map[string]interface{}{"user": user, "sessions": sessionsForUser(user)})
}

func expireLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if n := expireSessions(now); n > 0 {
				log.Printf("expired %d sessions", n)
			}
		}
	}
}

func reply(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func replyError(w http.ResponseWriter, code int, msg string) {
	reply(w, code, map[string]string{"error": msg})
}

func flushLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			flushTouched()
			return
		case <-t.C:
			flushTouched()
		}
	}
}
