// netclient: real HTTP traffic for godiag's network tests: -n requests over -c
// connections (keep-alive), each path from -paths in turn. Prints one line per request:
// status, seconds. Exits 0 even when some requests fail (the faults are the point).
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "", "base URL")
	n := flag.Int("n", 20, "requests")
	c := flag.Int("c", 2, "concurrent connections")
	paths := flag.String("paths", "/", "comma-separated paths, used in turn")
	fresh := flag.Bool("fresh", false, "a new connection per request")
	closeFirst := flag.Bool("close-first", false, "a new connection per request, closed by the client after the response (TIME_WAIT on the client's side)")
	timeout := flag.Duration("timeout", 20*time.Second, "per-request timeout")
	tlsMax := flag.String("tls-max", "", "highest TLS version offered: 1.2 or 1.3 (default Go's)")
	h2 := flag.Bool("h2", false, "offer HTTP/2 over TLS (ALPN h2, http/1.1); without it the client offers no ALPN and speaks HTTP/1.1")
	flag.Parse()
	tc := &tls.Config{InsecureSkipVerify: true}
	switch *tlsMax {
	case "1.2":
		tc.MaxVersion = tls.VersionTLS12
	case "1.3":
		tc.MaxVersion = tls.VersionTLS13
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *c, DisableKeepAlives: *fresh, TLSClientConfig: tc, ForceAttemptHTTP2: *h2}
	cl := &http.Client{Transport: tr, Timeout: *timeout}
	ps := strings.Split(*paths, ",")
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < *c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				start := time.Now()
				status := 0
				r, err := cl.Get(*base + ps[i%len(ps)])
				if err == nil {
					io.Copy(io.Discard, r.Body)
					r.Body.Close()
					status = r.StatusCode
				}
				if *closeFirst {
					// the connection went back to the pool idle: close it from this side
					tr.CloseIdleConnections()
				}
				mu.Lock()
				fmt.Printf("%d %.6f\n", status, time.Since(start).Seconds())
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < *n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	os.Stdout.Sync()
}
