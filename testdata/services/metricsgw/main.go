// Command metricsgw is the remote-write gateway in front of the metrics
// store: agents push samples in the text exposition format, metricsgw
// attaches the cluster's external labels, indexes the series and keeps the
// latest value of each for the alerting fast path.
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
	"strings"
	"syscall"
	"time"
)

var (
	samplesIn     = expvar.NewInt("samples_received")
	samplesBad    = expvar.NewInt("samples_rejected")
	seriesFlushed = expvar.NewInt("series_flushed")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	external := flag.String("external-labels", "cluster=eu-prod-3,region=eu-west-1,env=production,replica=a,tenant=platform,source=agent,scrape_pool=kubernetes-pods,collector=metricsgw-0", "labels added to every series, name=value,...")
	maxSeries := flag.Int("head-series", 4000, "series kept in the head before it is cut and flushed")
	flag.Parse()

	ing := newIngester(parseExternal(*external), *maxSeries)
	http.HandleFunc("/v1/write", ing.handleWrite)
	http.HandleFunc("/v1/series", ing.handleSeries)
	http.HandleFunc("/v1/last", ing.handleLast)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("metricsgw listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

func parseExternal(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}
