// Command flagsvc evaluates feature flags for users of the web and mobile
// apps.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type evaluation struct {
	Variant string      `json:"variant"`
	Value   interface{} `json:"value"`
	Reason  string      `json:"reason"`
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func userFrom(r *http.Request) (userContext, bool) {
	q := r.URL.Query()
	u := userContext{ID: q.Get("user"), Country: q.Get("country"), Plan: q.Get("plan"), Platform: q.Get("platform")}
	return u, u.ID != ""
}

func evaluateAll(w http.ResponseWriter, r *http.Request) {
	u, ok := userFrom(r)
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "user is required"})
		return
	}
	env := r.URL.Query().Get("env")
	if env == "" {
		env = "prod"
	}
	res, ok := resolveEnvironment(env)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown environment"})
		return
	}
	out := make(map[string]evaluation, len(res.names))
	for _, name := range res.names {
		v, val, why := res.evaluate(name, u)
		out[name] = evaluation{v, val, why}
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"version": res.version, "flags": out})
}

func evaluateOne(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/v1/flags/")
	u, ok := userFrom(r)
	if !ok || name == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "flag and user are required"})
		return
	}
	env := r.URL.Query().Get("env")
	if env == "" {
		env = "prod"
	}
	res, ok := resolveEnvironment(env)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown environment"})
		return
	}
	if !res.has("flags." + name + ".enabled") {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown flag"})
		return
	}
	v, val, why := res.evaluate(name, u)
	writeJSON(w, http.StatusOK, map[string]interface{}{"flag": name, "version": res.version, "result": evaluation{v, val, why}})
}

func override(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var req struct {
		Env     string  `json:"env"`
		Flag    string  `json:"flag"`
		Enabled bool    `json:"enabled"`
		Percent float64 `json:"percent"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad json"})
		return
	}
	if err := store.setOverride(req.Env, req.Flag, req.Enabled, req.Percent); err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "applied"})
}

func health(w http.ResponseWriter, r *http.Request) {
	_, v, _ := store.environment("prod")
	writeJSON(w, http.StatusOK, map[string]interface{}{"ok": true, "configVersion": v})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	nflags := flag.Int("flags", 40, "flags per environment in the bootstrap config")
	flag.Parse()

	if err := store.loadSynthetic(*nflags); err != nil {
		log.Fatalf("config: %v", err)
	}

	http.HandleFunc("/v1/evaluate", evaluateAll)
	http.HandleFunc("/v1/flags/", evaluateOne)
	http.HandleFunc("/v1/admin/override", override)
	http.HandleFunc("/healthz", health)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	log.Printf("flagsvc listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
}
