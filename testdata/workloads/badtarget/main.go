// badtarget is a /debug/pprof service that misbehaves on request, for testing
// godiag capture's failure handling against a real HTTP server. Every profile
// is served by the real net/http/pprof handlers unless a flag names it:
//
//	-hang heap,allocs     never answer these (until the client gives up)
//	-fail500 block        answer 500 with a Go-style error body
//	-html mutex           answer 200 text/html (a login page, as a proxy would)
//	-close threadcreate   hijack the connection and close it without a reply
//	-notfound index       answer 404 (the profiles themselves still answer)
//
// Names are the path element after /debug/pprof/ ("index" for the index page,
// "vars" for /debug/vars, "profile" for the CPU profile). -labels runs
// goroutines under pprof labels with recognisable personal-looking values, and
// logs them on stderr (for --redact tests); /work is a small CPU+allocation handler for load tests
// (?n=ITERATIONS sets its cost: 200 sha256 rounds by default). -idle N parks N
// goroutines and -probe measures stop-the-world pauses (for capture overhead).
//
// Services that are not (only) /debug/pprof, for what capture must not mistake:
//
//	-novars               no /debug/vars (a service that does not import expvar)
//	-nopprof              no /debug/pprof at all
//	-catchall json|html   the application answers every other path with 200 JSON
//	                      or an HTML page (so /debug/vars, when absent, gets that)
//	-pprof-addr ADDR      serve /debug/pprof and /debug/vars on this second listener
//	                      (an admin port), not on -addr, which keeps the application
//	-extra-addr ADDR      one more listener serving the application (a port that is
//	                      neither)
//
// Like the fault workloads it prints "listening on http://ADDR" (-addr) first on
// stdout and exits after -seconds (when > 0) or on SIGTERM.
package main

import (
	"context"
	"crypto/sha256"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/metrics"
	rpprof "runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Split(s, ",") {
		if n != "" {
			m[n] = true
		}
	}
	return m
}

// Label values a redaction must remove from every file of a bundle.
var secretUsers = []string{"alice.smith@example.com", "bob-4111111111111111", "carol-ssn-078-05-1120"}

var work sync.Mutex

//go:noinline
func burn(n int) [32]byte {
	b := make([]byte, 256)
	var sum [32]byte
	for i := 0; i < n; i++ {
		b[i%len(b)] ^= byte(i)
		sum = sha256.Sum256(b)
	}
	return sum
}

