// Command loaddriver puts HTTP load on one of the test services under
// testdata/services/ while scripts/corpus.mjs captures it.
//
//	loaddriver -url http://127.0.0.1:PORT -load load.json -rate 50 -seconds 20
//	loaddriver -url http://127.0.0.1:PORT -load load.json -c 16 -seconds 20
//
// -rate N is an open loop: a request is started every 1/N s whether or not the
// earlier ones have answered, with at most -inflight requests outstanding
// (further ticks are counted as "dropped", never queued). -c N is a closed
// loop: N clients on keep-alive connections, each sending its next request as
// soon as the previous one answered or timed out. Every request has a
// -timeout, so a hung service (deadlock, leak) never stalls the driver.
//
// load.json:
//
//	{"requests":[{"method":"GET","path":"/v1/items?id={n}","weight":3},
//	             {"method":"POST","path":"/v1/orders","body":"{\"sku\":\"A{n}\"}","weight":1}],
//	 "idleConnections":0,"env":{...},"args":[...]}
//
// A request is chosen at random by weight from a seeded generator (-seed), so a
// run is repeatable; {n} in path, body and header values is an increasing
// integer (1, 2, 3 ... across all requests). idleConnections extra TCP
// connections are opened at start and held until exit: the even-numbered ones
// send a partial request (headers never finished), the odd-numbered ones one
// complete keep-alive request. env and args are for whoever starts the service
// and are ignored here.
//
// Only loopback targets are accepted: the URL host must be a loopback IP or
// "localhost", and every dial is checked to land on a loopback address.
//
// The driver stops after -seconds (at most 300), after -max requests, or on
// SIGINT/SIGTERM, and prints one line of JSON on stdout: requests, errors,
// timeouts, latency percentiles and more. Exit status 0 after a run (whatever
// the service answered), 2 on bad flags or a bad load file.
//
// Kept compatible with Go 1.19 (no min/max builtins, no range-over-int, no
// per-iteration loop variables assumed).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const maxSeconds = 300

type request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Body    string            `json:"body"`
	Weight  float64           `json:"weight"`
	Headers map[string]string `json:"headers"`
}

type loadFile struct {
	Requests        []request         `json:"requests"`
	IdleConnections int               `json:"idleConnections"`
	Env             map[string]string `json:"env"`
	Args            []string          `json:"args"`
}

func usage(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "loaddriver: "+format+"\n", args...)
	os.Exit(2)
}

// checkLoopbackURL accepts http://<loopback>:port only.
func checkLoopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("scheme %q: only http:// is supported", u.Scheme)
	}
	host := u.Hostname()
	if host == "" || u.Port() == "" {
		return nil, fmt.Errorf("%q: want http://127.0.0.1:PORT", raw)
	}
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("host %q is not a loopback address; loaddriver only drives local services", host)
		}
	}
	if u.User != nil {
		return nil, errors.New("credentials in the URL are not supported")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery = ""
	u.Fragment = ""
	return u, nil
}

// loopbackDialer refuses any connection whose resolved address is not loopback.
func loopbackDialer(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, err
		}
		for _, ip := range ips {
			if !ip.IP.IsLoopback() {
				continue
			}
			return d.DialContext(ctx, network, net.JoinHostPort(ip.IP.String(), port))
		}
		return nil, fmt.Errorf("refusing to dial %s: not a loopback address", addr)
	}
}

// picker chooses requests by weight.
type picker struct {
	reqs []request
	cum  []float64
}

func newPicker(reqs []request) (*picker, error) {
	p := &picker{reqs: reqs}
	total := 0.0
	for i, r := range reqs {
		if r.Path == "" || !strings.HasPrefix(r.Path, "/") {
			return nil, fmt.Errorf("requests[%d]: path %q must start with /", i, r.Path)
		}
		w := r.Weight
		if w == 0 {
			w = 1
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("requests[%d]: bad weight %v", i, r.Weight)
		}
		total += w
		p.cum = append(p.cum, total)
	}
	if len(reqs) == 0 {
		return nil, errors.New("no requests")
	}
	return p, nil
}

