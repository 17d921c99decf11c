package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// journal forwards clicks to the analytics warehouse in arrival order.
type journal struct {
	queue   chan Click
	client  *http.Client
	url     string
	shipped int64
	failed  int64
}

func newJournal(warehouseURL string, depth int) *journal {
	return &journal{
		queue:  make(chan Click, depth),
		client: &http.Client{Timeout: 5 * time.Second},
		url:    warehouseURL + "/ingest",
	}
}

func (j *journal) append(c Click) {
	j.queue <- c
}

func (j *journal) Shipped() int64 { return atomic.LoadInt64(&j.shipped) }

func (j *journal) run() {
	for c := range j.queue {
		if err := j.ship(c); err != nil {
			atomic.AddInt64(&j.failed, 1)
			continue
		}
		atomic.AddInt64(&j.shipped, 1)
	}
}

func (j *journal) ship(c Click) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	resp, err := j.client.Post(j.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(ioutil.Discard, resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("warehouse: %s", resp.Status)
	}
	return nil
}

// startWarehouse runs the local stand-in for the analytics warehouse's
// ingest endpoint, which commits each event before acknowledging it.
func startWarehouse() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ingest", func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]interface{}
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		time.Sleep(60 * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	})
	go func() {
		if err := http.Serve(ln, mux); err != nil {
			log.Printf("warehouse stub: %v", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}
