// Command fxquote prices currency conversions.
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
	"runtime"
	"sort"
	"strconv"
	"syscall"
	"time"
)

type handlers struct {
	svc  *QuoteService
	feed *rateFeed
}

func jsonError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (h *handlers) quote(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	amount, err := strconv.ParseFloat(q.Get("amount"), 64)
	if err != nil || amount <= 0 || amount > 1e7 {
		jsonError(w, http.StatusBadRequest, "amount must be a positive number")
		return
	}
	body, err := h.svc.Quote(q.Get("from"), q.Get("to"), amount)
	if err == errUnsupported {
		jsonError(w, http.StatusNotFound, err.Error())
		return
	} else if err != nil {
		jsonError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, max-age=30")
	_, _ = w.Write(body)
}

func (h *handlers) rate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m, ok := h.feed.mid(q.Get("from"), q.Get("to"))
	if !ok {
		jsonError(w, http.StatusNotFound, "unsupported currency pair")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]interface{}{"from": q.Get("from"), "to": q.Get("to"), "mid": round(m, 6), "at": time.Now().UTC()})
}

func (h *handlers) pairs(w http.ResponseWriter, r *http.Request) {
	p := h.feed.pairs()
	sort.Strings(p)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]interface{}{"pairs": p})
}

func (h *handlers) book(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		jsonError(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	var c Conversion
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil || c.QuoteID == "" || c.Account == "" {
		jsonError(w, http.StatusBadRequest, "quoteId and account are required")
		return
	}
	h.svc.Book(c)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "booked", "quoteId": c.QuoteID})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()

	runtime.SetBlockProfileRate(100)
	runtime.SetMutexProfileFraction(100)

	feed := newRateFeed(20 * time.Millisecond)
	h := &handlers{svc: NewQuoteService(feed), feed: feed}
	http.HandleFunc("/v1/quote", h.quote)
	http.HandleFunc("/v1/rate", h.rate)
	http.HandleFunc("/v1/pairs", h.pairs)
	http.HandleFunc("/v1/conversions", h.book)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	log.Printf("fxquote listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 15 * time.Second}
	done := make(chan struct{})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		close(done)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		log.Fatalf("serve: %v", err)
	}
	<-done
}