func (p *picker) pick(rng *rand.Rand) *request {
	x := rng.Float64() * p.cum[len(p.cum)-1]
	i := sort.SearchFloat64s(p.cum, x)
	if i >= len(p.reqs) {
		i = len(p.reqs) - 1
	}
	// SearchFloat64s finds the first cum >= x; x == cum[i] exactly belongs to the next one.
	for i < len(p.reqs)-1 && p.cum[i] <= x {
		i++
	}
	return &p.reqs[i]
}

// histogram of latencies in logarithmic buckets (2 % wide, from 10 µs).
const (
	histBase    = 10 * time.Microsecond
	histFactor  = 1.02
	histBuckets = 1200
)

type histogram struct {
	mu     sync.Mutex
	counts [histBuckets]int64
	n      int64
	max    time.Duration
}

func (h *histogram) add(d time.Duration) {
	i := 0
	if d > histBase {
		i = int(math.Log(float64(d)/float64(histBase))/math.Log(histFactor)) + 1
	}
	if i >= histBuckets {
		i = histBuckets - 1
	}
	h.mu.Lock()
	h.counts[i]++
	h.n++
	if d > h.max {
		h.max = d
	}
	h.mu.Unlock()
}

// quantile returns the upper edge of the bucket holding quantile q, in ms.
func (h *histogram) quantile(q float64) float64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			edge := float64(histBase) * math.Pow(histFactor, float64(i))
			if edge > float64(h.max) {
				edge = float64(h.max)
			}
			return round3(edge / 1e6)
		}
	}
	return round3(float64(h.max) / 1e6)
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

type stats struct {
	sent        int64 // requests started
	completed   int64 // a response (any status) was read completely
	ok          int64 // 2xx
	errs        int64 // transport errors other than timeouts
	timeouts    int64
	dropped     int64 // open loop: ticks skipped because -inflight requests were outstanding
	cancelled   int64 // still in flight when the run ended
	inflight    int64
	maxInflight int64

	mu       sync.Mutex
	statuses map[int]int64
	errLast  string
	errCount map[string]int64

	lat histogram
}

func (s *stats) status(code int) {
	s.mu.Lock()
	s.statuses[code]++
	s.mu.Unlock()
}

func (s *stats) failure(kind string, err error) {
	s.mu.Lock()
	s.errCount[kind]++
	s.errLast = err.Error()
	s.mu.Unlock()
}

func classify(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "eof"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "other"
}

type driver struct {
	base    *url.URL
	client  *http.Client
	picker  *picker
	counter int64 // {n}
	st      *stats
	runCtx  context.Context
	timeout time.Duration
}

func (d *driver) substitute(s string, n string) string {
	if !strings.Contains(s, "{n}") {
		return s
	}
	return strings.Replace(s, "{n}", n, -1)
}

// do sends one request and records its outcome.
func (d *driver) do(r *request) {
	n := strconv.FormatInt(atomic.AddInt64(&d.counter, 1), 10)
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(d.substitute(r.Body, n))
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	ctx, cancel := context.WithTimeout(d.runCtx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, d.base.String()+d.substitute(r.Path, n), body)
	if err != nil {
		atomic.AddInt64(&d.st.errs, 1)
		d.st.failure("bad-request", err)
		return
	}
	if r.Body != "" {
		t := strings.TrimSpace(r.Body)
		if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "text/plain; charset=utf-8")
		}
	}
	for k, v := range r.Headers {
		req.Header.Set(k, d.substitute(v, n))
	}
	req.Header.Set("User-Agent", "godiag-loaddriver/1")

	atomic.AddInt64(&d.st.sent, 1)
	in := atomic.AddInt64(&d.st.inflight, 1)
	for {
		m := atomic.LoadInt64(&d.st.maxInflight)
		if in <= m || atomic.CompareAndSwapInt64(&d.st.maxInflight, m, in) {
			break
		}
	}
	defer atomic.AddInt64(&d.st.inflight, -1)

	start := time.Now()
	resp, err := d.client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil {
			d.st.lat.add(time.Since(start))
			atomic.AddInt64(&d.st.completed, 1)
			d.st.status(resp.StatusCode)
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				atomic.AddInt64(&d.st.ok, 1)
			}
			return
		}
	}
	switch {
	case d.runCtx.Err() != nil:
		atomic.AddInt64(&d.st.cancelled, 1)
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || classify(err) == "timeout":
		atomic.AddInt64(&d.st.timeouts, 1)
	default:
		atomic.AddInt64(&d.st.errs, 1)
		d.st.failure(classify(err), err)
	}
}

