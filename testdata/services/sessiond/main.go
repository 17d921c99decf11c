// Command sessiond issues and validates login sessions for the web tier.
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	ttl := flag.Duration("session-ttl", 30*time.Minute, "session lifetime")
	preload := flag.Int("preload", 20000, "sessions restored from the snapshot at start")
	flag.Parse()

	runtime.SetBlockProfileRate(1000)
	runtime.SetMutexProfileFraction(5)

	initStore(*ttl)
	restoreSessions(*preload)

	http.HandleFunc("/v1/sessions", handleSessions)
	http.HandleFunc("/v1/sessions/check", handleCheck)
	http.HandleFunc("/v1/sessions/revoke", handleRevoke)
	http.HandleFunc("/v1/users/sessions", handleUserSessions)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("sessiond listening on %s", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go expireLoop(ctx, 500*time.Millisecond)
	go flushLoop(ctx, 20*time.Millisecond)

	srv := &http.Server{
		Handler:           limitInFlight(128, http.DefaultServeMux),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       90 * time.Second,
	}
	go func() {
		<-ctx.Done()
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(c)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		log.Fatal(err)
	}
	log.Printf("sessiond: shut down")
}

// limitInFlight sheds API load with 503 once n requests are being served;
// the debug endpoints are never shed.
func limitInFlight(n int, next http.Handler) http.Handler {
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/debug/") {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			replyError(w, http.StatusServiceUnavailable, "overloaded")
		}
	})
}
