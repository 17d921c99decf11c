// Package faultserver is the harness shared by the fault workloads under
// testdata/workloads/faults/. Each workload is a small HTTP service with one
// injected fault (or none, for the healthy control) that drives its own load.
//
// Two modes:
//   - live (no -out): serve on -addr with /debug/pprof/ and /debug/vars mounted,
//     print "listening on http://ADDR" as the first stdout line, run the load
//     until SIGINT/SIGTERM or -seconds (when > 0). godiag capture/run/demo use this.
//   - capture (-out DIR): the same, plus a capture bundle written in-process into
//     DIR (docs/BUNDLE.md): CPU profile over the whole run, two goroutine debug=2
//     snapshots (at 40 % and at the end of the run), every other profile and
//     heap?debug=1 at the end, and manifest.json. scripts/captures.mjs runs this
//     with GODEBUG=gctrace=1 and stderr redirected to DIR/gctrace.log.
package faultserver

import (
	"context"
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	rpprof "runtime/pprof"
	"sync"
	"syscall"
	"time"
)

// Session is one run of a fault workload.
type Session struct {
	Name, Fault string
	Out         string  // capture directory, "" in live mode
	Seconds     float64 // run time; 0 = until signalled (live mode only)
	Addr        string
	URL         string // http://127.0.0.1:PORT once Serve returned
	// Mux serves the workload's handlers; /debug/pprof/ and /debug/vars are already on it.
	Mux *http.ServeMux
	// Server has production-style timeouts; a workload whose fault is a missing
	// timeout zeroes them before calling Serve.
	Server *http.Server
	// Stop is closed when the run ends; load goroutines should return then.
	Stop chan struct{}

	gctraceFile string
	atExit      []func()
	files       []fileEntry
	start       time.Time
}

