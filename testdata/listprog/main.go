// A program whose CPU and heap profiles have frames in three places list must
// find sources in: this directory, GOROOT (runtime, sort) and the module cache
// (golang.org/x/exp/rand). Used by test/pprof-list.test.ts; built without -trimpath.
package main

import (
	"flag"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"time"

	"golang.org/x/exp/rand"
)

var sink [][]byte

// allocate makes garbage of several sizes so mallocgc and the heap profile have work.
func allocate(r *rand.Rand, n int) int {
	total := 0
	for i := 0; i < n; i++ {
		b := make([]byte, 64+r.Intn(4096))
		total += len(b)
		if i%64 == 0 {
			sink = append(sink, b)
		}
	}
	if len(sink) > 4096 {
		sink = sink[:0]
	}
	return total
}

// draw spends time in the module cache's rand (called through an interface, so not inlined).
//
//go:noinline
func draw(r *rand.Rand, n int) float64 {
	s := 0.0
	for i := 0; i < n; i++ {
		s += r.Float64() + float64(r.Uint32()&1)
	}
	return s
}

// shuffleSort spends time in GOROOT's sort.
//
//go:noinline
func shuffleSort(r *rand.Rand, xs []int) {
	for i := range xs {
		xs[i] = int(r.Uint64() >> 1)
	}
	sort.Ints(xs)
}

func main() {
	cpu := flag.String("cpu", "", "CPU profile output")
	heap := flag.String("heap", "", "heap profile output")
	dur := flag.Duration("d", 1500*time.Millisecond, "how long to run")
	flag.Parse()
	runtime.MemProfileRate = 4096
	f, err := os.Create(*cpu)
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	r := rand.New(rand.NewSource(1))
	xs := make([]int, 20000)
	for end := time.Now().Add(*dur); time.Now().Before(end); {
		allocate(r, 2000)
		shuffleSort(r, xs)
		draw(r, 300000)
	}
	pprof.StopCPUProfile()
	f.Close()
	h, err := os.Create(*heap)
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("allocs").WriteTo(h, 0); err != nil {
		panic(err)
	}
	h.Close()
}
