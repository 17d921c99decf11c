// Command smsgate accepts SMS batches from partner platforms, drops the
// duplicates their retries produce, and queues the rest for the carriers.
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
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	window := flag.Duration("dedup-window", 15*time.Minute, "how long a message id is remembered")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	g := &gateway{
		dedup:    newDedupWindow(*window),
		routes:   defaultRoutes(),
		outbound: newCarrierQueues(),
		partners: map[string]string{"pk-acme-7f3a": "acme", "pk-lumen-22c1": "lumen", "pk-ride-90be": "rideshare"},
	}
	go g.dedup.sweepEvery(ctx, time.Minute)
	go g.outbound.drain(ctx, 50*time.Millisecond)

	http.HandleFunc("/v1/messages", g.submit)
	http.HandleFunc("/v1/messages/status", g.status)
	http.HandleFunc("/v1/routes", g.listRoutes)
	http.HandleFunc("/v1/queues", g.queues)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("smsgate listening on %s (dedup window %s)", ln.Addr(), *window)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
