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
//     kind plus the unlabelled runtime ones, values scaled by a per-port factor;
//   - heap, allocs, block, mutex, goroutine: the real profile of this moment, a
//     per-port subset of its stacks (by stack hash), values scaled likewise;
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

type latest struct {
	sync.Mutex
	cpu  *profile.Profile
	snap map[string]*profile.Profile
	when map[string]time.Time
}

var cur = latest{snap: map[string]*profile.Profile{}, when: map[string]time.Time{}}

func profileCPUForever() {
	for {
		var buf bytes.Buffer
		if err := pprof.StartCPUProfile(&buf); err != nil {
			time.Sleep(time.Second)
			continue
		}
		time.Sleep(*window)
		pprof.StopCPUProfile()
		p, err := profile.Parse(&buf)
		if err == nil {
			cur.Lock()
			cur.cpu = p
			cur.Unlock()
		}
	}
}

// snapshot: the real named profile, taken at most once a second for all ports.
func snapshot(name string) (*profile.Profile, error) {
	cur.Lock()
	defer cur.Unlock()
	if p, ok := cur.snap[name]; ok && time.Since(cur.when[name]) < time.Second {
		return p.Copy(), nil
	}
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		return nil, err
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		return nil, err
	}
	cur.snap[name] = p
	cur.when[name] = time.Now()
	return p.Copy(), nil
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

// vary: port i's share of a real profile.
func vary(p *profile.Profile, port int, byKind bool) *profile.Profile {
	kind := strconv.Itoa(port % *kinds)
	factor := 0.5 + float64(port%17)/16
	var keep []*profile.Sample
	for _, s := range p.Sample {
		if byKind {
			if k, ok := s.Label["kind"]; ok && k[0] != kind {
				continue
			}
		} else if (stackHash(s)+uint32(port))%3 == 0 {
			continue
		}
		for j := range s.Value {
			s.Value[j] = int64(float64(s.Value[j]) * factor)
		}
		keep = append(keep, s)
	}
	p.Sample = keep
	p.TimeNanos = time.Now().UnixNano()
	return p.Compact()
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
		cur.Lock()
		p := cur.cpu
		cur.Unlock()
		if p == nil {
			http.Error(w, "no CPU profile yet", http.StatusServiceUnavailable)
			return
		}
		p = vary(p.Copy(), port, true)
		p.DurationNanos = int64(sec) * 1e9
		w.Header().Set("Content-Type", "application/octet-stream")
		p.Write(w)
	})
	for _, name := range []string{"heap", "allocs", "block", "mutex", "goroutine"} {
		name := name
		mux.HandleFunc("/debug/pprof/"+name, func(w http.ResponseWriter, r *http.Request) {
			p, err := snapshot(name)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			vary(p, port, false).Write(w)
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
				// Kinds differ in how busy they are: kind 0 flat out, the last mostly idle.
				time.Sleep(time.Duration(k) * 200 * time.Microsecond)
			}
		})
		// Parked goroutines, a different number per kind.
		for g := 0; g < 10*(k+1); g++ {
			go pprof.Do(context.Background(), pprof.Labels("kind", strconv.Itoa(k)), func(ctx context.Context) { <-ctx.Done() })
		}
	}
	go profileCPUForever()
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
