// Command bulkimport accepts catalogue item batches from suppliers and
// imports them into the product store.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type api struct {
	pipe  *Pipeline
	store *productStore
	wait  time.Duration
}

func respond(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *api) createImport(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		respond(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var body struct {
		Supplier string `json:"supplier"`
		Items    []Item `json:"items"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		respond(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON"})
		return
	}
	if len(body.Items) == 0 || len(body.Items) > 500 {
		respond(w, http.StatusBadRequest, map[string]string{"error": "a batch has 1 to 500 items"})
		return
	}
	for i := range body.Items {
		if body.Items[i].Supplier == "" {
			body.Items[i].Supplier = body.Supplier
		}
	}
	job := a.pipe.Submit(body.Items)
	t := time.NewTimer(a.wait)
	defer t.Stop()
	select {
	case <-job.done:
		respond(w, http.StatusCreated, job.snapshot())
	case <-t.C:
		w.Header().Set("Location", "/v1/imports/"+job.ID)
		respond(w, http.StatusAccepted, job.snapshot())
	}
}

func (a *api) getImport(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/v1/imports/")
	job, ok := a.pipe.Job(id)
	if !ok {
		respond(w, http.StatusNotFound, map[string]string{"error": "unknown import"})
		return
	}
	respond(w, http.StatusOK, job.snapshot())
}

func (a *api) getProduct(w http.ResponseWriter, r *http.Request) {
	sku := strings.ToUpper(r.URL.Query().Get("sku"))
	p, ok := a.store.get(sku)
	if !ok {
		respond(w, http.StatusNotFound, map[string]string{"error": "unknown sku"})
		return
	}
	respond(w, http.StatusOK, p)
}

func (a *api) health(w http.ResponseWriter, r *http.Request) {
	respond(w, http.StatusOK, map[string]interface{}{"status": "ok", "products": a.store.count()})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	wait := flag.Duration("sync-wait", 300*time.Millisecond, "how long an import request waits before answering 202")
	flag.Parse()

	runtime.SetBlockProfileRate(1)

	store := newProductStore(8)
	a := &api{pipe: NewPipeline(store), store: store, wait: *wait}
	http.HandleFunc("/v1/imports", a.createImport)
	http.HandleFunc("/v1/imports/", a.getImport)
	http.HandleFunc("/v1/products", a.getProduct)
	http.HandleFunc("/healthz", a.health)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	log.Printf("bulkimport listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatalf("serve: %v", err)
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
}
