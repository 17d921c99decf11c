// Command alertfeed receives alert notifications from the monitoring
// pipeline and serves the on-call dashboard: the recent alerts, counts by
// severity and team, and acknowledgements.
package main

import (
	"context"
	"expvar"
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

var (
	alertsReceived = expvar.NewInt("alerts_received")
	alertsAcked    = expvar.NewInt("alerts_acked")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	keep := flag.Int("keep", 20000, "recent alerts kept for the dashboard")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	f := newFeed(*keep)
	expvar.Publish("feed_len", expvar.Func(func() interface{} { return f.length() }))
	api := &api{feed: f}
	http.HandleFunc("/v1/alerts", api.receive)
	http.HandleFunc("/v1/alerts/recent", api.recent)
	http.HandleFunc("/v1/alerts/summary", api.summary)
	http.HandleFunc("/v1/alerts/ack", api.ack)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("alertfeed listening on %s (keeping %d alerts)", ln.Addr(), *keep)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
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