func main() {
	hang := flag.String("hang", "", "profiles that never answer")
	fail500 := flag.String("fail500", "", "profiles that answer 500")
	html := flag.String("html", "", "profiles that answer an HTML page")
	closeConn := flag.String("close", "", "profiles whose connection is closed without a reply")
	notFound := flag.String("notfound", "", "profiles that answer 404")
	labels := flag.Bool("labels", false, "run goroutines under pprof labels holding personal-looking values")
	noRates := flag.Bool("no-block-mutex", false, "leave block and mutex profiling off")
	secs := flag.Float64("seconds", 0, "exit after this many seconds (0 = until SIGTERM)")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	idle := flag.Int("idle", 0, "park this many goroutines on a channel (a service with many connections)")
	noVars := flag.Bool("novars", false, "do not serve /debug/vars")
	noPprof := flag.Bool("nopprof", false, "do not serve /debug/pprof")
	catchAll := flag.String("catchall", "", "answer every other path with 200: json or html")
	pprofAddr := flag.String("pprof-addr", "", "serve /debug/pprof and /debug/vars on this address instead of -addr")
	extraAddr := flag.String("extra-addr", "", "also serve the application on this address")
	ignoreTerm := flag.Bool("ignore-term", false, "ignore SIGTERM and SIGINT (a program that does not stop when asked; -seconds still ends it)")
	probe := flag.Bool("probe", false, "spin one goroutine measuring the longest gap between its clock reads; GET /maxgap returns it and the longest stop-the-world pause since the last GET (ns)")
	tlsCert := flag.String("tls-cert", "", "serve -addr over TLS with this certificate (PEM; needs -tls-key)")
	tlsKey := flag.String("tls-key", "", "the private key of -tls-cert (PEM)")
	flag.Parse()
	if !*noRates {
		runtime.SetBlockProfileRate(1)
		runtime.SetMutexProfileFraction(1)
	}
	hangs, fails, htmls, closes, missing := set(*hang), set(*fail500), set(*html), set(*closeConn), set(*notFound)
	release := make(chan struct{}) // closed at exit so hung handlers return

	misbehave := func(name string, real http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case hangs[name]:
				select {
				case <-r.Context().Done():
				case <-release:
				}
			case fails[name]:
				http.Error(w, "Could not enable CPU profiling: cpu profiling already in use", http.StatusInternalServerError)
			case htmls[name]:
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>login</form></body></html>\n")
			case missing[name]:
				http.NotFound(w, r)
			case closes[name]:
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
			default:
				real.ServeHTTP(w, r)
			}
		})
	}

	mux := http.NewServeMux()
	for i := 0; i < *idle; i++ {
		go func() { <-release }()
	}
	// A stop-the-world pause stops the prober too: the longest gap between two
	// consecutive clock reads is the longest pause it saw (plus scheduling noise).
	var maxGap atomic.Int64
	if *probe {
		go func() {
			last := time.Now()
			for {
				now := time.Now()
				if d := int64(now.Sub(last)); d > maxGap.Load() {
					maxGap.Store(d)
				}
				last = now
			}
		}()
	}
	// The runtime's own record of its non-GC stop-the-world pauses: the upper
	// bound of the highest histogram bucket that grew since the last request.
	var stwMu sync.Mutex
	var stwLast []uint64
	longestNewPause := func() float64 {
		stwMu.Lock()
		defer stwMu.Unlock()
		sample := []metrics.Sample{{Name: "/sched/pauses/total/other:seconds"}}
		metrics.Read(sample)
		h := sample[0].Value.Float64Histogram()
		longest := 0.0
		for i, c := range h.Counts {
			if stwLast != nil && c > stwLast[i] {
				longest = h.Buckets[i+1]
			}
		}
		stwLast = append(stwLast[:0], h.Counts...)
		return longest
	}
	longestNewPause()
	mux.HandleFunc("/maxgap", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "{\"gapNs\": %d, \"stwNs\": %.0f}\n", maxGap.Swap(0), longestNewPause()*1e9)
	})
	switch *catchAll {
	case "":
	case "json":
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, "{\"status\": \"ok\", \"path\": %q, \"items\": []}\n", r.URL.Path)
		})
	case "html":
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Acme shop</title></head><body><h1>Welcome</h1></body></html>\n")
		})
	default:
		fmt.Fprintln(os.Stderr, "badtarget: -catchall takes json or html")
		os.Exit(2)
	}
	admin := mux // where /debug/pprof and /debug/vars are served
	if *pprofAddr != "" {
		admin = http.NewServeMux()
	}
	if !*noPprof {
		admin.Handle("/debug/pprof/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			name := strings.TrimPrefix(r.URL.Path, "/debug/pprof/")
			if name == "" {
				name = "index"
			}
			misbehave(name, http.HandlerFunc(pprof.Index)).ServeHTTP(w, r)
		}))
		admin.Handle("/debug/pprof/cmdline", misbehave("cmdline", http.HandlerFunc(pprof.Cmdline)))
		admin.Handle("/debug/pprof/profile", misbehave("profile", http.HandlerFunc(pprof.Profile)))
		admin.Handle("/debug/pprof/symbol", misbehave("symbol", http.HandlerFunc(pprof.Symbol)))
		admin.Handle("/debug/pprof/trace", misbehave("trace", http.HandlerFunc(pprof.Trace)))
	}
	if !*noVars {
		admin.Handle("/debug/vars", misbehave("vars", expvar.Handler()))
	}
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		n := 200
		if v, err := strconv.Atoi(r.URL.Query().Get("n")); err == nil && v > 0 && v <= 1_000_000 {
			n = v
		}
		sum := burn(n)
		work.Lock()
		work.Unlock()
		fmt.Fprintf(w, "%x\n", sum[:4])
	})

	if *labels {
		for _, u := range secretUsers {
			u := u
			// Services log who they serve: `godiag run --redact` must clean stderr too.
			fmt.Fprintf(os.Stderr, "badtarget: worker started for user=%s\n", u)
			go rpprof.Do(context.Background(), rpprof.Labels("user", u, "tenant", "tenant-"+u), func(ctx context.Context) {
				for {
					select {
					case <-release:
						return
					default:
					}
					burn(2000)
					time.Sleep(time.Millisecond)
				}
			})
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "badtarget:", err)
		os.Exit(1)
	}
	servers := []*http.Server{{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	listeners := []net.Listener{ln}
	for _, extra := range []struct {
		addr    string
		handler http.Handler
	}{{*pprofAddr, admin}, {*extraAddr, mux}} {
		if extra.addr == "" {
			continue
		}
		l, err := net.Listen("tcp", extra.addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "badtarget:", err)
			os.Exit(1)
		}
		servers = append(servers, &http.Server{Handler: extra.handler, ReadHeaderTimeout: 5 * time.Second})
		listeners = append(listeners, l)
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Printf("listening on %s://%s\n", scheme, ln.Addr())
	for i, srv := range servers {
		if i == 0 && *tlsCert != "" {
			go func() { _ = srv.ServeTLS(listeners[i], *tlsCert, *tlsKey) }()
			continue
		}
		go func() { _ = srv.Serve(listeners[i]) }()
	}

	sig := make(chan os.Signal, 1)
	if *ignoreTerm {
		signal.Ignore(syscall.SIGINT, syscall.SIGTERM)
	} else {
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	}
	var end <-chan time.Time
	if *secs > 0 {
		end = time.After(time.Duration(*secs * float64(time.Second)))
	}
	select {
	case <-sig:
	case <-end:
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(ctx)
	}
}
