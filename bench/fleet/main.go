// fleet serves a fleet of Go services from one process, for the godiag watch scale
// bench: -ports N listeners, each a /debug/pprof endpoint whose profiles are real
// profiles of this process, varied per port so that no two targets send the same
// thing (as N services of a few kinds would).
//
// The process runs -kinds workload kinds (hashing, JSON, regexp, sorting, maps,
// string building, compression, allocation bursts), each under the pprof label
// kind=K, in busy and idle goroutines. Port i plays a service of kind i % kinds:
//
//   - profile?seconds=S waits S seconds, then serves the latest real CPU profile
//     (a profiler runs continuously, in -window slices) keeping the samples of its
//     kind plus the unlabelled runtime ones, values scaled by a per-variant factor;
//   - heap, allocs, block, mutex, goroutine: the real profile of the last -refresh,
//     a per-variant subset of its stacks (by stack hash), values scaled likewise;
//
// (16 variants, port i serving variant i % 16, encoded in the background.)
//   - /debug/vars: the real expvar (memstats).
//
// It writes the addresses as a Prometheus file_sd JSON file (-targets) and prints
// "listening on http://ADDR" (the first port) when every port is up.
package main

import (
	"bytes"
	"context"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/pprof/profile"
)

var (
	ports   = flag.Int("ports", 200, "listeners (targets)")
	kinds   = flag.Int("kinds", 8, "workload kinds")
	window  = flag.Duration("window", 10*time.Second, "CPU profiler slice")
	targets = flag.String("targets", "", "write the file_sd JSON target list here")
	seconds = flag.Float64("seconds", 0, "exit after this long (0 = until SIGTERM)")
)

// ---- workloads ----

var sink struct {
	sync.Mutex
	kept [][]byte
}

var work = []func(r *rand.Rand){
	func(r *rand.Rand) { // hashing
		b := make([]byte, 4096)
		r.Read(b)
		for i := 0; i < 20; i++ {
			s := sha256.Sum256(b)
			b[0] = s[0]
		}
	},
	func(r *rand.Rand) { // JSON
		m := map[string]any{"id": r.Int(), "name": strings.Repeat("x", 64), "tags": []string{"a", "b", "c"}}
		for i := 0; i < 20; i++ {
			b, _ := json.Marshal(m)
			var back map[string]any
			_ = json.Unmarshal(b, &back)
		}
	},
	func(r *rand.Rand) { // regexp
		re := regexp.MustCompile(`(\w+)@(\w+)\.com`)
		s := strings.Repeat("someone@example.com and more text ", 20)
		for i := 0; i < 5; i++ {
			re.FindAllStringSubmatch(s, -1)
		}
	},
	func(r *rand.Rand) { // sorting
		xs := make([]int, 2000)
		for i := range xs {
			xs[i] = r.Int()
		}
		sort.Ints(xs)
	},
	func(r *rand.Rand) { // maps
		m := map[int]int{}
		for i := 0; i < 3000; i++ {
			m[r.Intn(1000)] += i
		}
	},
	func(r *rand.Rand) { // string building
		var sb strings.Builder
		for i := 0; i < 500; i++ {
			sb.WriteString(strconv.Itoa(r.Int()))
		}
		_ = sb.String()
	},
	func(r *rand.Rand) { // compression
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		b := bytes.Repeat([]byte("godiag fleet "), 1000)
		w.Write(b)
		w.Close()
	},
	func(r *rand.Rand) { // allocation bursts, some kept (a slow heap growth)
		b := make([]byte, 1<<14)
		if r.Intn(50) == 0 {
			sink.Lock()
			if len(sink.kept) > 4000 {
				sink.kept = sink.kept[1:]
			}
			sink.kept = append(sink.kept, b)
			sink.Unlock()
		}
	},
}

var mu sync.Mutex // a contended lock: block and mutex profiles have something

// ---- profiles ----

// Port i serves variant i % variants of each profile. The variants are encoded in
// the background (every CPU slice; every -refresh for the others), so a request
// costs the fleet process nothing but the write: 200 targets asking at once must
// measure the watcher, not this process.
const variants = 16

var (
	refresh = flag.Duration("refresh", 5*time.Second, "how often heap/allocs/block/mutex/goroutine variants are re-taken")
	cacheMu sync.RWMutex
	cache   = map[string][][]byte{} // profile name -> variant -> gzipped proto
)

func store(name string, p *profile.Profile, byKind bool) {
	out := make([][]byte, variants)
	for v := 0; v < variants; v++ {
		var buf bytes.Buffer
		if err := vary(p.Copy(), v, byKind).Write(&buf); err != nil {
			return
		}
		out[v] = buf.Bytes()
	}
	cacheMu.Lock()
	cache[name] = out
	cacheMu.Unlock()
}

