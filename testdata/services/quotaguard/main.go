// Command quotaguard enforces the public API's quotas: every gateway request
// asks it whether the calling key may spend some units (token buckets per
// key, refilled by plan), and the billing job reads usage back.
package main

import (
	"context"
	"expvar"
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

var (
	decisions = expvar.NewMap("decisions")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	debugAddr := flag.String("debug-addr", "127.0.0.1:0", "debug listen address (pprof, expvar)")
	keys := flag.Int("keys", 5000, "API keys provisioned at start")
	flag.Parse()

	// Lock and block profiles stay on in production for this service.
	runtime.SetMutexProfileFraction(10)
	runtime.SetBlockProfileRate(int(50 * time.Microsecond))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	plans := defaultPlans()
	reg := newRegistry(plans, provisionKeys(*keys, plans))
	signer := newSigner([]byte("gw-shared-secret-2026"))
	usage := newUsageLog(4096)
	go usage.run(ctx)
	s := &server{reg: reg, signer: signer, usage: usage}

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/consume", s.consume)
	mux.HandleFunc("/v1/keys/", s.keyStatus)
	mux.HandleFunc("/v1/plans", s.plans)
	mux.HandleFunc("/v1/usage", s.usageReport)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	dbg := http.NewServeMux()
	dbg.HandleFunc("/debug/pprof/", pprof.Index)
	dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	dbg.Handle("/debug/vars", expvar.Handler())

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	dln, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("quotaguard listening on %s (%d keys)", ln.Addr(), *keys)
	log.Printf("debug server listening on %s", dln.Addr())
	go http.Serve(dln, dbg)

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: 2 * time.Minute}
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
