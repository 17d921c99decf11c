// loadgen drives a bounded closed-loop HTTP load against a service on the
// loopback interface and prints a throughput timeline as JSON, for
// bench/capture-overhead.mjs. It is written in Go rather than in the Node
// bench script so the load generator costs little CPU next to the target.
//
//	loadgen -url http://127.0.0.1:PORT/work -c 8 -seconds 50 -bucket 100ms
//	loadgen -url URL1,URL2 -c 8 ...   two services (twins) under the same load: -c
//	                                  clients each, one process (bench/ebpf-overhead.mjs)
//
// Safety: only loopback targets, at most -seconds of load and -max requests.
// Output: {"startUnixMs": T, "bucketMs": B, "counts": [...], "errors": E}
// where counts[i] is the requests completed in [T+i*B, T+(i+1)*B); with several
// URLs also "perUrl": [[...], ...], the same counts per URL (counts is their sum).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type timeline struct {
	StartUnixMs int64   `json:"startUnixMs"`
	BucketMs    int64   `json:"bucketMs"`
	Counts      []int64   `json:"counts"`
	PerURL      [][]int64 `json:"perUrl,omitempty"`
	Errors      int64     `json:"errors"`
}

func main() {
	targetList := flag.String("url", "", "URL to GET (loopback only); several, comma-separated: -c clients for each")
	conc := flag.Int("c", 8, "concurrent clients (keep-alive connections)")
	secs := flag.Float64("seconds", 10, "load duration (capped at 600)")
	max := flag.Int64("max", 5_000_000, "stop after this many requests")
	bucket := flag.Duration("bucket", 100*time.Millisecond, "timeline resolution")
	flag.Parse()

	targets := strings.Split(*targetList, ",")
	for _, t := range targets {
		u, err := url.Parse(t)
		if err != nil || u.Scheme != "http" {
			fail("-url must be an http:// URL")
		}
		if ip := net.ParseIP(u.Hostname()); !(u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()) {
			fail("-url must point at the loopback interface")
		}
	}
	if *secs <= 0 || *secs > 600 || *conc < 1 || *conc > 256 || *bucket < time.Millisecond {
		fail("-seconds must be in (0, 600], -c in [1, 256], -bucket >= 1ms")
	}

	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc},
	}
	var done, errs atomic.Int64
	perURL := make([]atomic.Int64, len(targets))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < *conc*len(targets); i++ {
		k := i % len(targets)
		target := &targets[k]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if done.Load()+errs.Load() >= *max {
					return
				}
				resp, err := client.Get(*target)
				if err != nil {
					errs.Add(1)
					time.Sleep(10 * time.Millisecond)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
					continue
				}
				done.Add(1)
				perURL[k].Add(1)
			}
		}()
	}

	tl := timeline{StartUnixMs: start.UnixMilli(), BucketMs: bucket.Milliseconds()}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	deadline := time.After(time.Duration(*secs * float64(time.Second)))
	// Ticks are taken against the start time so the buckets do not drift.
	next := start.Add(*bucket)
	var last int64
	lastPer := make([]int64, len(targets))
	if len(targets) > 1 {
		tl.PerURL = make([][]int64, len(targets))
	}
loop:
	for {
		select {
		case <-time.After(time.Until(next)):
			n := done.Load()
			tl.Counts = append(tl.Counts, n-last)
			last = n
			for k := range tl.PerURL {
				m := perURL[k].Load()
				tl.PerURL[k] = append(tl.PerURL[k], m-lastPer[k])
				lastPer[k] = m
			}
			next = next.Add(*bucket)
		case <-deadline:
			break loop
		case <-sig:
			break loop
		}
	}
	close(stop)
	wg.Wait()
	tl.Errors = errs.Load()
	json.NewEncoder(os.Stdout).Encode(tl)
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "loadgen:", msg)
	os.Exit(2)
}
