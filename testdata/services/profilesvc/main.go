// Command profilesvc stores member profiles (display name, team, locale,
// notification preferences) for the collaboration suite.
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
	"sync"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "API listen address")
	debugAddr := flag.String("debug-addr", "127.0.0.1:0", "debug (pprof) listen address")
	seed := flag.Int("seed", 5000, "number of demo profiles")
	flag.Parse()

	store := newProfileStore()
	store.seed(*seed)

	api := newAPI(store)
	appSrv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}

	dbg := http.NewServeMux()
	dbg.HandleFunc("/debug/pprof/", pprof.Index)
	dbg.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	dbg.HandleFunc("/debug/pprof/trace", pprof.Trace)
	debugSrv := &http.Server{Handler: dbg, ReadHeaderTimeout: 5 * time.Second}

	appLn, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	dbgLn, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Fatalf("debug listen: %v", err)
	}
	log.Printf("profilesvc listening on %s", appLn.Addr())
	log.Printf("debug server listening on %s", dbgLn.Addr())

	var wg sync.WaitGroup
	for _, s := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{appSrv, appLn}, {debugSrv, dbgLn}} {
		wg.Add(1)
		go func(srv *http.Server, ln net.Listener) {
			defer wg.Done()
			if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
				log.Printf("serve %s: %v", ln.Addr(), err)
			}
		}(s.srv, s.ln)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	appSrv.Shutdown(ctx)
	debugSrv.Shutdown(ctx)
	wg.Wait()
}
