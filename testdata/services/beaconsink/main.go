// Command beaconsink collects the analytics beacons that the web SDK sends
// from customers' pages and hands them, batched, to the warehouse loader.
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
	batchSize := flag.Int("batch", 500, "events per warehouse batch")
	maxWait := flag.Duration("max-wait", 2*time.Second, "longest an event waits for its batch")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	wh := newWarehouse(64)
	b := newBatcher(wh, *batchSize, *maxWait)
	go b.run()

	c := &collector{batcher: b, sites: defaultSites()}
	http.HandleFunc("/v1/collect", c.handleCollect)
	http.HandleFunc("/v1/sites", c.handleSites)
	http.HandleFunc("/v1/stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, wh.stats()) })
	http.HandleFunc("/v1/shipments/recent", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, wh.recent(10)) })
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("beaconsink listening on %s (batch %d, max wait %s)", ln.Addr(), *batchSize, *maxWait)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		b.close()
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