// idle opens n extra connections and holds them until ctx is done.
type idleStats struct {
	opened, failed, closedByServer int64
}

func openIdle(ctx context.Context, base *url.URL, first *request, n int, dial func(context.Context, string, string) (net.Conn, error), is *idleStats, wg *sync.WaitGroup) {
	hostport := base.Host
	path := base.Path + "/"
	method := "GET"
	if first != nil {
		path = base.Path + strings.Replace(first.Path, "{n}", "0", -1)
		if first.Method != "" && first.Method != "POST" && first.Method != "PUT" && first.Method != "PATCH" {
			method = first.Method
		}
	}
	for i := 0; i < n; i++ {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		c, err := dial(dctx, "tcp", hostport)
		cancel()
		if err != nil {
			atomic.AddInt64(&is.failed, 1)
			continue
		}
		atomic.AddInt64(&is.opened, 1)
		var msg string
		if i%2 == 0 {
			// Partial request: the header block is never terminated.
			msg = fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: godiag-loaddriver/1 (idle)\r\nX-Idle: %d\r\n", method, path, hostport, i)
		} else {
			msg = fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: godiag-loaddriver/1 (idle)\r\nConnection: keep-alive\r\n\r\n", method, path, hostport)
		}
		c.SetWriteDeadline(time.Now().Add(2 * time.Second))
		if _, err := io.WriteString(c, msg); err != nil {
			atomic.AddInt64(&is.closedByServer, 1)
			c.Close()
			continue
		}
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			done := make(chan struct{})
			go func() {
				// Drain whatever the server answers; EOF means it hung up on us.
				_, _ = io.Copy(io.Discard, bufio.NewReader(c))
				select {
				case <-ctx.Done():
				default:
					atomic.AddInt64(&is.closedByServer, 1)
				}
				close(done)
			}()
			select {
			case <-ctx.Done():
			case <-done:
			}
			c.Close()
			<-done
		}(c)
	}
}

