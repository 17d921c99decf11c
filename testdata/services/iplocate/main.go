// Command iplocate answers "where is this IP" for fraud scoring and content
// localisation, from the range database the data team publishes daily.
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
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	dbPath := flag.String("db", "", "range database (default: build the sample database in the temp dir)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	path := *dbPath
	if path == "" {
		path = filepath.Join(os.TempDir(), "iplocate-sample.rdb")
		n, err := writeSampleDB(path, 300000)
		if err != nil {
			log.Fatalf("sample db: %v", err)
		}
		log.Printf("sample database written: %s (%d ranges)", path, n)
	}
	db, err := openRangeDB(path)
	if err != nil {
		log.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()

	s := &server{db: db, hits: newCountryCounter()}
	http.HandleFunc("/v1/locate", s.locate)
	http.HandleFunc("/v1/locate/batch", s.locateBatch)
	http.HandleFunc("/v1/db", s.dbInfo)
	http.HandleFunc("/v1/stats/countries", s.countryStats)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("iplocate listening on %s (%d ranges, built %s)", ln.Addr(), db.count, db.built.Format(time.RFC3339))
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, IdleTimeout: time.Minute}
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
