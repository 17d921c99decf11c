// ratelock quotes prices in other currencies from a rate book shared by all requests.
// In "locked" mode main.(*rateBook).quote holds the book's mutex while it asks the
// upstream rate service (a network round trip of a few milliseconds), so every other
// request waits for that call; in "unlocked" mode it asks first and locks only to
// store the answer. Block and mutex profiling are on, as a service that wants them.
//
//	prog upstream                 serves /rate (6 ms per answer); prints its URL
//	prog locked|unlocked URL      serves /quote, calling URL/rate; prints its URL
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

type rateBook struct {
	mu       sync.Mutex
	rates    map[string]float64
	upstream string
	client   *http.Client
}

func (b *rateBook) fetch(cur string) float64 {
	resp, err := b.client.Get(b.upstream + "/rate?cur=" + cur)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	v, _ := strconv.ParseFloat(string(body), 64)
	return v
}

// quote refreshes the currency's rate and converts the amount.
func (b *rateBook) quote(cur string, amount float64) float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rates[cur] = b.fetch(cur)
	return amount * b.rates[cur]
}

// quoteUnlocked asks the upstream first, then locks only to store the rate.
func (b *rateBook) quoteUnlocked(cur string, amount float64) float64 {
	r := b.fetch(cur)
	b.mu.Lock()
	b.rates[cur] = r
	b.mu.Unlock()
	return amount * r
}

func listen() net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println("http://" + ln.Addr().String())
	return ln
}

func main() {
	mode := os.Args[1]
	if mode == "upstream" {
		ln := listen()
		panic(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(6 * time.Millisecond)
			fmt.Fprintf(w, "%.4f", 1.0+float64(len(r.URL.Query().Get("cur")))/100)
		})))
	}
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(10000)
	book := &rateBook{rates: map[string]float64{}, upstream: os.Args[2], client: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	http.HandleFunc("/quote", func(w http.ResponseWriter, r *http.Request) {
		cur := r.URL.Query().Get("cur")
		if cur == "" {
			cur = "EUR"
		}
		var v float64
		if mode == "locked" {
			v = book.quote(cur, 100)
		} else {
			v = book.quoteUnlocked(cur, 100)
		}
		fmt.Fprintf(w, "%s %.2f\n", cur, v)
	})
	ln := listen()
	panic(http.Serve(ln, nil))
}
