// Command hookrelay delivers account events (invoice.paid, subscription.updated,
// ...) to the webhook endpoints customers register, signing each payload and
// retrying endpoints that ask it to slow down.
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
	receiver := flag.String("receiver", "", "base URL the demo endpoints point at (default: the local receiver sandbox)")
	attempts := flag.Int("max-attempts", 3, "delivery attempts per endpoint")
	flag.Parse()

	base := *receiver
	if base == "" {
		var err error
		if base, err = startReceiverSandbox(); err != nil {
			log.Fatalf("receiver sandbox: %v", err)
		}
	}
	reg := newRegistry()
	reg.seedDemo(base, 400)
	d := newDeliverer(*attempts)
	h := &handlers{reg: reg, deliver: d, log: newDeliveryLog(5000)}

	http.HandleFunc("/v1/events", h.publish)
	http.HandleFunc("/v1/endpoints", h.endpoints)
	http.HandleFunc("/v1/deliveries/recent", h.recent)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("hookrelay listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
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