func profileCPUForever() {
	for {
		var buf bytes.Buffer
		if err := pprof.StartCPUProfile(&buf); err != nil {
			time.Sleep(time.Second)
			continue
		}
		time.Sleep(*window)
		pprof.StopCPUProfile()
		if p, err := profile.Parse(&buf); err == nil {
			store("profile", p, true)
		}
	}
}

func snapshotsForever() {
	for {
		for _, name := range []string{"heap", "allocs", "block", "mutex", "goroutine"} {
			var buf bytes.Buffer
			if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
				continue
			}
			if p, err := profile.Parse(&buf); err == nil {
				store(name, p, false)
			}
		}
		time.Sleep(*refresh)
	}
}

func stackHash(s *profile.Sample) uint32 {
	h := fnv.New32a()
	for _, l := range s.Location {
		for _, ln := range l.Line {
			io.WriteString(h, ln.Function.Name)
		}
	}
	return h.Sum32()
}

// vary: variant v's share of a real profile: the samples of kind v % kinds (CPU) or a
// subset of the stacks (the others), values scaled by a per-variant factor.
func vary(p *profile.Profile, v int, byKind bool) *profile.Profile {
	kind := strconv.Itoa(v % *kinds)
	factor := 0.5 + float64(v)/variants
	var keep []*profile.Sample
	for _, s := range p.Sample {
		if byKind {
			if k, ok := s.Label["kind"]; ok && k[0] != kind {
				continue
			}
		} else if (stackHash(s)+uint32(v))%3 == 0 {
			continue
		}
		for j := range s.Value {
			s.Value[j] = int64(float64(s.Value[j]) * factor)
		}
		keep = append(keep, s)
	}
	p.Sample = keep
	return p.Compact()
}

func cached(name string, port int) []byte {
	cacheMu.RLock()
	defer cacheMu.RUnlock()
	if c := cache[name]; c != nil {
		return c[port%variants]
	}
	return nil
}

func serve(port int, mux *http.ServeMux) {
	mux.HandleFunc("/debug/pprof/profile", func(w http.ResponseWriter, r *http.Request) {
		sec, _ := strconv.Atoi(r.FormValue("seconds"))
		if sec <= 0 {
			sec = 30
		}
		select {
		case <-time.After(time.Duration(sec) * time.Second):
		case <-r.Context().Done():
			return
		}
		b := cached("profile", port)
		if b == nil {
			http.Error(w, "no CPU profile yet", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	})
	for _, name := range []string{"heap", "allocs", "block", "mutex", "goroutine"} {
		name := name
		mux.HandleFunc("/debug/pprof/"+name, func(w http.ResponseWriter, r *http.Request) {
			b := cached(name, port)
			if b == nil {
				http.Error(w, "not yet", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(b)
		})
	}
	mux.Handle("/debug/vars", expvar.Handler())
}

func main() {
	flag.Parse()
	runtime.SetBlockProfileRate(100000)
	runtime.SetMutexProfileFraction(10)
	for k := 0; k < *kinds; k++ {
		k := k
		go pprof.Do(context.Background(), pprof.Labels("kind", strconv.Itoa(k)), func(context.Context) {
			r := rand.New(rand.NewSource(int64(k)))
			f := work[k%len(work)]
			for {
				f(r)
				mu.Lock()
				mu.Unlock()
				// Kinds differ in how busy they are; together they use about half a core,
				// so that the fleet process can still answer 200 targets on a small machine.
				time.Sleep(time.Duration(k+2) * time.Millisecond)
			}
		})
		// Parked goroutines, a different number per kind.
		for g := 0; g < 10*(k+1); g++ {
			go pprof.Do(context.Background(), pprof.Labels("kind", strconv.Itoa(k)), func(ctx context.Context) { <-ctx.Done() })
		}
	}
	go profileCPUForever()
	go snapshotsForever()
	var addrs []string
	var first string
	for i := 0; i < *ports; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		mux := http.NewServeMux()
		serve(i, mux)
		go http.Serve(ln, mux)
		addrs = append(addrs, ln.Addr().String())
		if i == 0 {
			first = ln.Addr().String()
		}
	}
	if *targets != "" {
		b, _ := json.Marshal([]map[string]any{{"targets": addrs, "labels": map[string]string{"fleet": "bench"}}})
		if err := os.WriteFile(*targets, b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("listening on http://%s\n", first)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	if *seconds > 0 {
		go func() { time.Sleep(time.Duration(*seconds * float64(time.Second))); stop <- syscall.SIGTERM }()
	}
	<-stop
}
