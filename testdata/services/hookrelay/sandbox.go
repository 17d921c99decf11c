package main

import (
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// startReceiverSandbox stands in for the customers' webhook endpoints in
// staging: it answers like typical receivers do, including the occasional
// rate limit.
func startReceiverSandbox() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	var receipts uint64
	mux := http.NewServeMux()
	mux.HandleFunc("/hooks/", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		h := crc32.ChecksumIEEE([]byte(r.Header.Get("Hook-Id") + "|" + r.URL.Path + "|" + r.Header.Get("Hook-Attempt")))
		time.Sleep(time.Duration(3+h%7) * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case h%1000 < 25:
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(w, `{"error":"rate_limited","message":"too many webhook calls for this endpoint, slow down","limit_per_second":25}`)
		case h%1000 < 30:
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"error":"internal","message":"handler crashed"}`)
		default:
			fmt.Fprintf(w, `{"received":true,"receipt":"rcpt_%d_%08x"}`, atomic.AddUint64(&receipts, 1), h)
		}
	})
	go func() {
		if err := http.Serve(ln, mux); err != nil {
			log.Printf("receiver sandbox: %v", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}
