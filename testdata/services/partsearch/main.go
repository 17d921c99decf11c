// Command partsearch serves the auto-parts catalogue: full-text search,
// part lookup and query suggestions.
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
	"strconv"
	"strings"
	"syscall"
	"time"
)

func replyJSON(w http.ResponseWriter, status int, body interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(body); err != nil {
		log.Printf("encode: %v", err)
	}
}

func replyError(w http.ResponseWriter, status int, msg string) {
	replyJSON(w, status, map[string]string{"error": msg})
}

func intParam(r *http.Request, name string, def, lo, hi int) int {
	v, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil {
		return def
	}
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func searchHandler(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		replyError(w, http.StatusBadRequest, "missing q")
		return
	}
	limit := intParam(r, "limit", 20, 1, 100)
	page := intParam(r, "page", 1, 1, 50)
	inStock := r.URL.Query().Get("in_stock") == "1"
	start := time.Now()
	hits, total := searchParts(q, inStock, limit, (page-1)*limit)
	replyJSON(w, http.StatusOK, map[string]interface{}{
		"query":   q,
		"total":   total,
		"page":    page,
		"results": hits,
		"tookMs":  float64(time.Since(start).Microseconds()) / 1000,
	})
}

func partHandler(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.URL.Query().Get("id"))
	if err != nil {
		replyError(w, http.StatusBadRequest, "id must be numeric")
		return
	}
	p, ok := partByID(id)
	if !ok {
		replyError(w, http.StatusNotFound, "no such part")
		return
	}
	replyJSON(w, http.StatusOK, p)
}

func suggestHandler(w http.ResponseWriter, r *http.Request) {
	prefix := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("prefix")))
	if len(prefix) < 2 {
		replyError(w, http.StatusBadRequest, "prefix must have at least 2 characters")
		return
	}
	replyJSON(w, http.StatusOK, map[string]interface{}{"prefix": prefix, "suggestions": suggest(prefix, 10)})
}

func healthHandler(w http.ResponseWriter, r *http.Request) {
	replyJSON(w, http.StatusOK, map[string]interface{}{"status": "ok", "parts": len(catalog), "terms": len(vocabulary)})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	size := flag.Int("parts", 14000, "number of catalogue entries to load")
	flag.Parse()

	loadCatalog(*size)

	http.HandleFunc("/v1/search", searchHandler)
	http.HandleFunc("/v1/parts", partHandler)
	http.HandleFunc("/v1/suggest", suggestHandler)
	http.HandleFunc("/healthz", healthHandler)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen %s: %v", *addr, err)
	}
	log.Printf("partsearch: %d parts indexed, listening on %s", len(catalog), ln.Addr())

	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 90 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatalf("serve: %v", err)
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	log.Print("partsearch stopped")
}