type fileEntry struct {
	Path    string  `json:"path"`
	Kind    string  `json:"kind"`
	Time    string  `json:"time,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
	Source  string  `json:"source,omitempty"`
	Bytes   int64   `json:"bytes,omitempty"`
}

// New parses the common flags and prepares the server. Profile rates default to
// recording everything: block rate 1 ns, mutex fraction 1 (-no-block-mutex to
// leave them off, as a target that never set them).
func New(name, fault string) *Session {
	out := flag.String("out", "", "write a capture bundle into this directory, then exit")
	secs := flag.Float64("seconds", 0, "run time in seconds (0 = until SIGTERM; capture mode default 6)")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	noRates := flag.Bool("no-block-mutex", false, "leave block and mutex profiling off")
	gctrace := flag.String("gctrace-file", "", "capture mode: name of the gctrace log the caller writes into -out")
	flag.Parse()
	if !*noRates {
		runtime.SetBlockProfileRate(1)
		runtime.SetMutexProfileFraction(1)
	}
	s := &Session{
		Name: name, Fault: fault, Out: *out, Seconds: *secs, Addr: *addr,
		Mux: http.NewServeMux(), Stop: make(chan struct{}), gctraceFile: *gctrace,
	}
	if s.Out != "" && s.Seconds == 0 {
		s.Seconds = 6
	}
	s.Mux.HandleFunc("/debug/pprof/", pprof.Index)
	s.Mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	s.Mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	s.Mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	s.Mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s.Mux.Handle("/debug/vars", expvar.Handler())
	s.Server = &http.Server{
		Handler:           s.Mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second, // > the longest CPU profile a capture asks for
		IdleTimeout:       30 * time.Second,
	}
	return s
}

// Serve starts listening and prints the URL as the first line on stdout.
func (s *Session) Serve() {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		fatal(err)
	}
	s.URL = "http://" + ln.Addr().String()
	fmt.Printf("listening on %s\n", s.URL)
	go func() {
		if err := s.Server.Serve(ln); err != nil && err != http.ErrServerClosed {
			fatal(err)
		}
	}()
}

// Run calls load in its own goroutine (it must return once s.Stop is closed),
// waits for the end of the run, writes the capture in capture mode, and exits.
func (s *Session) Run(load func()) {
	s.start = time.Now()
	var cpu *os.File
	if s.Out != "" {
		if err := os.MkdirAll(s.Out, 0o755); err != nil {
			fatal(err)
		}
		cpu = s.create("cpu.pb.gz", "cpu", "")
		if err := rpprof.StartCPUProfile(cpu); err != nil {
			fatal(err)
		}
	}
	go load()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	var end <-chan time.Time
	if s.Seconds > 0 {
		end = time.After(time.Duration(s.Seconds * float64(time.Second)))
	}
	var snap <-chan time.Time
	if s.Out != "" {
		snap = time.After(time.Duration(0.4 * s.Seconds * float64(time.Second)))
	}
loop:
	for {
		select {
		case <-snap:
			s.write("goroutine", 2, "goroutine.debug2.1.txt", "goroutine-debug2")
			snap = nil
		case <-end:
			break loop
		case <-sig:
			break loop
		}
	}
	if s.Out != "" {
		rpprof.StopCPUProfile()
		s.closeFileAt(cpu, 0)
		s.files[0].Seconds = time.Since(s.start).Seconds()
		s.write("goroutine", 2, "goroutine.debug2.2.txt", "goroutine-debug2")
		s.write("goroutine", 0, "goroutine.pb.gz", "goroutine")
		s.write("goroutine", 1, "goroutine.debug1.txt", "goroutine-debug1")
		s.write("heap", 0, "heap.pb.gz", "heap")
		s.write("heap", 1, "heap.debug1.txt", "heap-debug1")
		s.write("allocs", 0, "allocs.pb.gz", "allocs")
		s.write("block", 0, "block.pb.gz", "block")
		s.write("mutex", 0, "mutex.pb.gz", "mutex")
		s.write("threadcreate", 0, "threadcreate.pb.gz", "threadcreate")
		s.writeVars()
		if s.gctraceFile != "" {
			s.files = append(s.files, fileEntry{Path: s.gctraceFile, Kind: "gctrace",
				Seconds: time.Since(s.start).Seconds(), Source: "GODEBUG=gctrace=1"})
		}
		s.writeManifest()
	}
	close(s.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.Server.Shutdown(ctx)
	for _, f := range s.atExit {
		f()
	}
	os.Exit(0)
}

// Load describes the traffic a workload drives against itself.
type Load struct {
	Clients int           // concurrent client loops
	Pause   time.Duration // sleep between a client's requests (0 = none)
	Client  *http.Client  // nil = a client with a 5 s timeout
	// Request sends client c's i-th request; nil = GET s.URL+Path.
	Request func(client *http.Client, c, i int) (*http.Response, error)
	Path    string
}

// Drive runs the load until the run ends: Clients loops, each sending a request,
// reading and closing the body, then pausing. Use it as (or inside) Run's load.
func (s *Session) Drive(l Load) {
	client := l.Client
	if client == nil {
		// One idle connection per client goroutine: with the default Transport
		// (MaxIdleConnsPerHost = 2) all but two clients would dial a new
		// connection for every request, and the load itself would be the fault
		// (connection churn) that diagnose rightly reports.
		client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: l.Clients}}
	}
	request := l.Request
	if request == nil {
		request = func(cl *http.Client, _, _ int) (*http.Response, error) { return cl.Get(s.URL + l.Path) }
	}
	var wg sync.WaitGroup
	for c := 0; c < l.Clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; s.Running(); i++ {
				if resp, err := request(client, c, i); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if l.Pause > 0 {
					time.Sleep(l.Pause)
				}
			}
		}(c)
	}
	wg.Wait()
}

// AtExit registers clean-up to run before Run exits (deferred calls in main do not run).
func (s *Session) AtExit(f func()) { s.atExit = append(s.atExit, f) }

// Running reports whether the run goes on; for load loops.
func (s *Session) Running() bool {
	select {
	case <-s.Stop:
		return false
	default:
		return true
	}
}

func (s *Session) create(path, kind, source string) *os.File {
	f, err := os.Create(filepath.Join(s.Out, path))
	if err != nil {
		fatal(err)
	}
	s.files = append(s.files, fileEntry{Path: path, Kind: kind, Time: time.Now().UTC().Format(time.RFC3339Nano), Source: source})
	return f
}

func (s *Session) write(name string, debug int, path, kind string) {
	f := s.create(path, kind, fmt.Sprintf("runtime/pprof.Lookup(%q).WriteTo(debug=%d)", name, debug))
	if name == "heap" && debug == 0 {
		runtime.GC() // as ?gc=1: in-use figures as of now
	}
	if err := rpprof.Lookup(name).WriteTo(f, debug); err != nil {
		fatal(err)
	}
	s.closeFile(f)
}

func (s *Session) writeVars() {
	f := s.create("vars.json", "expvar", "/debug/vars")
	rec := &responseRecorder{w: f, h: http.Header{}}
	expvar.Handler().ServeHTTP(rec, &http.Request{Method: "GET"})
	s.closeFile(f)
}

func (s *Session) closeFile(f *os.File) { s.closeFileAt(f, len(s.files)-1) }

func (s *Session) closeFileAt(f *os.File, entry int) {
	st, err := f.Stat()
	if err == nil {
		s.files[entry].Bytes = st.Size()
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
}

func (s *Session) writeManifest() {
	// startedByCapture: the cumulative profiles (block, mutex, allocs) cover the
	// process' whole life, which is the capture window.
	env := map[string]string{"fault": s.Fault, "GOMAXPROCS": fmt.Sprint(runtime.GOMAXPROCS(0)), "startedByCapture": "true"}
	for _, k := range []string{"GOGC", "GOMEMLIMIT", "GODEBUG"} {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	m := map[string]any{
		"godiag":      1,
		"target":      s.Name,
		"goVersion":   runtime.Version(),
		"captureTime": s.start.UTC().Format(time.RFC3339Nano),
		"env":         env,
		"files":       s.files,
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Out, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		fatal(err)
	}
}

type responseRecorder struct {
	w *os.File
	h http.Header
}

func (r *responseRecorder) Header() http.Header         { return r.h }
func (r *responseRecorder) Write(b []byte) (int, error) { return r.w.Write(b) }
func (r *responseRecorder) WriteHeader(int)             {}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "faultserver:", err)
	os.Exit(1)
}
