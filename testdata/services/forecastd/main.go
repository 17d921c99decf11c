// Command forecastd serves point forecasts for the weather stations of the
// regional network: it keeps the latest observations from the national feed
// fresh in memory and runs the forecast model on a fixed pool of workers.
package main

import (
	"context"
	"expvar"
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "API listen address")
	debugAddr := flag.String("debug-addr", "127.0.0.1:0", "debug listen address (pprof, expvar)")
	feedURL := flag.String("feed", "", "observation feed base URL (default: the local feed replay)")
	refresh := flag.Duration("refresh", time.Second, "observation refresh interval")
	workers := flag.Int("workers", 2*runtime.GOMAXPROCS(0), "forecast model workers")
	flag.Parse()

	runtime.SetBlockProfileRate(10000)
	runtime.SetMutexProfileFraction(100)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	base := *feedURL
	if base == "" {
		var err error
		if base, err = startFeedReplay(); err != nil {
			log.Fatalf("feed replay: %v", err)
		}
	}
	feed := newFeedClient(base)
	obs := newObservationCache(feed, "eu-west")
	if err := obs.refresh(ctx); err != nil {
		log.Fatalf("initial observations: %v", err)
	}

	var bg sync.WaitGroup
	bg.Add(1)
	go func() {
		defer bg.Done()
		obs.run(ctx, *refresh)
	}()
	pool := newModelPool(*workers, 4**workers)

	api := &api{obs: obs, pool: pool, feed: feed}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/forecast", api.forecast)
	mux.HandleFunc("/v1/stations", api.stations)
	mux.HandleFunc("/v1/observations/latest", api.latest)
	mux.HandleFunc("/v1/observations/history", api.history)
	mux.HandleFunc("/healthz", api.healthz)

	dbg := http.NewServeMux()
	dbg.HandleFunc("/debug/pprof/", pprof.Index)
	dbg.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	dbg.HandleFunc("/debug/pprof/trace", pprof.Trace)
	dbg.Handle("/debug/vars", expvar.Handler())

	appLn, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	dbgLn, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Fatalf("debug listen: %v", err)
	}
	log.Printf("forecastd listening on %s (%d workers, %d stations)", appLn.Addr(), *workers, obs.count())
	log.Printf("debug server listening on %s", dbgLn.Addr())

	appSrv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	dbgSrv := &http.Server{Handler: dbg, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 60 * time.Second}
	for _, s := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{appSrv, appLn}, {dbgSrv, dbgLn}} {
		bg.Add(1)
		go func(srv *http.Server, ln net.Listener) {
			defer bg.Done()
			if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
				log.Printf("serve %s: %v", ln.Addr(), err)
			}
		}(s.srv, s.ln)
	}

	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	appSrv.Shutdown(shutdown)
	dbgSrv.Shutdown(shutdown)
	pool.close()
	bg.Wait()
	feed.close()
}
