// Command feedmux aggregates publisher feeds into per-user timelines.
// Users subscribe to feeds; each subscription keeps a small buffer of the
// newest items, refreshed from the publisher on the feed's polling interval.
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
	statSubscriptions = expvar.NewInt("subscriptions")
	statRefreshes     = expvar.NewInt("refreshes")
	statItemsMerged   = expvar.NewInt("items_merged")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	interval := flag.Duration("poll-interval", 2*time.Second, "default feed polling interval")
	feeds := flag.Int("feeds", 400, "number of publisher feeds")
	flag.Parse()

	pubs := newPublisherSet(*feeds)
	agg := newAggregator(pubs, *interval)

	http.HandleFunc("/v1/subscriptions", agg.handleSubscribe)
	http.HandleFunc("/v1/subscriptions/", agg.handleSubscription)
	http.HandleFunc("/v1/timeline", agg.handleTimeline)
	http.HandleFunc("/v1/feeds", pubs.handleFeeds)
	http.HandleFunc("/v1/feeds/items", pubs.handleItems)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	log.Printf("feedmux listening on %s", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	err = http.Serve(ln, nil)
	if ctx.Err() == nil {
		log.Printf("serve: %v", err)
		os.Exit(1)
	}
	log.Printf("feedmux: bye")
}
