// Command reportgen renders account statements (CSV, gzip-compressed) and
// spending summaries for the banking app's download and insights screens.
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
	accounts := flag.Int("accounts", 600, "accounts in the ledger snapshot")
	perAccount := flag.Int("tx", 360, "transactions per account")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	l := loadLedger(*accounts, *perAccount)
	log.Printf("ledger loaded: %d accounts, %d transactions in %s", len(l.accounts), l.count, time.Since(start).Round(time.Millisecond))

	api := &api{ledger: l}
	http.HandleFunc("/v1/statements", api.statement)
	http.HandleFunc("/v1/summary", api.summary)
	http.HandleFunc("/v1/accounts", api.listAccounts)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("reportgen listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
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
