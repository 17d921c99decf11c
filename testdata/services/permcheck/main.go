// Command permcheck answers the platform's authorization checks ("may this
// user do this action on this resource?") from the policy set and the
// directory's group tree, both synced from the identity service.
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	debugAddr := flag.String("debug-addr", "127.0.0.1:0", "debug (pprof) listen address")
	syncEvery := flag.Duration("sync", 40*time.Millisecond, "how often the identity feed is polled")
	flag.Parse()

	// The on-call runbook asks for lock profiles on this service.
	runtime.SetMutexProfileFraction(5)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dir := buildDirectory(6000, 1400)
	store := newPolicyStore(dir, seedPolicies(dir))
	feed := newIdentityFeed(dir, 7)
	go store.follow(ctx, feed, *syncEvery)

	s := &server{store: store}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/check", s.check)
	mux.HandleFunc("/v1/check/batch", s.checkBatch)
	mux.HandleFunc("/v1/users/groups", s.userGroups)
	mux.HandleFunc("/v1/policies", s.policies)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	dbg := http.NewServeMux()
	dbg.HandleFunc("/debug/pprof/", pprof.Index)
	dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	dbg.HandleFunc("/debug/pprof/trace", pprof.Trace)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	dln, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("permcheck listening on %s", ln.Addr())
	log.Printf("debug server listening on %s", dln.Addr())
	go http.Serve(dln, dbg)

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 3 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
