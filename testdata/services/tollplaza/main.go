// Command tollplaza is the lane controller's back end: every vehicle passage
// read by the gantry is priced, charged to the tag account, and shipped to the
// audit collector, which the regulator requires to hold every event.
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
	collectorAddr := flag.String("collector", "", "audit collector host:port (default: an embedded collector on loopback)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	target := *collectorAddr
	if target == "" {
		c, err := startCollector("127.0.0.1:0")
		if err != nil {
			log.Fatalf("collector: %v", err)
		}
		target = c.addr
		log.Printf("embedded audit collector on %s", target)
	}
	audit, err := dialAudit(ctx, target)
	if err != nil {
		log.Fatalf("audit: %v", err)
	}

	p := &plaza{
		fares:    defaultFareTable(),
		accounts: newAccountBook(20000),
		lanes:    newLaneBoard(12),
		audit:    audit,
	}
	http.HandleFunc("/v1/passages", p.passage)
	http.HandleFunc("/v1/accounts/balance", p.balance)
	http.HandleFunc("/v1/accounts/topup", p.topup)
	http.HandleFunc("/v1/lanes", p.laneStatus)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("tollplaza listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		audit.close()
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