func main() {
	rawURL := flag.String("url", "", "service base URL, http://127.0.0.1:PORT (loopback only)")
	loadPath := flag.String("load", "", "load.json")
	rate := flag.Float64("rate", 0, "open loop: requests per second")
	clients := flag.Int("c", 0, "closed loop: number of keep-alive clients")
	seconds := flag.Float64("seconds", 10, "run time in seconds (at most 300)")
	maxReq := flag.Int64("max", 0, "stop after this many requests (0 = no cap)")
	seed := flag.Int64("seed", 1, "random seed for the weighted choice of requests")
	timeout := flag.Duration("timeout", 5*time.Second, "per-request timeout")
	maxInflight := flag.Int64("inflight", 2000, "open loop: most requests outstanding at once")
	flag.Parse()

	if flag.NArg() > 0 {
		usage("unexpected arguments %q", flag.Args())
	}
	base, err := checkLoopbackURL(*rawURL)
	if err != nil {
		usage("-url: %v", err)
	}
	if (*rate > 0) == (*clients > 0) {
		usage("give exactly one of -rate N (open loop) or -c N (closed loop)")
	}
	if *rate > 100000 || math.IsNaN(*rate) {
		usage("-rate %v is too high", *rate)
	}
	if *clients > 10000 {
		usage("-c %d is too many", *clients)
	}
	if !(*seconds > 0) {
		usage("-seconds must be > 0")
	}
	if *seconds > maxSeconds {
		fmt.Fprintf(os.Stderr, "loaddriver: -seconds %v capped at %d\n", *seconds, maxSeconds)
		*seconds = maxSeconds
	}
	if *timeout <= 0 || *maxInflight <= 0 || *maxReq < 0 {
		usage("-timeout, -inflight must be > 0 and -max >= 0")
	}
	if *loadPath == "" {
		usage("-load is required")
	}
	raw, err := os.ReadFile(*loadPath)
	if err != nil {
		usage("%v", err)
	}
	var lf loadFile
	if err := json.Unmarshal(raw, &lf); err != nil {
		usage("%s: %v", *loadPath, err)
	}
	pk, err := newPicker(lf.Requests)
	if err != nil {
		usage("%s: %v", *loadPath, err)
	}
	if lf.IdleConnections < 0 || lf.IdleConnections > 10000 {
		usage("%s: idleConnections %d out of range 0..10000", *loadPath, lf.IdleConnections)
	}

	dial := loopbackDialer(2 * time.Second)
	idlePerHost := 64
	if *clients > idlePerHost {
		idlePerHost = *clients
	}
	tr := &http.Transport{
		DialContext:           dial,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   idlePerHost,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: *timeout,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
	}
	client := &http.Client{
		Transport: tr,
		Timeout:   *timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}

	// runCtx ends the run (deadline, signal): in-flight requests are cancelled.
	// issueCtx also ends on -max: no new requests, but those in flight may finish.
	runCtx, stop := context.WithTimeout(context.Background(), time.Duration(*seconds*float64(time.Second)))
	defer stop()
	issueCtx, stopIssuing := context.WithCancel(runCtx)
	defer stopIssuing()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	stopReason := "seconds"
	var reasonMu sync.Mutex
	setReason := func(r string) {
		reasonMu.Lock()
		if stopReason == "seconds" {
			stopReason = r
		}
		reasonMu.Unlock()
	}
	go func() {
		select {
		case s := <-sigs:
			setReason(s.String())
			stop()
		case <-runCtx.Done():
		}
	}()

	st := &stats{statuses: map[int]int64{}, errCount: map[string]int64{}}
	d := &driver{base: base, client: client, picker: pk, st: st, runCtx: runCtx, timeout: *timeout}

	var idleWG sync.WaitGroup
	is := &idleStats{}
	if lf.IdleConnections > 0 {
		var first *request
		for i := range lf.Requests {
			if lf.Requests[i].Method == "" || lf.Requests[i].Method == "GET" {
				first = &lf.Requests[i]
				break
			}
		}
		openIdle(runCtx, base, first, lf.IdleConnections, dial, is, &idleWG)
	}

	start := time.Now()
	var reqWG sync.WaitGroup
	var issued int64 // requests handed out (for -max)
	take := func() bool {
		if *maxReq == 0 {
			return true
		}
		return atomic.AddInt64(&issued, 1) <= *maxReq
	}

	mode := "open"
	if *rate > 0 {
		rng := rand.New(rand.NewSource(*seed))
		interval := time.Duration(float64(time.Second) / *rate)
		var outstanding int64 // goroutines launched and not yet done (bounds -inflight exactly)
		timer := time.NewTimer(0)
		next := start
	open:
		for {
			select {
			case <-issueCtx.Done():
				break open
			case <-timer.C:
			}
			now := time.Now()
			// Fire every tick that is due (catches up after a scheduling hiccup,
			// at most one second's worth at once).
			due := 0
			for !next.After(now) && due < int(*rate)+1 {
				due++
				next = next.Add(interval)
			}
			if next.Before(now) {
				next = now.Add(interval)
			}
			for i := 0; i < due; i++ {
				r := d.picker.pick(rng) // drawn for every tick, so the sequence is the seed's
				if !take() {
					setReason("max")
					stopIssuing()
					break open
				}
				if atomic.LoadInt64(&outstanding) >= *maxInflight {
					atomic.AddInt64(&st.dropped, 1)
					continue
				}
				atomic.AddInt64(&outstanding, 1)
				reqWG.Add(1)
				go func(r *request) {
					defer reqWG.Done()
					defer atomic.AddInt64(&outstanding, -1)
					d.do(r)
				}(r)
			}
			timer.Reset(time.Until(next))
		}
		timer.Stop()
	} else {
		mode = "closed"
		for i := 0; i < *clients; i++ {
			reqWG.Add(1)
			go func(i int) {
				defer reqWG.Done()
				rng := rand.New(rand.NewSource(*seed + int64(i)*7919))
				for issueCtx.Err() == nil {
					r := d.picker.pick(rng)
					if !take() {
						setReason("max")
						stopIssuing()
						return
					}
					d.do(r)
				}
			}(i)
		}
		<-issueCtx.Done()
	}

	// After -max, the requests in flight may still answer (each within
	// -timeout) unless the deadline or a signal ends the run first.
	reqsDone := make(chan struct{})
	go func() { reqWG.Wait(); close(reqsDone) }()
	select {
	case <-reqsDone:
	case <-runCtx.Done():
	}
	elapsed := time.Since(start)
	stop() // releases the idle connections; in-flight requests return at once

	waited := make(chan struct{})
	go func() { reqWG.Wait(); idleWG.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(3 * time.Second):
	}
	tr.CloseIdleConnections()

	statuses := map[string]int64{}
	st.mu.Lock()
	for k, v := range st.statuses {
		statuses[strconv.Itoa(k)] = v
	}
	errKinds := map[string]int64{}
	for k, v := range st.errCount {
		errKinds[k] = v
	}
	errLast := st.errLast
	st.mu.Unlock()
	reasonMu.Lock()
	reason := stopReason
	reasonMu.Unlock()

	summary := map[string]interface{}{
		"mode":           mode,
		"url":            base.String(),
		"seed":           *seed,
		"seconds":        round3(elapsed.Seconds()),
		"stoppedBy":      reason,
		"requests":       atomic.LoadInt64(&st.sent),
		"completed":      atomic.LoadInt64(&st.completed),
		"ok":             atomic.LoadInt64(&st.ok),
		"non2xx":         atomic.LoadInt64(&st.completed) - atomic.LoadInt64(&st.ok),
		"errors":         atomic.LoadInt64(&st.errs),
		"timeouts":       atomic.LoadInt64(&st.timeouts),
		"cancelledAtEnd": atomic.LoadInt64(&st.cancelled),
		"maxInflight":    atomic.LoadInt64(&st.maxInflight),
		"statuses":       statuses,
		"p50Ms":          st.lat.quantile(0.50),
		"p99Ms":          st.lat.quantile(0.99),
		"maxMs":          round3(float64(st.lat.max) / 1e6),
		"rps":            round3(float64(atomic.LoadInt64(&st.completed)) / elapsed.Seconds()),
	}
	if mode == "open" {
		summary["rate"] = *rate
		summary["dropped"] = atomic.LoadInt64(&st.dropped)
	} else {
		summary["clients"] = *clients
	}
	if len(errKinds) > 0 {
		summary["errorKinds"] = errKinds
		summary["lastError"] = errLast
	}
	if lf.IdleConnections > 0 {
		summary["idle"] = map[string]int64{
			"requested":      int64(lf.IdleConnections),
			"opened":         atomic.LoadInt64(&is.opened),
			"failed":         atomic.LoadInt64(&is.failed),
			"closedByServer": atomic.LoadInt64(&is.closedByServer),
		}
	}
	out, _ := json.Marshal(summary)
	fmt.Println(string(out))
}
